"""Windows releases from XP to Server 2025, as data with sources.

Owns: the :class:`Release` records (firewall kind, netsh context, NetSecurity cmdlets, UAC, default
firewall state, RPC dynamic port range, wmic.exe status, editions without remote WMI, DCOM
limits), :func:`release` to look one up by identifier, alias or build number, and the DCOM
hardening phase of a patch date (KB5004442).

Must not: do I/O of any kind, read the clock (the patch date is always given), or import from
wmireach above :mod:`wmireach.errors`.

Sources are the fact sheet ``facts/remote-wmi.md`` (section numbers, ``[Sn]`` ids) or Microsoft
document titles. Build numbers before Windows 10 are not in the fact sheet; they are the widely
published values and are marked as such.

>>> release("2019").identifier
'server2019'
>>> release(7601).identifier
Traceback (most recent call last):
...
wmireach.windows.UnknownRelease: build 7601 is ambiguous: win7, server2008r2; give an identifier
"""

from __future__ import annotations

import datetime
import enum
import functools
import re
from collections.abc import Mapping
from typing import Final

import attrs

from wmireach.errors import ScenarioError

__all__ = [
    "HARDENING_ENABLED_BY_DEFAULT",
    "HARDENING_ENFORCED",
    "HARDENING_OPT_IN",
    "RELEASES",
    "BuildRange",
    "Edition",
    "FirewallKind",
    "HardeningPhase",
    "NetshContext",
    "Release",
    "UnknownRelease",
    "WmicStatus",
    "hardening_phase",
    "release",
    "release_identifiers",
]


class UnknownRelease(ScenarioError, LookupError):
    """A release identifier, alias or build number that names no (single) known release.

    >>> isinstance(UnknownRelease("x"), (ValueError, LookupError))
    True
    """


class FirewallKind(enum.Enum):
    """Which built-in firewall a release has (facts §1.1)."""

    #: Internet Connection Firewall (XP RTM/SP1, Server 2003 RTM): port openings only.
    ICF = "icf"
    #: Windows Firewall (XP SP2+, Server 2003 SP1+): ``netsh firewall``, RemoteAdmin exception.
    WINDOWS_FIREWALL = "windows-firewall"
    #: Windows Firewall with Advanced Security (Vista+): profiles, rule groups, scopes.
    WFAS = "wfas"


class NetshContext(enum.Enum):
    """The ``netsh`` context that configures the firewall (facts §1.2.4)."""

    NONE = "none"
    FIREWALL = "firewall"
    ADVFIREWALL = "advfirewall"


class WmicStatus(enum.Enum):
    """Whether ``wmic.exe`` can be relied on (facts §1.2.8)."""

    SHIPS = "ships"
    DEPRECATED = "deprecated"
    NOT_INSTALLED = "not-installed"


class Edition(enum.Enum):
    """Edition families that matter to remote WMI (facts §1.2.9: Starter, Basic, Home cannot)."""

    HOME = "home"
    STARTER = "starter"
    BASIC = "basic"
    PRO = "pro"
    ENTERPRISE = "enterprise"
    SERVER = "server"


class HardeningPhase(enum.Enum):
    """Phase of the DCOM activation hardening (CVE-2021-26414, KB5004442; facts §8.1 [S17][S18])."""

    #: Before the June 8, 2021 update: no hardening exists.
    NONE = "none"
    #: From June 8, 2021: off by default; RequireIntegrityActivationAuthenticationLevel=1 enables.
    OPT_IN = "opt-in"
    #: From June 14, 2022: on by default; the registry value 0 disables it.
    ENABLED_BY_DEFAULT = "enabled-by-default"
    #: From March 14, 2023: always on; the registry value is ignored.
    ENFORCED = "enforced"


#: First day of each hardening phase (facts §8.1 [S17][S18], High).
HARDENING_OPT_IN: Final = datetime.date(2021, 6, 8)
HARDENING_ENABLED_BY_DEFAULT: Final = datetime.date(2022, 6, 14)
HARDENING_ENFORCED: Final = datetime.date(2023, 3, 14)


