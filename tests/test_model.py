"""wmireach.model: scenario validation, trust derivation, stages, JSON; and every module's
docstring examples."""

from __future__ import annotations

import datetime
import doctest
import importlib

import attrs
import pytest

from wmireach.errors import ScenarioError
from wmireach.model import (
    DEFAULT_NAMESPACE,
    DEFAULT_SINK_PROGRAM,
    HARDENING_FLOOR,
    Account,
    AccountKind,
    AuthLevel,
    CallMode,
    Computer,
    Connection,
    Membership,
    NetworkProfile,
    Scenario,
    Side,
    Stage,
    Trust,
    scenario_from_json,
    scenario_to_json,
)
from wmireach.windows import Edition

CORP = Membership.domain("corp")
OTHER = Membership.domain("other.example")
WG = Membership.workgroup()


def _scenario(
    a: Membership = CORP,
    b: Membership = CORP,
    *,
    account: AccountKind = AccountKind.DOMAIN_ADMIN,
    client: str = "win10",
    target: str = "server2019",
    **kw: object,
) -> Scenario:
    return Scenario(
        client=Computer(name="A", release=client, membership=a),
        target=Computer(name="B", release=target, membership=b),
        account=Account(kind=account),
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    "module",
    [
        "wmireach.windows",
        "wmireach.model",
        "wmireach.state",
        "wmireach.rules",
        "wmireach.simulation",
        "wmireach.testing",
        "wmireach.testing.model_strategies",
        "wmireach._cli_model",
    ],
)
def test_docstring_examples_run(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0


@pytest.mark.parametrize(
    ("a", "b", "trust"),
    [
        (CORP, CORP, Trust.SAME_DOMAIN),
        (Membership.domain("CORP"), CORP, Trust.SAME_DOMAIN),
        (WG, WG, Trust.WORKGROUP),
        (WG, Membership.workgroup("LAB"), Trust.WORKGROUP),
        (CORP, WG, Trust.WORKGROUP),
        (WG, CORP, Trust.WORKGROUP),
    ],
)
def test_trust_is_derived_from_memberships(a: Membership, b: Membership, trust: Trust) -> None:
    account = AccountKind.LOCAL_ADMIN if not b.is_domain else AccountKind.DOMAIN_ADMIN
    assert _scenario(a, b, account=account).trust is trust


def test_two_domains_need_a_stated_trust() -> None:
    with pytest.raises(ScenarioError, match="say whether the domains trust each other"):
        _scenario(CORP, OTHER)
    assert _scenario(CORP, OTHER, trust=Trust.TRUSTED_DOMAIN).trust is Trust.TRUSTED_DOMAIN
    assert _scenario(CORP, OTHER, trust=Trust.UNTRUSTED_DOMAIN).trust is Trust.UNTRUSTED_DOMAIN


@pytest.mark.parametrize(
    ("a", "b", "stated"),
    [
        (CORP, CORP, Trust.TRUSTED_DOMAIN),
        (CORP, CORP, Trust.WORKGROUP),
        (CORP, OTHER, Trust.SAME_DOMAIN),
        (WG, WG, Trust.SAME_DOMAIN),
        (CORP, WG, Trust.UNTRUSTED_DOMAIN),
    ],
)
def test_a_stated_trust_must_agree_with_memberships(
    a: Membership, b: Membership, stated: Trust
) -> None:
    account = AccountKind.LOCAL_ADMIN if not b.is_domain else AccountKind.DOMAIN_ADMIN
    with pytest.raises(ScenarioError, match="contradicts the memberships"):
        _scenario(a, b, account=account, trust=stated)


@pytest.mark.parametrize("kind", [AccountKind.DOMAIN_ADMIN, AccountKind.DOMAIN_USER])
def test_a_domain_account_cannot_log_on_to_a_workgroup_target(kind: AccountKind) -> None:
    with pytest.raises(ScenarioError, match="use a local account"):
        _scenario(WG, WG, account=kind)
    with pytest.raises(ScenarioError, match="use a local account"):
        _scenario(CORP, WG, account=kind)


def test_a_domain_account_may_call_from_a_workgroup_client() -> None:
    assert _scenario(WG, CORP).trust is Trust.WORKGROUP


def test_remote_wmi_to_a_home_edition_is_impossible_but_from_one_is_fine() -> None:
    home = Computer(name="B", release="win10", membership=WG, edition=Edition.HOME)
    pro = Computer(name="A", release="win10", membership=WG)
    with pytest.raises(ScenarioError, match="Home editions refuse it"):
        Scenario(client=pro, target=home, account=Account(kind=AccountKind.LOCAL_ADMIN))
    ok = Scenario(client=home, target=pro, account=Account(kind=AccountKind.LOCAL_ADMIN))
    assert ok.client.edition is Edition.HOME


def test_computer_validation() -> None:
    with pytest.raises(ScenarioError, match="domain profile needs domain membership"):
        Computer(name="A", release="win10", membership=WG, profile=NetworkProfile.DOMAIN)
    with pytest.raises(ScenarioError, match="only domain and standard"):
        Computer(name="A", release="winxp-sp2", membership=WG, profile=NetworkProfile.PUBLIC)
    with pytest.raises(ScenarioError, match="has no server edition"):
        Computer(name="A", release="win10", membership=WG, edition=Edition.SERVER)
    with pytest.raises(ScenarioError, match="must not be blank"):
        Computer(name=" ", release="win10", membership=WG)
    with pytest.raises(ScenarioError, match="unknown Windows release"):
        Computer(name="A", release="win95", membership=WG)
    c = Computer(name="A", release="2019", membership=CORP)
    assert (c.profile, c.edition) == (NetworkProfile.DOMAIN, Edition.SERVER)


def test_scenario_field_validation() -> None:
    with pytest.raises(ScenarioError, match="needs winmgmt /standalonehost"):
        _scenario(
            WG, WG, account=AccountKind.LOCAL_ADMIN, target="server2003-sp1", fixed_port=24158
        )
    with pytest.raises(ScenarioError, match="outside 1024-65535"):
        _scenario(fixed_port=80)
    with pytest.raises(ScenarioError, match="must be a path under root"):
        _scenario(namespace="cimv2")
    with pytest.raises(ScenarioError, match="must be a path under root"):
        _scenario(namespace="root\\\\cimv2")
    with pytest.raises(ScenarioError, match="must not be blank"):
        Account(kind=AccountKind.LOCAL_USER, name="")


def test_scenario_defaults() -> None:
    s = _scenario()
    assert s.call_mode is CallMode.SEMISYNC
    assert s.namespace == DEFAULT_NAMESPACE == "root\\cimv2"
    assert s.sink_program == DEFAULT_SINK_PROGRAM
    assert s.fixed_port is None
    assert s.auth_level is HARDENING_FLOOR is AuthLevel.PKT_INTEGRITY
    assert s.same_subnet


def test_values_are_frozen_and_hashable() -> None:
    s = _scenario()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        s.call_mode = CallMode.ASYNC  # type: ignore[misc]
    assert hash(s) == hash(_scenario())
    assert attrs.evolve(s, call_mode=CallMode.ASYNC) != s


def test_connections_and_stages_per_call_mode() -> None:
    for mode in (CallMode.SYNC, CallMode.SEMISYNC):
        s = _scenario(call_mode=mode)
        assert s.connections == (Connection.CONNECTION_1,)
        assert Stage.CALLBACK not in s.stages
    a = _scenario(call_mode=CallMode.ASYNC)
    assert a.connections == (Connection.CONNECTION_1, Connection.CONNECTION_2)
    assert a.stages == tuple(Stage)


def test_stage_order_is_the_probe_order() -> None:
    assert [s.value for s in Stage] == [
        "resolve-name",
        "tcp-135",
        "endpoint-mapper",
        "authenticate",
        "dcom-activation",
        "wmi-port",
        "namespace-login",
        "query",
        "callback",
    ]
    # The command line offers the same names without importing the model.
    from wmireach._cli_model import STAGES

    assert list(STAGES) == [s.value for s in Stage]
    shuffled = [Stage.CALLBACK, Stage.RESOLVE_NAME, Stage.QUERY, Stage.TCP_135]
    assert sorted(shuffled) == [Stage.RESOLVE_NAME, Stage.TCP_135, Stage.QUERY, Stage.CALLBACK]
    assert Stage.TCP_135 < Stage.CALLBACK
    assert Stage.QUERY >= Stage.QUERY
    assert Stage.CALLBACK.connection is Connection.CONNECTION_2
    assert {s.connection for s in Stage if s is not Stage.CALLBACK} == {Connection.CONNECTION_1}


def test_ordered_enums_do_not_compare_across_types() -> None:
    with pytest.raises(TypeError):
        _ = Stage.QUERY < AuthLevel.PKT  # type: ignore[operator]


def test_auth_levels_match_the_com_constants() -> None:
    """facts §4.12 [S79]: NONE 1 ... PKT_PRIVACY 6."""
    assert [a.number for a in AuthLevel] == [1, 2, 3, 4, 5, 6]
    assert AuthLevel.PKT < HARDENING_FLOOR <= AuthLevel.PKT_PRIVACY
    assert HARDENING_FLOOR.number == 5


def test_anonymous_callback_only_for_async_without_trust() -> None:
    assert not _scenario(call_mode=CallMode.ASYNC).anonymous_callback
    trusted = _scenario(CORP, OTHER, trust=Trust.TRUSTED_DOMAIN, call_mode=CallMode.ASYNC)
    assert not trusted.anonymous_callback
    untrusted = _scenario(CORP, OTHER, trust=Trust.UNTRUSTED_DOMAIN, call_mode=CallMode.ASYNC)
    assert untrusted.anonymous_callback
    wg = _scenario(WG, WG, account=AccountKind.LOCAL_ADMIN, call_mode=CallMode.ASYNC)
    assert wg.anonymous_callback
    assert not attrs.evolve(wg, call_mode=CallMode.SEMISYNC).anonymous_callback


def test_target_hardening_and_computer_by_side() -> None:
    s = _scenario()
    assert s.target_hardening
    old = attrs.evolve(s, target=attrs.evolve(s.target, patched=datetime.date(2020, 1, 1)))
    assert not old.target_hardening
    assert s.computer(Side.CLIENT) is s.client
    assert s.computer(Side.TARGET) is s.target


def test_json_round_trip() -> None:
    s = _scenario(
        CORP,
        OTHER,
        trust=Trust.UNTRUSTED_DOMAIN,
        call_mode=CallMode.ASYNC,
        fixed_port=24158,
        auth_level=AuthLevel.PKT_PRIVACY,
    )
    s = attrs.evolve(s, target=attrs.evolve(s.target, patched=datetime.date(2022, 7, 1)))
    data = scenario_to_json(s)
    assert data["client"]["release"] == "win10"
    assert data["target"]["patched"] == "2022-07-01"
    assert data["trust"] == "untrusted-domain"
    assert data["call_mode"] == "async"
    assert data["auth_level"] == "pkt-privacy"
    assert scenario_from_json(data) == s


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"client": None}, "not a valid scenario"),
        ({"call_mode": "fast"}, "not a valid scenario"),
        ({"trust": "workgroup"}, "contradicts the memberships"),
        (
            {
                "target": {
                    "name": "B",
                    "release": "win98",
                    "membership": {"kind": "domain", "name": "c"},
                }
            },
            "unknown Windows release",
        ),
    ],
)
def test_json_errors_are_scenario_errors(change: dict[str, object], message: str) -> None:
    data = scenario_to_json(_scenario()) | change
    with pytest.raises(ScenarioError, match=message):
        scenario_from_json(data)


