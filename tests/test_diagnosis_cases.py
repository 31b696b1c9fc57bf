"""Real-world cases (tests/cases/diagnosis/*.toml): error text as posted, the context given,
the cause that fixed it. Reports top-1 and top-3 accuracy; asserts top-3 stays at or above the
figure measured when this test was written."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from wmireach.diagnosis import diagnose
from wmireach.errors import WmiReachError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 only
    import tomli as tomllib

CASES = Path(__file__).parent / "cases" / "diagnosis"

#: Case cause ids -> the diagnosis cause IDs that count as naming it.
CAUSE_IDS: dict[str, frozenset[str]] = {
    "target-firewall": frozenset({"WR101", "WR103", "WR501", "WR503"}),
    "target-firewall-scope": frozenset({"WR102", "WR502"}),
    "uac-token-filtering": frozenset({"WR403"}),
    "dcom-launch-activation": frozenset({"WR404"}),
    "dcom-remote-access": frozenset({"WR405"}),
    "dcom-disabled": frozenset({"WR401"}),
    "namespace-remote-enable": frozenset({"WR601"}),
    "dcom-hardening": frozenset({"WR402", "WX08"}),
    "anonymous-callback": frozenset({"WR804", "WR805"}),
    "client-firewall-callback": frozenset({"WR801", "WR802", "WR803"}),
    "wrong-credentials": frozenset({"WX01"}),
    "host-unreachable": frozenset({"WX02"}),
    "nat-advertised-address": frozenset({"WX03"}),
    "wmi-repository-broken": frozenset({"WX04"}),
    "provider-or-class-missing": frozenset({"WX05"}),
    "namespace-missing": frozenset({"WX06"}),
    "local-credentials": frozenset({"WX07"}),
    "client-auth-level-privacy": frozenset({"WX09"}),
    "client-tool-bug": frozenset({"WX08", "WX10"}),
}
#: Measured when written (see the printed figures); raise it when the diagnosis improves.
TOP3_FLOOR = 0.58  # measured 0.61 (57 cases); a change that loses cases fails
#: Cases from this number on were collected after the diagnosis was written, as a held-out set;
#: their first measurement is the out-of-sample figure (tests/cases/diagnosis/README.md says
#: what was changed after reading them).
HELD_OUT_FROM = 47

_CONTEXT_KEYS = (
    "client_os",
    "target_os",
    "trust",
    "account",
    "call_mode",
    "event_id",
    "works_locally",
    "works_with_other_account",
)


def _load() -> list[dict[str, Any]]:
    return [tomllib.loads(p.read_text(encoding="utf-8")) for p in sorted(CASES.glob("*.toml"))]


def _place(case: dict[str, Any]) -> int | None:
    """1-based rank of the case's cause; 0 for a correct "not remote WMI"; None when missed."""
    context = {k: v for k, v in case.get("context", {}).items() if k in _CONTEXT_KEYS}
    try:
        d = diagnose(case["error_text"], **context)
    except (WmiReachError, LookupError):
        try:
            d = diagnose(case["error_text"])
        except WmiReachError:
            return None  # "holds no code" is no claim, even for a case that is not remote WMI
    if case["cause"] == "not-remote-wmi":
        return 0 if not d.explained else None
    # The case's own model rules count too: on a legacy firewall one rule (WR103, WR503) holds
    # both the exception and its scope.
    wanted = CAUSE_IDS.get(case["cause"], frozenset()) | frozenset(case.get("rules", ()))
    ranks = [c.rank for c in d.causes if c.id in wanted]
    return min(ranks) if ranks else None


def test_case_accuracy() -> None:
    cases = _load()
    if not cases:
        pytest.skip("no diagnosis cases yet")
    places = {c["id"]: _place(c) for c in cases}
    top1, top3 = _accuracy(places.values())
    held = [p for k, p in places.items() if int(k[:3]) >= HELD_OUT_FROM]
    held1, held3 = _accuracy(held)
    missed = sorted(k for k, p in places.items() if p is None or p > 3)
    print(
        f"\n{len(places)} cases: top-1 {top1:.0%}, top-3 {top3:.0%}; "
        f"from {HELD_OUT_FROM:03d} on ({len(held)}): top-1 {held1:.0%}, top-3 {held3:.0%}; "
        f"outside top 3: {missed}"
    )
    assert top3 >= TOP3_FLOOR


def _accuracy(places: Iterable[int | None]) -> tuple[float, float]:
    """Shares of cases whose cause ranks first (or is rightly "not remote WMI"), and top 3."""
    listed = list(places)
    if not listed:
        return 0.0, 0.0
    top1 = sum(1 for p in listed if p is not None and p <= 1) / len(listed)
    top3 = sum(1 for p in listed if p is not None and p <= 3) / len(listed)
    return top1, top3


def test_every_case_cause_is_mapped() -> None:
    for case in _load():
        assert case["cause"] == "not-remote-wmi" or case["cause"] in CAUSE_IDS, case["id"]