def hardening_phase(patched: datetime.date | None) -> HardeningPhase:
    """The DCOM hardening phase of a host whose latest update is from ``patched``.

    ``None`` (the user does not know) is read as a currently patched host, so ``ENFORCED``: the
    safe assumption, since a client that authenticates at PKT_INTEGRITY works in every phase
    (facts §8.7).

    >>> hardening_phase(datetime.date(2022, 1, 1)).value
    'opt-in'
    >>> hardening_phase(None).value
    'enforced'
    """
    if patched is None or patched >= HARDENING_ENFORCED:
        return HardeningPhase.ENFORCED
    if patched >= HARDENING_ENABLED_BY_DEFAULT:
        return HardeningPhase.ENABLED_BY_DEFAULT
    if patched >= HARDENING_OPT_IN:
        return HardeningPhase.OPT_IN
    return HardeningPhase.NONE


def _check_range(instance: BuildRange, attribute: attrs.Attribute[int], value: int) -> None:
    if value < instance.first:
        raise ValueError(f"build range ends ({value}) before it starts ({instance.first})")


@attrs.frozen(kw_only=True)
class BuildRange:
    """Inclusive range of build numbers a release spans.

    >>> 17763 in BuildRange(first=10240, last=19045)
    True
    """

    first: int = attrs.field(validator=attrs.validators.ge(0))
    last: int = attrs.field(validator=_check_range)

    def __contains__(self, build: object) -> bool:
        return isinstance(build, int) and self.first <= build <= self.last


_CLIENT_EDITIONS_NO_WMI: Final = frozenset({Edition.HOME, Edition.STARTER, Edition.BASIC})
_LEGACY_PORTS: Final = (1025, 5000)  # facts §1.2.7 [S34]
_IANA_PORTS: Final = (49152, 65535)  # facts §1.2.7 [S34]


@attrs.frozen(kw_only=True, cache_hash=True)
class Release:
    """One Windows release and what remote WMI depends on in it.

    >>> r = release("win10")
    >>> (r.firewall.value, r.uac, r.rpc_dynamic_ports)
    ('wfas', True, (49152, 65535))
    """

    identifier: str = attrs.field(validator=attrs.validators.matches_re(r"[a-z0-9.\-]+"))
    display_name: str
    nt_version: str
    builds: BuildRange
    server: bool
    firewall: FirewallKind
    firewall_on_by_default: bool
    #: Contexts able to configure the firewall, preferred first.
    netsh_contexts: tuple[NetshContext, ...]
    netsecurity_cmdlets: bool
    uac: bool
    rpc_dynamic_ports: tuple[int, int]
    wmic: WmicStatus
    editions_without_remote_wmi: frozenset[Edition]
    #: MachineLaunch/AccessRestriction limits exist (XP SP2 / Server 2003 SP1 and later, [S27]).
    dcom_machine_limits: bool
    #: The built-in group Distributed COM Users exists (Server 2003 SP1 and later, [S27][S33]).
    distributed_com_users: bool
    #: ``winmgmt /standalonehost`` (fixed port) is available (doc minimum Vista/2008, [S5]).
    standalone_wmi_host: bool
    aliases: tuple[str, ...] = ()
    sources: tuple[str, ...] = attrs.field(validator=attrs.validators.min_len(1))
    notes: tuple[str, ...] = ()

    @property
    def editions(self) -> frozenset[Edition]:
        """The editions this release has (server releases: only ``SERVER``)."""
        if self.server:
            return frozenset({Edition.SERVER})
        return frozenset(Edition) - {Edition.SERVER}

    @property
    def default_edition(self) -> Edition:
        """The edition assumed when none is given."""
        return Edition.SERVER if self.server else Edition.PRO


#: Pre-Vista defaults; each release overrides what differs.
_legacy = functools.partial(
    Release,
    netsecurity_cmdlets=False,
    uac=False,
    rpc_dynamic_ports=_LEGACY_PORTS,
    wmic=WmicStatus.SHIPS,
    standalone_wmi_host=False,
)

#: Vista-and-later defaults; each release overrides what differs.
_modern = functools.partial(
    Release,
    firewall=FirewallKind.WFAS,
    firewall_on_by_default=True,
    uac=True,
    rpc_dynamic_ports=_IANA_PORTS,
    dcom_machine_limits=True,
    distributed_com_users=True,
    standalone_wmi_host=True,
)


