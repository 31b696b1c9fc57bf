"""Targets, credentials and budgets: parsing, validation and secrecy (no network)."""

from __future__ import annotations

import json
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wmireach.errors import WmiReachError
from wmireach.model import AccountKind, Stage
from wmireach.probe import (
    Budget,
    Credentials,
    InvalidTarget,
    ProbeReport,
    StageResult,
    StageStatus,
    Target,
    parse_target,
    probe,
    probe_many,
)

SECRET = "Tr0ub4dor&3-very-secret"
NTHASH = "8846f7eaee8fb117ad06bdd830b7586c"


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("b", "b", 135),
        ("B.corp.example", "B.corp.example", 135),
        ("10.0.0.5:1135", "10.0.0.5", 1135),
        ("[fe80::1]", "fe80::1", 135),
        ("[::1]:99", "::1", 99),
        ("::1", "::1", 135),
        ("  host-1  ", "host-1", 135),
    ],
)
def test_targets_parse(text: str, host: str, port: int) -> None:
    assert parse_target(text) == Target(host=host, port=port)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("host:", "not a number"),
        ("host:0", "out of range"),
        ("host:65536", "out of range"),
        ("ho st", "not a host name"),
        ("-bad.example", "not a host name"),
        ("a..b", "not a host name"),
        ("[::1", "without ']'"),
        ("[::1]x", "unexpected"),
        ("[nothex::zz]:5", "not an IPv6 address"),
    ],
)
def test_bad_targets_say_what_is_wrong(text: str, why: str) -> None:
    with pytest.raises(InvalidTarget, match=why) as caught:
        parse_target(text)
    assert isinstance(caught.value, WmiReachError)
    assert isinstance(caught.value, ValueError)


@given(st.ip_addresses(), st.integers(1, 65535))
def test_a_target_reads_back_from_its_text(address: object, port: int) -> None:
    target = Target(host=str(address), port=port)
    assert parse_target(str(target)) == target


def test_bad_targets_do_not_stop_a_batch() -> None:
    reports = list(probe_many(["", "x:99999", "ok.invalid"], stages=Stage.TCP_135))
    by_target = {r.target: r for r in reports}
    assert by_target[""].error is not None and "empty" in by_target[""].error
    assert "out of range" in (by_target["x:99999"].error or "")
    unresolved = by_target["ok.invalid"]
    assert unresolved.error is None
    assert unresolved.failure is not None
    assert unresolved.failure.stage is Stage.RESOLVE_NAME
    assert unresolved.failure.hresult is not None
    assert unresolved.failure.hresult.name == "WSAHOST_NOT_FOUND"


def test_a_single_bad_target_raises() -> None:
    with pytest.raises(InvalidTarget):
        probe("[::1")


@pytest.mark.parametrize(
    "credentials",
    [
        Credentials.with_password("CORP\\alice", SECRET),
        Credentials.with_hashes("alice", f"aad3b435b51404eeaad3b435b51404ee:{NTHASH}"),
    ],
)
def test_secrets_never_show(credentials: Credentials) -> None:
    shown = repr(credentials) + str(credentials) + f"{credentials}" + repr([credentials])
    assert SECRET not in shown
    assert NTHASH not in shown
    assert "hidden" in shown
    again = pickle.loads(pickle.dumps(credentials))  # process pools pickle them
    assert again == credentials
    assert again.secrets() == credentials.secrets()


def test_domain_comes_from_the_user_name() -> None:
    c = Credentials.with_password("CORP\\alice", SECRET, account=AccountKind.DOMAIN_USER)
    assert (c.user, c.domain, c.account) == ("alice", "CORP", AccountKind.DOMAIN_USER)


@pytest.mark.parametrize("bad", ["", "1234", "zz" * 16, f"{NTHASH}0"])
def test_bad_hashes_are_refused(bad: str) -> None:
    with pytest.raises(InvalidTarget, match="32 hex digits"):
        Credentials.with_hashes("alice", bad)


@pytest.mark.parametrize("field", ["connect", "stage", "host"])
@pytest.mark.parametrize("value", [0, -1.0])
def test_budgets_are_positive(field: str, value: float) -> None:
    with pytest.raises(InvalidTarget, match=field):
        Budget(**{field: value})


def test_stages_must_be_stages() -> None:
    with pytest.raises(InvalidTarget, match="stages"):
        probe("127.0.0.1", stages=["tcp-135"])  # type: ignore[list-item]
    with pytest.raises(InvalidTarget, match="callback"):
        probe("127.0.0.1", stages=Stage.CALLBACK)


def test_a_report_is_json_with_no_secret() -> None:
    report = ProbeReport(
        target="b",
        address="10.0.0.2",
        port=135,
        results=(StageResult(stage=Stage.RESOLVE_NAME, status=StageStatus.PASSED),),
    )
    data = json.dumps(report.to_json())
    assert json.loads(data)["stages"][0]["status"] == "passed"


@pytest.mark.parametrize(("host", "port"), [("b", 0), ("b", 70000), ("", 135), ("a b", 135)])
def test_a_target_built_directly_is_checked_too(host: str, port: int) -> None:
    with pytest.raises(InvalidTarget):
        Target(host=host, port=port)
