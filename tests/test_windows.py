"""wmireach.windows: the releases table, lookups, and the DCOM hardening phases."""

from __future__ import annotations

import datetime

import pytest

from wmireach.errors import ScenarioError
from wmireach.windows import (
    HARDENING_ENABLED_BY_DEFAULT,
    HARDENING_ENFORCED,
    HARDENING_OPT_IN,
    RELEASES,
    BuildRange,
    Edition,
    FirewallKind,
    HardeningPhase,
    NetshContext,
    UnknownRelease,
    WmicStatus,
    hardening_phase,
    release,
    release_identifiers,
)

ISSUE_IDENTIFIERS = [
    "winxp",
    "winxp-sp2",
    "server2003",
    "server2003-sp1",
    "vista",
    "server2008",
    "win7",
    "server2008r2",
    "win8",
    "server2012",
    "win8.1",
    "server2012r2",
    "win10",
    "server2016",
    "server2019",
    "server2022",
    "win11",
    "server2025",
]


def test_identifiers_are_exactly_the_issue_list_oldest_first() -> None:
    assert list(release_identifiers()) == ISSUE_IDENTIFIERS


def test_every_release_cites_sources_and_has_a_sane_record() -> None:
    for r in RELEASES:
        assert r.sources, r.identifier
        assert all(s.strip() for s in r.sources)
        low, high = r.rpc_dynamic_ports
        assert 1024 < low < high <= 65535
        assert r.netsh_contexts


def test_aliases_never_name_two_releases() -> None:
    seen: dict[str, str] = {}
    for r in RELEASES:
        for key in (r.identifier, *r.aliases):
            assert seen.setdefault(key, r.identifier) == r.identifier, key


@pytest.mark.parametrize(
    ("given", "identifier"),
    [
        ("server2019", "server2019"),
        ("2019", "server2019"),
        ("Windows 10", "win10"),
        ("windows server 2012 R2", "server2012r2"),
        ("Microsoft Windows Server 2022", "server2022"),
        ("10.0.20348", "server2022"),
        (20348, "server2022"),
        ("22631", "win11"),
        (19045, "win10"),
        (10240, "win10"),
        ("6.0.6000", "vista"),
        ("xp-sp3", "winxp-sp2"),
        ("server2003r2", "server2003-sp1"),
        ("WIN8.1", "win8.1"),
    ],
)
def test_lookup_by_identifier_alias_name_and_build(given: str | int, identifier: str) -> None:
    assert release(given).identifier == identifier


def test_lookup_of_a_release_returns_it() -> None:
    r = release("win7")
    assert release(r) is r


@pytest.mark.parametrize(
    ("build", "candidates"),
    [
        (17763, "win10, server2019"),
        ("10.0.17763", "win10, server2019"),
        (14393, "win10, server2016"),
        (26100, "win11, server2025"),
        (2600, "winxp, winxp-sp2"),
        (9600, "win8.1, server2012r2"),
    ],
)
def test_builds_shared_by_two_releases_are_ambiguous(build: str | int, candidates: str) -> None:
    with pytest.raises(UnknownRelease, match=f"ambiguous: {candidates}; give an identifier"):
        release(build)


@pytest.mark.parametrize("given", ["windows 95", "server2030", 99999, "", True, 3.5])
def test_unknown_release_is_a_clear_scenario_and_lookup_error(given: object) -> None:
    with pytest.raises(UnknownRelease) as info:
        release(given)  # type: ignore[arg-type]
    assert isinstance(info.value, ScenarioError)
    assert isinstance(info.value, LookupError)
    assert isinstance(info.value, ValueError)


def test_unknown_release_message_lists_accepted_identifiers() -> None:
    with pytest.raises(UnknownRelease, match="winxp, winxp-sp2, server2003"):
        release("windows 95")


def test_xp_sp2_firewall_on_and_2003_sp1_off() -> None:
    """facts §1.2.2, §12.11 [S2]."""
    assert release("winxp-sp2").firewall_on_by_default
    assert not release("server2003-sp1").firewall_on_by_default
    assert release("winxp").firewall is FirewallKind.ICF
    assert release("server2003").firewall is FirewallKind.ICF


def test_capabilities_by_era() -> None:
    for r in RELEASES:
        version = tuple(int(x) for x in r.nt_version.split("."))
        vista_or_later = version >= (6, 0)
        assert r.uac is vista_or_later, r.identifier
        assert (r.firewall is FirewallKind.WFAS) is vista_or_later
        assert r.standalone_wmi_host is vista_or_later
        expected_ports = (49152, 65535) if vista_or_later else (1025, 5000)
        assert r.rpc_dynamic_ports == expected_ports
        assert r.netsecurity_cmdlets is (version >= (6, 2))
        assert (NetshContext.ADVFIREWALL in r.netsh_contexts) is vista_or_later
    assert NetshContext.FIREWALL in release("win7").netsh_contexts
    assert NetshContext.FIREWALL not in release("win8").netsh_contexts
    assert release("server2025").wmic is WmicStatus.NOT_INSTALLED
    assert not release("winxp-sp2").distributed_com_users
    assert release("server2003-sp1").distributed_com_users


def test_editions_without_remote_wmi() -> None:
    """facts §1.2.9 [S14]: Starter, Basic, Home refuse remote WMI; servers have none such."""
    assert Edition.HOME in release("win11").editions_without_remote_wmi
    assert not release("server2022").editions_without_remote_wmi
    assert release("server2022").editions == {Edition.SERVER}
    assert Edition.SERVER not in release("win10").editions


@pytest.mark.parametrize(
    ("day", "phase"),
    [
        (None, HardeningPhase.ENFORCED),
        (HARDENING_OPT_IN - datetime.timedelta(days=1), HardeningPhase.NONE),
        (HARDENING_OPT_IN, HardeningPhase.OPT_IN),
        (HARDENING_ENABLED_BY_DEFAULT - datetime.timedelta(days=1), HardeningPhase.OPT_IN),
        (HARDENING_ENABLED_BY_DEFAULT, HardeningPhase.ENABLED_BY_DEFAULT),
        (HARDENING_ENFORCED - datetime.timedelta(days=1), HardeningPhase.ENABLED_BY_DEFAULT),
        (HARDENING_ENFORCED, HardeningPhase.ENFORCED),
        (datetime.date(2026, 1, 1), HardeningPhase.ENFORCED),
    ],
)
def test_hardening_phase_by_patch_date(day: datetime.date | None, phase: HardeningPhase) -> None:
    """facts §8.1 [S17][S18]: 2021-06-08, 2022-06-14, 2023-03-14."""
    assert hardening_phase(day) is phase


def test_hardening_dates_are_the_kb5004442_dates() -> None:
    assert (
        datetime.date(2021, 6, 8),
        datetime.date(2022, 6, 14),
        datetime.date(2023, 3, 14),
    ) == (HARDENING_OPT_IN, HARDENING_ENABLED_BY_DEFAULT, HARDENING_ENFORCED)


def test_build_range_rejects_reversed_bounds_and_non_ints() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        BuildRange(first=10, last=9)
    assert "17763" not in BuildRange(first=1, last=99999)