_WFAS_ONLY = (NetshContext.ADVFIREWALL,)
_WFAS_AND_LEGACY = (NetshContext.ADVFIREWALL, NetshContext.FIREWALL)
_BUILDS_PRE10 = "build numbers before Windows 10: widely published values, not in the fact sheet"
_S_WFAS = "facts §1.1, §1.2.3 [S40][S41]: WFAS, on by default, inbound blocked"
_S_PORTS_IANA = "facts §1.2.7 [S34]: dynamic RPC ports 49152-65535 from Vista/2008"
_S_PORTS_LEGACY = "facts §1.2.7 [S34]: dynamic RPC ports 1025-5000 before Vista"
_S_UAC = "facts §1.2.6 [S21]: UAC from Vista"
_S_NETSEC = "facts §1.2.5 [S44][S45]: NetSecurity cmdlets from Windows 8 / Server 2012"
_S_HOME = "facts §1.2.9 [S14]: no remote WMI to Starter, Basic or Home editions"
_S_DCOM = "facts §4.6-4.7 [S27]: machine limits and Distributed COM Users from XP SP2/2003 SP1"
_S_FIXED = "facts §6.1 [S5]: winmgmt /standalonehost, doc minimum Vista/2008"

#: Every release, oldest first.
RELEASES: Final[tuple[Release, ...]] = (
    _legacy(
        identifier="winxp",
        display_name="Windows XP (RTM/SP1)",
        nt_version="5.1",
        builds=BuildRange(first=2600, last=2600),
        server=False,
        firewall=FirewallKind.ICF,
        firewall_on_by_default=False,
        netsh_contexts=(NetshContext.NONE,),
        editions_without_remote_wmi=_CLIENT_EDITIONS_NO_WMI,
        dcom_machine_limits=False,
        distributed_com_users=False,
        aliases=("xp", "windows xp", "xp-sp1", "winxp-sp1"),
        sources=(
            "facts §1.1, §1.2.1 [S43]: Internet Connection Firewall, off by default",
            "facts §1.1: no netsh firewall before SP2 (UNVERIFIED)",
            _S_PORTS_LEGACY,
            _S_HOME,
            _S_DCOM,
            _BUILDS_PRE10,
        ),
    ),
    _legacy(
        identifier="winxp-sp2",
        display_name="Windows XP SP2/SP3",
        nt_version="5.1",
        builds=BuildRange(first=2600, last=2600),
        server=False,
        firewall=FirewallKind.WINDOWS_FIREWALL,
        firewall_on_by_default=True,
        netsh_contexts=(NetshContext.FIREWALL,),
        editions_without_remote_wmi=_CLIENT_EDITIONS_NO_WMI,
        dcom_machine_limits=True,
        distributed_com_users=False,
        aliases=("xp-sp2", "xp-sp3", "winxp-sp3", "windows xp sp2", "windows xp sp3"),
        sources=(
            "facts §1.2.1, §1.2.2 [S2][S42]: Windows Firewall replaced ICF, on by default",
            "facts §2.4 [S2][S38]: netsh firewall, RemoteAdmin exception",
            _S_PORTS_LEGACY,
            _S_HOME,
            _S_DCOM,
            _BUILDS_PRE10,
        ),
    ),
    _legacy(
        identifier="server2003",
        display_name="Windows Server 2003 (RTM)",
        nt_version="5.2",
        builds=BuildRange(first=3790, last=3790),
        server=True,
        firewall=FirewallKind.ICF,
        firewall_on_by_default=False,
        netsh_contexts=(NetshContext.NONE,),
        editions_without_remote_wmi=frozenset(),
        dcom_machine_limits=False,
        distributed_com_users=False,
        aliases=("2003", "windows server 2003", "server 2003"),
        sources=(
            "facts §1.2.2 [S38]: ICF only, Windows Firewall arrived with SP1",
            "ICF off by default: assumed as for XP [S43] (Derived)",
            _S_PORTS_LEGACY,
            _S_DCOM,
            _BUILDS_PRE10,
        ),
    ),
    _legacy(
        identifier="server2003-sp1",
        display_name="Windows Server 2003 SP1/SP2/R2",
        nt_version="5.2",
        builds=BuildRange(first=3790, last=3790),
        server=True,
        firewall=FirewallKind.WINDOWS_FIREWALL,
        firewall_on_by_default=False,
        netsh_contexts=(NetshContext.FIREWALL,),
        editions_without_remote_wmi=frozenset(),
        dcom_machine_limits=True,
        distributed_com_users=True,
        aliases=("server2003-sp2", "server2003r2", "2003r2", "2003 r2", "windows server 2003 r2"),
        sources=(
            "facts §1.2.2 [S2][S38]: Windows Firewall from SP1, off by default",
            "facts §2.4 [S2][S38]: netsh firewall, RemoteAdmin exception",
            _S_PORTS_LEGACY,
            _S_DCOM,
            _BUILDS_PRE10,
        ),
    ),
    _modern(
        identifier="vista",
        display_name="Windows Vista",
        nt_version="6.0",
        builds=BuildRange(first=6000, last=6002),
        server=False,
        netsh_contexts=_WFAS_AND_LEGACY,
        netsecurity_cmdlets=False,
        wmic=WmicStatus.SHIPS,
        editions_without_remote_wmi=_CLIENT_EDITIONS_NO_WMI,
        aliases=("windows vista",),
        sources=(
            _S_WFAS,
            "facts §1.2.4 [S35][S62]: netsh advfirewall, legacy netsh firewall kept",
            _S_UAC,
            _S_PORTS_IANA,
            _S_HOME,
            _S_DCOM,
            _S_FIXED,
            _BUILDS_PRE10,
        ),
    ),
    _modern(
        identifier="server2008",
        display_name="Windows Server 2008",
        nt_version="6.0",
        builds=BuildRange(first=6001, last=6003),
        server=True,
        netsh_contexts=_WFAS_AND_LEGACY,
        netsecurity_cmdlets=False,
        wmic=WmicStatus.SHIPS,
        editions_without_remote_wmi=frozenset(),
        aliases=("2008", "windows server 2008", "server 2008"),
        sources=(
            _S_WFAS,
            "facts §1.2.3 [S40]: firewall on, blocks inbound until updated",
            "facts §1.2.4 [S35][S62]: netsh advfirewall, legacy netsh firewall kept",
            _S_UAC,
            _S_PORTS_IANA,
            _S_DCOM,
            _S_FIXED,
            _BUILDS_PRE10,
        ),
    ),
    _modern(
        identifier="win7",
        display_name="Windows 7",
        nt_version="6.1",
        builds=BuildRange(first=7600, last=7601),
        server=False,
        netsh_contexts=_WFAS_AND_LEGACY,
        netsecurity_cmdlets=False,
        wmic=WmicStatus.SHIPS,
        editions_without_remote_wmi=_CLIENT_EDITIONS_NO_WMI,
        aliases=("windows 7", "7"),
        sources=(
            _S_WFAS,
            "facts §1.2.4 [S35][S36]: netsh firewall prints a deprecation notice",
            _S_UAC,
            _S_PORTS_IANA,
            _S_HOME,
            _S_DCOM,
            _S_FIXED,
            _BUILDS_PRE10,
        ),
    ),
    _modern(
        identifier="server2008r2",
        display_name="Windows Server 2008 R2",
        nt_version="6.1",
        builds=BuildRange(first=7600, last=7601),
        server=True,
        netsh_contexts=_WFAS_AND_LEGACY,
        netsecurity_cmdlets=False,
        wmic=WmicStatus.SHIPS,
        editions_without_remote_wmi=frozenset(),
        aliases=("2008r2", "2008 r2", "windows server 2008 r2"),
        sources=(
            _S_WFAS,
            "facts §1.2.4 [S35][S36]: netsh firewall prints a deprecation notice",
            _S_UAC,
            _S_PORTS_IANA,
            _S_DCOM,
            _S_FIXED,
            _BUILDS_PRE10,
        ),
    ),
    _modern(
        identifier="win8",
        display_name="Windows 8",
        nt_version="6.2",
        builds=BuildRange(first=9200, last=9200),
        server=False,
        netsh_contexts=_WFAS_ONLY,
        netsecurity_cmdlets=True,
        wmic=WmicStatus.SHIPS,
        editions_without_remote_wmi=_CLIENT_EDITIONS_NO_WMI,
        aliases=("windows 8", "8"),
        sources=(_S_WFAS, _S_NETSEC, _S_UAC, _S_PORTS_IANA, _S_HOME, _S_DCOM, _S_FIXED),
        notes=(_BUILDS_PRE10,),
    ),
    _modern(
        identifier="server2012",
        display_name="Windows Server 2012",
        nt_version="6.2",
        builds=BuildRange(first=9200, last=9200),
        server=True,
        netsh_contexts=_WFAS_ONLY,
        netsecurity_cmdlets=True,
        wmic=WmicStatus.DEPRECATED,
        editions_without_remote_wmi=frozenset(),
        aliases=("2012", "windows server 2012", "server 2012"),
        sources=(
            _S_WFAS,
            _S_NETSEC,
            _S_UAC,
            _S_PORTS_IANA,
            _S_DCOM,
            _S_FIXED,
            "facts §1.1 [S57]: wmic deprecated for Server 2012 (Med)",
        ),
        notes=(_BUILDS_PRE10,),
    ),
    _modern(
        identifier="win8.1",
        display_name="Windows 8.1",
        nt_version="6.3",
        builds=BuildRange(first=9600, last=9600),
        server=False,
        netsh_contexts=_WFAS_ONLY,
        netsecurity_cmdlets=True,
        wmic=WmicStatus.SHIPS,
        editions_without_remote_wmi=_CLIENT_EDITIONS_NO_WMI,
        aliases=("windows 8.1", "8.1", "win81"),
        sources=(_S_WFAS, _S_NETSEC, _S_UAC, _S_PORTS_IANA, _S_HOME, _S_DCOM, _S_FIXED),
        notes=(_BUILDS_PRE10,),
    ),
    _modern(
        identifier="server2012r2",
        display_name="Windows Server 2012 R2",
        nt_version="6.3",
        builds=BuildRange(first=9600, last=9600),
        server=True,
        netsh_contexts=_WFAS_ONLY,
        netsecurity_cmdlets=True,
        wmic=WmicStatus.DEPRECATED,
        editions_without_remote_wmi=frozenset(),
        aliases=("2012r2", "2012 r2", "windows server 2012 r2"),
        sources=(
            _S_WFAS,
            _S_NETSEC,
            _S_UAC,
            _S_PORTS_IANA,
            _S_DCOM,
            _S_FIXED,
            "facts §1.1 [S57]: wmic deprecated for Server 2012 (Med)",
        ),
        notes=(_BUILDS_PRE10,),
    ),
    _modern(
        identifier="win10",
        display_name="Windows 10",
        nt_version="10.0",
        builds=BuildRange(first=10240, last=19045),
        server=False,
        netsh_contexts=_WFAS_ONLY,
        netsecurity_cmdlets=True,
        wmic=WmicStatus.DEPRECATED,
        editions_without_remote_wmi=_CLIENT_EDITIONS_NO_WMI,
        aliases=("windows 10", "10"),
        sources=(
            _S_WFAS,
            _S_NETSEC,
            _S_UAC,
            _S_PORTS_IANA,
            _S_HOME,
            _S_DCOM,
            _S_FIXED,
            "facts §1.1 [S63]: first build 10240",
            "facts §1.2.8 [S56]: wmic deprecated from 21H1, preinstalled as Feature on Demand",
        ),
        notes=("last build 19045 (22H2) is a widely published value, not in the fact sheet",),
    ),
    _modern(
        identifier="server2016",
        display_name="Windows Server 2016",
        nt_version="10.0",
        builds=BuildRange(first=14393, last=14393),
        server=True,
        netsh_contexts=_WFAS_ONLY,
        netsecurity_cmdlets=True,
        wmic=WmicStatus.DEPRECATED,
        editions_without_remote_wmi=frozenset(),
        aliases=("2016", "windows server 2016", "server 2016"),
        sources=(
            _S_WFAS,
            _S_NETSEC,
            _S_UAC,
            _S_PORTS_IANA,
            _S_DCOM,
            _S_FIXED,
            "facts §1.1 [S63]: build 14393 (RS1)",
            "facts §1.2.8 [S56]: wmic deprecated",
        ),
    ),
    _modern(
        identifier="server2019",
        display_name="Windows Server 2019",
        nt_version="10.0",
        builds=BuildRange(first=17763, last=17763),
        server=True,
        netsh_contexts=_WFAS_ONLY,
        netsecurity_cmdlets=True,
        wmic=WmicStatus.DEPRECATED,
        editions_without_remote_wmi=frozenset(),
        aliases=("2019", "windows server 2019", "server 2019"),
        sources=(
            _S_WFAS,
            _S_NETSEC,
            _S_UAC,
            _S_PORTS_IANA,
            _S_DCOM,
            _S_FIXED,
            "facts §1.1 [S63]: build 17763 (RS5)",
            "facts §1.2.8 [S56]: wmic deprecated",
        ),
    ),
    _modern(
        identifier="server2022",
        display_name="Windows Server 2022",
        nt_version="10.0",
        builds=BuildRange(first=20348, last=20348),
        server=True,
        netsh_contexts=_WFAS_ONLY,
        netsecurity_cmdlets=True,
        wmic=WmicStatus.DEPRECATED,
        editions_without_remote_wmi=frozenset(),
        aliases=("2022", "windows server 2022", "server 2022"),
        sources=(
            _S_WFAS,
            _S_NETSEC,
            _S_UAC,
            _S_PORTS_IANA,
            _S_DCOM,
            _S_FIXED,
            "facts §1.1 [S63]: build 20348",
            "facts §1.2.8 [S56]: wmic deprecated",
        ),
    ),
    _modern(
        identifier="win11",
        display_name="Windows 11",
        nt_version="10.0",
        builds=BuildRange(first=22000, last=26200),
        server=False,
        netsh_contexts=_WFAS_ONLY,
        netsecurity_cmdlets=True,
        wmic=WmicStatus.DEPRECATED,
        editions_without_remote_wmi=_CLIENT_EDITIONS_NO_WMI,
        aliases=("windows 11", "11"),
        sources=(
            _S_WFAS,
            _S_NETSEC,
            _S_UAC,
            _S_PORTS_IANA,
            _S_HOME,
            _S_DCOM,
            _S_FIXED,
            "facts §1.1 [S63][S57]: builds 22000 (21H2) to 26200 (25H2)",
            "facts §1.2.8 [S56][S57]: wmic a Feature on Demand; off from 24H2, gone in 25H2 (Med)",
        ),
    ),
    _modern(
        identifier="server2025",
        display_name="Windows Server 2025",
        nt_version="10.0",
        builds=BuildRange(first=26100, last=26100),
        server=True,
        netsh_contexts=_WFAS_ONLY,
        netsecurity_cmdlets=True,
        wmic=WmicStatus.NOT_INSTALLED,
        editions_without_remote_wmi=frozenset(),
        aliases=("2025", "windows server 2025", "server 2025"),
        sources=(
            _S_WFAS,
            _S_NETSEC,
            _S_UAC,
            _S_PORTS_IANA,
            _S_DCOM,
            _S_FIXED,
            "facts §1.1 [S63]: build 26100 (Med)",
            "facts §1.1 [S57]: wmic not installed by default (Med)",
        ),
    ),
)