def test_json_missing_field_and_bad_date() -> None:
    data = scenario_to_json(_scenario())
    del data["account"]
    with pytest.raises(ScenarioError, match="missing field"):
        scenario_from_json(data)
    data = scenario_to_json(_scenario())
    data["target"]["patched"] = "last tuesday"
    with pytest.raises(ScenarioError, match="not a date"):
        scenario_from_json(data)
    data["target"]["patched"] = 20240101
    with pytest.raises(ScenarioError, match="not a date"):
        scenario_from_json(data)


def test_account_principal_and_kind_properties() -> None:
    assert Account(kind=AccountKind.DOMAIN_USER, name="CORP\\alice").principal == "CORP\\alice"
    assert Account(kind=AccountKind.DOMAIN_USER).principal == "domain-user"
    assert {k for k in AccountKind if k.is_admin} == {
        AccountKind.DOMAIN_ADMIN,
        AccountKind.LOCAL_ADMIN,
        AccountKind.BUILTIN_ADMIN,
    }
    assert {k for k in AccountKind if k.is_domain} == {
        AccountKind.DOMAIN_ADMIN,
        AccountKind.DOMAIN_USER,
    }


@pytest.mark.parametrize(
    "module",
    [
        "wmireach.windows",
        "wmireach.model",
        "wmireach.state",
        "wmireach.rules",
        "wmireach.simulation",
        "wmireach.testing.model_strategies",
        "wmireach._cli_model",
    ],
)
def test_public_classes_and_functions_have_an_example(module: str) -> None:
    import enum
    import inspect

    mod = importlib.import_module(module)
    missing = []
    for name in mod.__all__:
        obj = getattr(mod, name)
        if inspect.isclass(obj) and issubclass(obj, enum.Enum):
            continue  # enums document their members instead
        if (inspect.isclass(obj) or inspect.isfunction(obj)) and ">>>" not in (obj.__doc__ or ""):
            missing.append(name)
    assert not missing