_BY_KEY: Final[Mapping[str, Release]] = {
    key: r for r in RELEASES for key in (r.identifier, *r.aliases, r.display_name.casefold())
}
_VERSION = re.compile(r"(?:\d+\.\d+\.)?(\d+)(?:\.\d+)?")


def release_identifiers() -> tuple[str, ...]:
    """The identifiers used in the CLI and JSON, oldest release first.

    >>> release_identifiers()[:2]
    ('winxp', 'winxp-sp2')
    """
    return tuple(r.identifier for r in RELEASES)


def _normalize(text: str) -> str:
    t = " ".join(text.strip().casefold().replace("_", " ").split())
    for prefix in ("microsoft ",):
        t = t.removeprefix(prefix)
    return t


def _by_build(build: int, given: object) -> Release:
    found = [r for r in RELEASES if build in r.builds]
    if not found:
        raise UnknownRelease(
            f"no known release has build {build}; accepted identifiers: "
            + ", ".join(release_identifiers())
        )
    if len(found) > 1:
        names = ", ".join(r.identifier for r in found)
        raise UnknownRelease(f"build {given} is ambiguous: {names}; give an identifier")
    return found[0]


def release(identifier_or_build: str | int | Release) -> Release:
    """Find a release by identifier, common alias, display name, build or version string.

    Accepts ``"server2019"``, ``"2019"``, ``"Windows Server 2019"``, ``17763`` and
    ``"10.0.17763"``. A build shared by a client and a server release (14393, 17763, 26100,
    XP's 2600...) is ambiguous and raises :class:`UnknownRelease` naming the candidates.

    >>> release("Windows 10").identifier
    'win10'
    >>> release("10.0.20348").identifier
    'server2022'
    """
    if isinstance(identifier_or_build, Release):
        return identifier_or_build
    if isinstance(identifier_or_build, bool) or not isinstance(identifier_or_build, (int, str)):
        raise UnknownRelease(f"not a release: {identifier_or_build!r}")
    if isinstance(identifier_or_build, int):
        return _by_build(identifier_or_build, identifier_or_build)
    key = _normalize(identifier_or_build)
    found = _BY_KEY.get(key) or _BY_KEY.get(key.replace(" ", ""))
    if found is not None:
        return found
    match = _VERSION.fullmatch(key)
    if match is not None and (len(match.group(1)) >= 4 or "." in key):
        return _by_build(int(match.group(1)), identifier_or_build)
    raise UnknownRelease(
        f"unknown Windows release {identifier_or_build!r}; accepted identifiers: "
        + ", ".join(release_identifiers())
        + " (also build numbers such as 17763 and aliases such as '2019' or 'Windows 10')"
    )
