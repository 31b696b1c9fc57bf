"""Why a remote WMI call failed: the model run backwards, ranked by what is known.

Owns: :func:`diagnose`, :class:`Diagnosis`, :class:`Cause` and :class:`Evidence`, the table of
causes outside configuration (``WX`` IDs, never reused), the small table of codes that stand for
a model code, and the priors of the ranking, each next to its source.

How: a configuration cause is a rule whose *single fault* reproduces the observation. For every
scenario consistent with what is known (:mod:`wmireach.matrix` enumerates what is not), the two
out-of-the-box states are changed through the rules' ``fulfil`` witnesses until every other
requirement is met, the rule's ``violate`` witness breaks it, and
:func:`~wmireach.simulation.simulate` says which stage fails with which code. No second
"code -> cause" table exists for rules. Causes outside configuration (wrong password, host
down, NAT, a broken repository...) come from the fact sheet's code table (facts §9.1).

Likelihood: each consistent scenario adds its weight to every cause that reproduces the
observation there, times a prior: 1 when the scenario's default state already has that fault
first at its stage (the WMI firewall rules ship disabled, a workgroup local admin is UAC-filtered,
a domain user lacks remote launch), 0.1 when it needs a change from the defaults. Events, "works
locally" and "works with another account" multiply; the scores are normalized to sum to 1.

Must not: do I/O, or import from wmireach above :mod:`wmireach.simulation` (events and the
matrix are data below it).

>>> d = diagnose("0x80070005", account="local-admin", trust="workgroup")
>>> d.causes[0].id
'WR403'
>>> diagnose("0x80070002").summary
'not a remote-WMI failure; this is ERROR_FILE_NOT_FOUND: The system cannot find the file specified.'
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Final, Protocol, runtime_checkable

import attrs

from wmireach.errors import InvalidCode, ScenarioError
from wmireach.events import Event, decode_event, event
from wmireach.hresult import HResult, candidates, find_codes
from wmireach.matrix import canonical, consistent_scenarios
from wmireach.model import (
    HARDENING_FLOOR,
    AccountKind,
    AuthLevel,
    CallMode,
    Scenario,
    Side,
    Stage,
    Trust,
)
from wmireach.planning import Step, plan
from wmireach.rules import RULES, Rule
from wmireach.simulation import default_states, requirements, simulate
from wmireach.state import HostState
from wmireach.windows import HARDENING_OPT_IN, Release, release

__all__ = [
    "EQUIVALENT_CODES",
    "EXTERNAL_CAUSES",
    "KNOWN_FIELDS",
    "PRIOR_CHANGED",
    "PRIOR_DEFAULT",
    "Cause",
    "Diagnosis",
    "Evidence",
    "ExternalCause",
    "Observation",
    "Observed",
    "diagnose",
    "single_faults",
]

# -- priors ------------------------------------------------------------------------------------

#: Prior of a rule whose fault the scenario's out-of-the-box state already has, first at its
#: stage (facts §2.1.4: the WMI group ships disabled; §3.3-3.4: workgroup local admins are
#: filtered; §4.6, §4.10: only Administrators have remote launch; §5.1: Remote Enable is
#: admin-only).
PRIOR_DEFAULT: Final = 1.0
#: Prior of a rule whose fault needs a change from the defaults (EnableDCOM=N, a narrowed scope,
#: a revoked right): someone has to have made it.
PRIOR_CHANGED: Final = 0.1
#: Weight of a below-floor authentication level when the client is Windows or unknown: Windows
#: clients raise activations to PKT_INTEGRITY themselves since November 8, 2022 (facts §8.1
#: [S19], §8.3 [S20]); tools below the floor are mostly non-Windows (facts §8.7 [S85]).
BELOW_FLOOR_WEIGHT: Final = 0.25
#: A cause an observed event points to (facts §8.5, §9.2).
EVENT_FACTOR: Final = 10.0
#: Works with another account: causes tied to the account (its token, its rights) are likelier;
#: machine-wide ones (firewall, EnableDCOM, host, repository) almost ruled out (Derived from
#: facts §0.5: the layers that depend on the caller are DCOM rights, UAC and namespace rights).
OTHER_ACCOUNT_UP: Final = 3.0
OTHER_ACCOUNT_DOWN: Final = 0.1
#: Works locally on B: WMI itself (repository, providers, namespaces) works; remote-only causes
#: stay (facts §8.6 [S18]: local connections keep working while remote ones fail).
LOCAL_WORKS_DOWN: Final = 0.1
LOCAL_FAILS_UP: Final = 5.0
LOCAL_FAILS_DOWN: Final = 0.5

_DENIED: Final = 0x80070005
_UNAVAILABLE: Final = 0x800706BA

#: Codes that stand for a model code: observed -> (model code, source).
EQUIVALENT_CODES: Final[Mapping[int, tuple[int, str]]] = {
    0x80041015: (
        _UNAVAILABLE,
        "facts §0.4, §9.1 [S15][S16]: WBEM_E_TRANSPORT_FAILURE is a connectivity failure, "
        "remedied as 0x800706BA",
    ),
    0x8007274D: (
        _UNAVAILABLE,
        "Derived: WSAECONNREFUSED (10061; POSIX ECONNREFUSED) on TCP 135 or the WMI port is the "
        "failed connection RPC reports as RPC_S_SERVER_UNAVAILABLE (facts §0.4, §9.1)",
    ),
    0x8007274C: (
        _UNAVAILABLE,
        "Derived: WSAETIMEDOUT (10060; POSIX ETIMEDOUT), a connection a firewall drops, is what "
        "RPC reports as RPC_S_SERVER_UNAVAILABLE (facts §0.4, §9.1)",
    ),
    0x8001011B: (
        _DENIED,
        "facts §9.1 [S92][S85]: RPC_E_ACCESS_DENIED, reported as a DCOM access-denied "
        "(hardening) symptom",
    ),
}

# -- evidence ----------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Evidence:
    """One check that confirms or rules out a cause: what to run or read, where, and what it
    shows when the cause is real.

    >>> Evidence(check="Test-NetConnection B -Port 135", where="Computer A",
    ...          confirms="TcpTestSucceeded : False").where
    'Computer A'
    """

    check: str
    where: str
    confirms: str


_FW_LIST = Evidence(
    check="netsh advfirewall firewall show rule name=all dir=in | findstr /i WMI",
    where="Computer B (elevated prompt)",
    confirms="the 'Windows Management Instrumentation (DCOM-In)' / '(WMI-In)' rules show "
    "Enabled: No for the active profile",
)
_FW_PS = Evidence(
    check="Get-NetFirewallRule -Group '@FirewallAPI.dll,-34251' | "
    "Format-Table Name,Enabled,Profile",
    where="Computer B (PowerShell, Windows 8 / Server 2012 and later)",
    confirms="WMI-RPCSS-In-TCP / WMI-WINMGMT-In-TCP (or their -NoScope twins for the Domain "
    "profile) are False",
)
_PORT_135 = Evidence(
    check="Test-NetConnection B -Port 135",
    where="Computer A",
    confirms="TcpTestSucceeded : False while B answers ping or SMB",
)
_FW_SCOPE = Evidence(
    check="Get-NetFirewallRule -Group '@FirewallAPI.dll,-34251' | Get-NetFirewallAddressFilter",
    where="Computer B",
    confirms="RemoteAddress is LocalSubnet (or a list) that does not include Computer A",
)
_FW_LEGACY = Evidence(
    check="netsh firewall show state verbose=enable",
    where="Computer B (XP SP2 / Server 2003)",
    confirms="the Remote Administration exception is Disable (or the firewall is on with no "
    "port 135 opening)",
)
_FW_LOG = Evidence(
    check="Event Viewer > Applications and Services Logs > Microsoft > Windows > Windows "
    "Firewall With Advanced Security > Firewall (or pfirewall.log with dropped packets logged)",
    where="Computer B",
    confirms="drops of Computer A's packets to TCP 135 or a dynamic RPC port",
)
_EV_10016 = Evidence(
    check="System log, source DistributedCOM, event 10016 or 10015",
    where="Computer B",
    confirms="launch/activation permission not granted to the caller's SID from A's address",
)
_EV_10017 = Evidence(
    check="System log, source DistributedCOM, event 10017 or 10018",
    where="Computer B",
    confirms="access (not launch) permission not granted to the caller's SID",
)
_EV_10036 = Evidence(
    check="System log, source DistributedCOM, event 10036",
    where="Computer B",
    confirms="the server-side authentication level policy refused the activation",
)
_DCOMCNFG_LAUNCH = Evidence(
    check="dcomcnfg > Component Services > Computers > My Computer > Properties > COM Security "
    "> Launch and Activation Permissions > Edit Limits",
    where="Computer B",
    confirms="neither the account nor a group it is in (Distributed COM Users, Administrators "
    "with a full token) has Remote Launch and Remote Activation",
)
_ADMIN_RETRY = Evidence(
    check="retry the same call as the built-in Administrator (RID 500) or a domain admin",
    where="Computer A",
    confirms="the call works with a full administrator token",
)
_UAC_REG = Evidence(
    check="reg query HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System "
    "/v LocalAccountTokenFilterPolicy",
    where="Computer B",
    confirms="the value is missing or 0 (remote UAC filtering on)",
)
_WHOAMI = Evidence(
    check="net use \\\\B\\ADMIN$ /user:B\\account (or whoami /groups in a remote session)",
    where="Computer A",
    confirms="access denied for a local administrator: its network token is filtered",
)
_NAMESPACE = Evidence(
    check="wmimgmt.msc > WMI Control > Properties > Security > the namespace > Security",
    where="Computer B",
    confirms="the account (or its groups) lacks Remote Enable or Enable Account",
)
_WMI_ACTIVITY = Evidence(
    check="Applications and Services Logs > Microsoft > Windows > WMI-Activity > Operational",
    where="Computer B",
    confirms="an access-denied or failed operation for the caller and namespace",
)
_OTHER_ACCOUNT = Evidence(
    check="retry the same call with another account that works elsewhere",
    where="Computer A",
    confirms="the other account works: the cause is tied to the first account",
)
_LOCAL = Evidence(
    check="Get-CimInstance Win32_OperatingSystem (or wmic os get caption) on B itself",
    where="Computer B",
    confirms="it works locally: WMI itself is healthy, the problem is on the remote path",
)

_RULE_EVIDENCE: Final[Mapping[str, tuple[Evidence, ...]]] = {
    "WR101": (_FW_PS, _FW_LIST, _PORT_135),
    "WR102": (_FW_SCOPE, _PORT_135),
    "WR103": (_FW_LEGACY, _PORT_135),
    "WR401": (
        Evidence(
            check="reg query HKLM\\SOFTWARE\\Microsoft\\Ole /v EnableDCOM",
            where="Computer B",
            confirms="EnableDCOM is N",
        ),
    ),
    "WR402": (
        _EV_10036,
        Evidence(
            check="System log, source DistributedCOM, event 10037 or 10038",
            where="Computer A (Windows clients)",
            confirms="the client activated with a level below PKT_INTEGRITY",
        ),
        Evidence(
            check="the client tool's authentication level option (impacket -auth-level / "
            "RPC_C_AUTHN_LEVEL_PKT_PRIVACY, wmic --option=...[sign])",
            where="Computer A",
            confirms="it activates at NONE, CONNECT, CALL or PKT",
        ),
    ),
    "WR403": (_UAC_REG, _ADMIN_RETRY, _WHOAMI, _EV_10016),
    "WR404": (_EV_10016, _DCOMCNFG_LAUNCH, _OTHER_ACCOUNT),
    "WR405": (
        _EV_10017,
        Evidence(
            check="dcomcnfg > COM Security > Access Permissions > Edit Limits",
            where="Computer B",
            confirms="the account's groups lack Remote Access (Everyone has it by default)",
        ),
    ),
    "WR501": (_FW_PS, _FW_LIST, _FW_LOG),
    "WR502": (_FW_SCOPE, _FW_LOG),
    "WR503": (_FW_LEGACY, _FW_LOG),
    "WR504": (
        Evidence(
            check="sc qc winmgmt (TYPE 10 WIN32_OWN_PROCESS) and "
            "reg query HKLM\\SOFTWARE\\Classes\\AppID\\{8BC3F05E-D86B-11D0-A075-00C04FB68820} "
            "/v Endpoints",
            where="Computer B",
            confirms="WMI runs in the shared host, or on another port than the one allowed",
        ),
    ),
    "WR601": (_NAMESPACE, _WMI_ACTIVITY, _OTHER_ACCOUNT),
    "WR801": (
        Evidence(
            check="Get-NetFirewallRule -Name WMI-ASYNC-In-TCP,WMI-ASYNC-In-TCP-NoScope",
            where="Computer A",
            confirms="the ASync-In rule (or the client's own sink program) is not enabled",
        ),
        Evidence(
            check="retry with a semisynchronous call",
            where="Computer A",
            confirms="semisync works: only Connection 2 (the callback) is blocked",
        ),
    ),
    "WR802": (
        Evidence(
            check="Get-NetFirewallRule -Name WMI-ASYNC-In-TCP | Get-NetFirewallAddressFilter",
            where="Computer A",
            confirms="RemoteAddress excludes Computer B",
        ),
    ),
    "WR803": (
        Evidence(
            check="netsh firewall show state verbose=enable",
            where="Computer A (XP SP2 / Server 2003)",
            confirms="no port opening for TCP 135",
        ),
    ),
    "WR804": (
        Evidence(
            check="reg query HKLM\\SOFTWARE\\Microsoft\\WBEM\\CIMOM /v AllowAnonymousCallback",
            where="Computer B",
            confirms="missing or 0, with A and B in a workgroup or untrusted domains",
        ),
    ),
    "WR805": (
        Evidence(
            check="dcomcnfg > COM Security > Access Permissions > Edit Limits > ANONYMOUS LOGON",
            where="Computer A",
            confirms="ANONYMOUS LOGON has Local Access only",
        ),
    ),
}

# -- causes outside configuration --------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ExternalCause:
    """A cause the configuration model does not hold, with the codes it gives and their priors.

    >>> EXTERNAL_CAUSES["WX06"].codes[0x8004100E]
    1.0
    """

    id: str
    title: str
    side: Side | None
    #: The stages it fails at (any, when empty).
    stages: tuple[Stage, ...]
    #: Code -> prior, on the scale of :data:`PRIOR_DEFAULT`.
    codes: Mapping[int, float]
    fix: str
    evidence: tuple[Evidence, ...]
    sources: tuple[str, ...]
    #: True when it depends on the account (works with another account raises it).
    account_specific: bool = False
    #: True when WMI itself is broken (works locally lowers it).
    local: bool = False
    #: When set, it applies only to scenarios for which this is true.
    applies: Callable[[Scenario], bool] | None = attrs.field(default=None, repr=False)


def _below_floor_on_hardened(s: Scenario) -> bool:
    return s.auth_level < HARDENING_FLOOR and s.target_hardening


_QUERY_STAGES: Final = (Stage.NAMESPACE_LOGIN, Stage.QUERY)

#: Causes outside configuration, by stable ID (never reused).
EXTERNAL_CAUSES: Final[Mapping[str, ExternalCause]] = {
    c.id: c
    for c in (
        ExternalCause(
            id="WX01",
            title="Wrong credentials: the user name, password or domain (authority) is wrong "
            "or the account does not exist on Computer B",
            side=None,
            stages=(Stage.AUTHENTICATE, Stage.DCOM_ACTIVATION),
            codes={0x8007052E: 1.0, 0xC000006D: 1.0, 0x8009030C: 1.0, _DENIED: 0.2},
            fix="Check the user name, password and domain (DOMAIN\\user or B\\user for a "
            "local account) and that the account exists and is not locked out.",
            evidence=(
                Evidence(
                    check="Security log, event 4625 (logon failure)",
                    where="Computer B (or the domain controller)",
                    confirms="a failed network logon for the account at the time of the call",
                ),
                Evidence(
                    check="net use \\\\B\\IPC$ /user:DOMAIN\\account",
                    where="Computer A",
                    confirms="System error 1326 (user name or password is incorrect)",
                ),
            ),
            sources=(
                "facts §9.1 [S89]: 0x8007052E ERROR_LOGON_FAILURE, wrong credentials",
                "facts §9.1 [S13][S87]: 0x80070005 for bad or nonexistent credentials",
                "Derived: 0xC000006D STATUS_LOGON_FAILURE and 0x8009030C SEC_E_LOGON_DENIED are "
                "the NTSTATUS and SSPI forms of the same logon failure",
            ),
            account_specific=True,
        ),
        ExternalCause(
            id="WX02",
            title="Computer B is down, or its name does not resolve to it",
            side=Side.TARGET,
            stages=(Stage.RESOLVE_NAME, Stage.TCP_135),
            # WSAHOST_NOT_FOUND, WSAEHOSTUNREACH, WSAENETUNREACH: the name or the route fails.
            codes={_UNAVAILABLE: 0.3, 0x80072AF9: 1.0, 0x80072751: 1.0, 0x80072743: 1.0},
            fix="Check that B is running and that its name resolves to its address from A "
            "(Resolve-DnsName B; ping B); use the address or fix DNS.",
            evidence=(
                _PORT_135,
                Evidence(
                    check="Resolve-DnsName B; ping B",
                    where="Computer A",
                    confirms="the name resolves to another address, or nothing answers",
                ),
                Evidence(
                    check="System log, source DistributedCOM, event 10009 or 10028",
                    where="Computer A",
                    confirms="DCOM could not communicate with B using any configured protocol",
                ),
            ),
            sources=(
                "facts §9.1 [S13][S87]: 0x800706BA when the host does not exist or is gone",
                "Derived: 0x80072AF9 is HRESULT_FROM_WIN32(WSAHOST_NOT_FOUND=11001)",
            ),
        ),
        ExternalCause(
            id="WX03",
            title="NAT or a wrong advertised address: B hands out an address or name A cannot "
            "reach for the WMI port",
            side=Side.TARGET,
            stages=(Stage.WMI_PORT,),
            codes={_UNAVAILABLE: 0.05},
            fix="Connect without NAT (VPN or the private address), or make the name B "
            "advertises resolve on A to an address A can reach (hosts file, DNS).",
            evidence=(
                Evidence(
                    check="the client's debug output of the string bindings B returns "
                    "(impacket -debug: 'StringBinding: ...')",
                    where="Computer A",
                    confirms="B advertises only its private address or a short host name",
                ),
                Evidence(
                    check="Test-NetConnection B -Port 135 succeeds but the call fails",
                    where="Computer A",
                    confirms="TCP 135 is reached; the second connection is not",
                ),
            ),
            sources=(
                "facts §9.1 [S86]: DCOM through NAT fails with 0x800706BA (the server's real "
                "address is embedded in marshalled references)",
            ),
        ),
        ExternalCause(
            id="WX04",
            title="The WMI service or repository on Computer B is broken",
            side=Side.TARGET,
            stages=_QUERY_STAGES,
            codes={
                0x80041002: 0.5,
                0x80041004: 0.5,
                0x80041010: 0.3,
                0x80041013: 0.5,
                0x80041014: 1.0,
                0x80041033: 1.0,
                0x80041001: 0.5,
            },
            fix="Check the repository (winmgmt /verifyrepository) and salvage it "
            "(winmgmt /salvagerepository); restart winmgmt; reset it only as a last resort.",
            evidence=(
                _LOCAL,
                Evidence(
                    check="winmgmt /verifyrepository",
                    where="Computer B (elevated prompt)",
                    confirms="'WMI repository is inconsistent'",
                ),
                _WMI_ACTIVITY,
            ),
            sources=(
                "facts §0.4 [S16]: core WMI/provider errors after a good connection",
                "facts §9.1 [S15][S13]: 0x80041002 (repository corruption can masquerade as "
                "it), 0x80041013, 0x80041004, 0x80041033",
            ),
            local=True,
        ),
        ExternalCause(
            id="WX05",
            title="The provider or class does not exist on Computer B, or its provider fails "
            "to load",
            side=Side.TARGET,
            stages=(Stage.QUERY,),
            codes={0x80041010: 1.0, 0x80041013: 1.0, 0x80041002: 0.5, 0x80041004: 0.5},
            fix="Check the class name and namespace; install the role or product that "
            "provides it; re-register the provider (regsvr32, mofcomp).",
            evidence=(
                _LOCAL,
                Evidence(
                    check="Get-CimClass -Namespace <namespace> -ClassName <class>",
                    where="Computer B",
                    confirms="the class is not found in that namespace",
                ),
            ),
            sources=(
                "facts §9.1 [S15][S16]: 0x80041010 invalid class, 0x80041013 provider load "
                "failure, 0x80041002 not found, 0x80041004 provider failure",
            ),
            local=True,
        ),
        ExternalCause(
            id="WX06",
            title="The namespace does not exist on Computer B",
            side=Side.TARGET,
            stages=(Stage.NAMESPACE_LOGIN,),
            codes={0x8004100E: 1.0},
            fix="Correct the namespace path, or install the role or product that creates it.",
            evidence=(
                Evidence(
                    check="Get-CimInstance -Namespace root -ClassName __NAMESPACE",
                    where="Computer B",
                    confirms="the namespace is not listed",
                ),
            ),
            sources=("facts §9.1 [S15][S16]: 0x8004100E WBEM_E_INVALID_NAMESPACE",),
            local=True,
        ),
        ExternalCause(
            id="WX07",
            title="Credentials passed on a local connection",
            side=Side.CLIENT,
            stages=(Stage.NAMESPACE_LOGIN,),
            codes={0x80041064: 1.0},
            fix="Pass no user name or password when connecting to the local computer "
            "(or connect to it by another name only when it really is remote).",
            evidence=(
                Evidence(
                    check="the computer name the call uses",
                    where="Computer A",
                    confirms="it is A itself (., localhost, its own name) with -Credential",
                ),
            ),
            sources=("facts §9.1 [S15][S91]: 0x80041064 WBEM_E_LOCAL_CREDENTIALS",),
        ),
        ExternalCause(
            id="WX08",
            title="The client tool cannot activate at PKT_INTEGRITY, which Computer B's DCOM "
            "hardening requires (an old or non-Windows DCOM client)",
            side=Side.CLIENT,
            stages=(Stage.DCOM_ACTIVATION,),
            codes={_DENIED: 0.3, _UNAVAILABLE: 0.1},
            fix="Update the client tool or switch to one that requests PKT_INTEGRITY or "
            "PKT_PRIVACY (patched Windows, current impacket, wmic with [sign]); only before "
            "March 14, 2023 could B postpone the hardening.",
            evidence=(
                _EV_10036,
                Evidence(
                    check="the client tool's version and authentication level options",
                    where="Computer A",
                    confirms="it has no way to request packet integrity or privacy",
                ),
            ),
            sources=(
                "facts §8.6 [S18]: 0x80070005 and 0x800706BA from tools below PKT_INTEGRITY",
                "facts §8.7 [S85]: non-Windows DCOM clients (Samba wmic) trigger 10036",
            ),
            applies=_below_floor_on_hardened,
        ),
        ExternalCause(
            id="WX09",
            title="The namespace or operation requires an encrypted connection "
            "(authentication level PKT_PRIVACY)",
            side=Side.CLIENT,
            stages=(Stage.NAMESPACE_LOGIN, Stage.QUERY),
            codes={0x80041003: 0.2, 0x80041087: 1.0},
            fix="Connect with authentication level PktPrivacy (-Authentication PacketPrivacy, "
            "wbemAuthenticationLevelPktPrivacy, RPC_C_AUTHN_LEVEL_PKT_PRIVACY).",
            evidence=(
                Evidence(
                    check="retry with -Authentication PacketPrivacy",
                    where="Computer A",
                    confirms="the call works",
                ),
                _WMI_ACTIVITY,
            ),
            sources=(
                "facts §0.5 [S16]: a namespace may require PktPrivacy",
                "facts §9.1 [S6][S13]: 0x80041003 when the namespace requires encryption; "
                "[S81]: 0x80041087 WBEM_E_ENCRYPTED_CONNECTION_REQUIRED",
            ),
        ),
        ExternalCause(
            id="WX10",
            title="A DCOM/RPC protocol failure with no documented WMI cause: the client's DCOM "
            "implementation, a version mismatch, or a fault on the way",
            side=None,
            stages=(),
            codes={
                0x80070776: 1.0,
                0x800706BE: 1.0,
                0x80070721: 1.0,
                0x800706B5: 1.0,
                0x80080005: 1.0,
                0x800706D9: 1.0,
                0x80010111: 1.0,
            },
            fix="Update the client tool and retry with another client (PowerShell "
            "Get-CimInstance with a DCOM session, wbemtest) to tell a client bug from B.",
            evidence=(
                Evidence(
                    check="the same query from wbemtest or Get-CimInstance -CimSession "
                    "(New-CimSessionOption -Protocol Dcom) on another Windows computer",
                    where="another client",
                    confirms="it works: the failing client's DCOM implementation is at fault",
                ),
            ),
            sources=(
                "facts §9.1 [S88][S89][S90]: meanings of 0x80070776, 0x800706BE, 0x80070721, "
                "0x800706B5, 0x80080005, 0x800706D9 (High); their WMI causes UNVERIFIED",
                "Derived: 0x80010111 RPC_E_INVALID_HEADER is a DCOM packet the server rejects",
            ),
        ),
    )
}

#: Phrases that name a cause when a tool prints no code: every phrase of the tuple must occur
#: (source next to each).
_PHRASES: Final[tuple[tuple[tuple[str, ...], str, str], ...]] = (
    (
        ("can't find a valid stringbinding",),
        "WX03",
        "facts §9.1 [S86]: B's marshalled references carry addresses A cannot reach; impacket "
        "prints this when none of B's string bindings is usable",
    ),
    *(
        (
            ("stringbinding", failed),
            "WX03",
            "facts §9.1 [S86]: impacket lists B's advertised string bindings, then fails to "
            "resolve or reach one of them (a name or address only B's own network knows)",
        )
        for failed in ("name or service not known", "getaddrinfo failed", "no route to host")
    ),
)

#: Short forms of code messages that tools print without the code (lower case -> code). The
#: decoder knows the full messages; these are the shortened or localized forms seen in reports.
_SHORT_MESSAGES: Final[tuple[tuple[str, int], ...]] = (
    ("rpc server unavailable", _UNAVAILABLE),  # "The RPC server is unavailable." (facts §9.1)
    ("invalid class", 0x80041010),  # WBEM_E_INVALID_CLASS's message (facts §9.1 [S15])
    ("invalid namespace", 0x8004100E),  # WBEM_E_INVALID_NAMESPACE's message (facts §9.1 [S15])
    # WBEM_E_LOCAL_CREDENTIALS as PowerShell words it (facts §9.1 [S15][S91])
    ("credentials cannot be used for local connections", 0x80041064),
    ("拒绝访问", _DENIED),  # "Access is denied." on Chinese Windows
    # Socket errors as Python (impacket, NetExec, aiowmi), .NET and Winsock word them, read as
    # the Winsock codes (WSA* in winerror.h): the same failure, whatever the client's OS.
    ("name or service not known", 0x80072AF9),  # glibc EAI_NONAME -> WSAHOST_NOT_FOUND
    ("nodename nor servname provided", 0x80072AF9),  # BSD/macOS EAI_NONAME
    ("temporary failure in name resolution", 0x80072AF9),  # glibc EAI_AGAIN
    ("getaddrinfo failed", 0x80072AF9),  # Python on Windows: [Errno 11001] getaddrinfo failed
    ("no such host is known", 0x80072AF9),  # WSAHOST_NOT_FOUND's own message
    ("connection refused", 0x8007274D),  # ECONNREFUSED -> WSAECONNREFUSED
    ("actively refused", 0x8007274D),  # WSAECONNREFUSED's own message
    ("connection timed out", 0x8007274C),  # ETIMEDOUT -> WSAETIMEDOUT
    ("did not properly respond after a period of time", 0x8007274C),  # WSAETIMEDOUT's message
    ("no route to host", 0x80072751),  # EHOSTUNREACH -> WSAEHOSTUNREACH
    ("network is unreachable", 0x80072743),  # ENETUNREACH -> WSAENETUNREACH
    # Tools that print no code. Each phrase below was seen, with its established cause, in the
    # public reports of tests/cases/diagnosis/ (the case ids say which).
    ("rpc server", _UNAVAILABLE),  # "doesn't find RPC server" (019)
    ("cannot connect to wmi", _UNAVAILABLE),  # dbatools' "Cannot connect to WMI on X" (020)
    # System.Management and the CIM cmdlets print WBEM_E_ACCESS_DENIED as a bare "Access
    # denied" (011, 022); Win32's own text is "Access is denied." (facts §9.1).
    ("access denied", 0x80041003),
    ("access denied", _DENIED),
)

#: RPC interfaces other than DCOM/WMI that fail with the same codes, named by the operations or
#: pipes their clients print (lower case), with the protocol's Microsoft title. A text that names
#: one and nothing of WMI is not a remote-WMI failure, whatever its code.
_OTHER_INTERFACES: Final[tuple[tuple[tuple[str, ...], str], ...]] = (
    (
        ("openscmanager", "scmrexception", "svcctl"),
        "a Service Control Manager call ([MS-SCMR]: Service Control Manager Remote Protocol, "
        "as PsExec-style tools use over SMB)",
    ),
    (
        ("pipe winreg", "regconnectregistry", "remote registry"),
        "a Remote Registry call ([MS-RRP]: Windows Remote Registry Protocol)",
    ),
    (
        ("net rpc ",),
        "Samba's net rpc (Remote Registry, Service Control Manager or shutdown over SMB named "
        "pipes)",
    ),
)
#: Words that tie a text to WMI (lower case): with one of them the text is about WMI.
_WMI_MARKERS: Final = (
    "wmi",
    "wbem",
    "cimv2",
    "winmgmt",
    "win32_",
    "ciminstance",
    "cimsession",
    "unsecapp",
)


def _other_interface(lowered: str) -> str | None:
    """What a text is about when it names another RPC interface and nothing of WMI."""
    if any(marker in lowered for marker in _WMI_MARKERS):
        return None
    for phrases, what in _OTHER_INTERFACES:
        if any(p in lowered for p in phrases):
            return what
    return None


_ACCOUNT_RULES: Final = frozenset({"WR403", "WR404", "WR405", "WR601"})

# -- single faults -----------------------------------------------------------------------------


@attrs.frozen
class _Fault:
    rule: Rule
    stage: Stage
    failure: int
    #: The scenario's defaults already have this fault first at its stage.
    default: bool


def _satisfy(scenario: Scenario, states: dict[Side, HostState], rules: Iterable[Rule]) -> None:
    for _ in range(4):
        changed = False
        for r in rules:
            current = states[r.side]
            if r.met(scenario, current):
                continue
            new = r.fulfil(scenario, current)
            if new is None or new == current:
                continue  # only the scenario (its authentication level) can meet it
            states[r.side] = new
            changed = True
        if not changed:
            return


def _default_fault(scenario: Scenario, r: Rule, reqs: tuple[Rule, ...]) -> bool:
    client, target = default_states(scenario)
    states = {Side.CLIENT: client, Side.TARGET: target}
    if r.met(scenario, states[r.side]):
        return False
    # Unmet out of the box; but is it the fault, or only a consequence of an earlier rule of
    # the same stage (WR404 fails for a UAC-filtered admin because of WR403)?
    earlier = [e for e in reqs if e.stage is r.stage and reqs.index(e) < reqs.index(r)]
    _satisfy(scenario, states, earlier)
    return not r.met(scenario, states[r.side])


@functools.lru_cache(maxsize=4096)
def _faults(scenario: Scenario) -> tuple[_Fault, ...]:
    reqs = requirements(scenario)
    client, target = default_states(scenario)
    states = {Side.CLIENT: client, Side.TARGET: target}
    _satisfy(scenario, states, reqs)
    found: list[_Fault] = []
    for r in reqs:
        broken = r.violate(scenario, states[r.side])
        if broken is None:
            continue  # the scenario itself meets it
        trial = dict(states)
        trial[r.side] = broken
        outcome = simulate(scenario, trial[Side.CLIENT], trial[Side.TARGET])
        if outcome.passed or r.id not in outcome.unmet:
            continue  # an earlier stage the host cannot pass hides it
        assert outcome.stage is not None
        assert outcome.failure is not None
        found.append(
            _Fault(
                rule=r,
                stage=outcome.stage,
                failure=outcome.failure,
                default=_default_fault(scenario, r, reqs),
            )
        )
    return tuple(found)


def single_faults(scenario: Scenario) -> dict[str, tuple[Stage, int]]:
    """Each rule whose single fault ``scenario`` can have -> the stage and code it fails with.

    Computed through :func:`~wmireach.simulation.simulate`: every other requirement met (from
    the defaults, through ``fulfil``), this one broken (``violate``).

    >>> from wmireach.model import _example
    >>> {k: (s.value, hex(c)) for k, (s, c) in single_faults(_example()).items()}["WR601"]
    ('namespace-login', '0x80041003')
    """
    return {f.rule.id: (f.stage, f.failure) for f in _faults(canonical(scenario))}


# -- the result --------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Cause:
    """One explanation of the failure, with how likely it is and how to confirm it.

    >>> c = diagnose("0x8004100E").causes[0]
    >>> (c.id, c.kind, c.stage.value if c.stage else None, c.rank)
    ('WX06', 'external', 'namespace-login', 1)
    """

    id: str
    title: str
    #: ``"rule"`` (a requirement of the model) or ``"external"`` (outside configuration).
    kind: str
    side: Side | None
    stage: Stage | None
    #: The codes (unsigned) this cause gives.
    failures: tuple[int, ...]
    #: Share of the total score, between 0 and 1; the causes of a diagnosis sum to 1.
    likelihood: float
    #: 1 for the most likely; causes with equal likelihood share a rank.
    rank: int
    evidence: tuple[Evidence, ...]
    fix: str
    #: Rule IDs that fix it (the rule itself for a rule cause).
    rules: tuple[str, ...]
    sources: tuple[str, ...]
    #: How the likelihood came about, one sentence per factor.
    reasoning: tuple[str, ...]
    #: The plan steps that fix it, when the whole scenario is known (see :func:`diagnose`).
    steps: tuple[Step, ...] = ()


@attrs.frozen(kw_only=True)
class Diagnosis:
    """The causes of a failure, most likely first.

    >>> d = diagnose("The RPC server is unavailable. (Exception from HRESULT: 0x800706BA)")
    >>> (d.explained, d.causes[0].id, [c.hex for c in d.codes])
    (True, 'WR101', ['0x800706BA'])
    """

    #: Every code read from the input (the first is the main one).
    codes: tuple[HResult, ...]
    stage: Stage | None
    #: What was known, as given (field -> text).
    known: tuple[tuple[str, str], ...]
    events: tuple[Event, ...]
    causes: tuple[Cause, ...]
    #: False when nothing wmireach knows explains the codes.
    explained: bool
    summary: str
    #: How many matrix scenarios (or 1 for a given scenario) the diagnosis considered.
    scenarios: int
    #: Requirements the given host states meet, so not causes (see ``client_state``).
    ruled_out: tuple[str, ...] = ()

    @property
    def top(self) -> Cause | None:
        """The most likely cause, or ``None`` when unexplained."""
        return self.causes[0] if self.causes else None

    def cause(self, cause_id: str) -> Cause | None:
        """The cause with ``cause_id``, or ``None`` when it is not among the causes."""
        return next((c for c in self.causes if c.id == cause_id.upper()), None)

    def __repr__(self) -> str:
        # Evidence and reasoning would fill pages; the codes and the top causes say which it is.
        codes = " ".join(c.hex for c in self.codes) or "no code"
        top = ", ".join(f"{c.id} {c.likelihood:.0%}" for c in self.causes[:3]) or "unexplained"
        more = len(self.causes) - 3
        return f"<diagnosis of {codes}: {top}" + (f" (+{more} more)>" if more > 0 else ">")

    def _repr_html_(self) -> str:
        """The notebook display: summary, diagram and the ranked causes."""
        from wmireach.display import diagnosis_html  # above this layer: only when displayed

        return diagnosis_html(self)


# -- reading the input -------------------------------------------------------------------------

#: Fields ``diagnose`` accepts as ``**known``.
KNOWN_FIELDS: Final = (
    "client_os",
    "target_os",
    "trust",
    "account",
    "call_mode",
    "namespace",
    "event_id",
    "works_locally",
    "works_with_other_account",
    "client_auth_level",
    "patched",
)
_SCENARIO_FIELDS: Final = frozenset(
    {"client_os", "target_os", "trust", "account", "call_mode", "client_auth_level", "patched"}
)
_NON_WINDOWS: Final = frozenset(
    {"linux", "unix", "macos", "mac", "darwin", "bsd", "non-windows", "other"}
)
#: Before the first hardening phase: what ``patched=False`` means (facts §8.1).
_UNPATCHED: Final = HARDENING_OPT_IN - datetime.timedelta(days=1)


def _enum(
    kind: type[Trust] | type[AccountKind] | type[CallMode] | type[AuthLevel],
    value: object,
    field: str,
) -> object:
    if isinstance(value, kind):
        return value
    try:
        return kind(str(value).strip().casefold().replace("_", "-"))
    except ValueError:
        choices = ", ".join(m.value for m in kind)
        raise ScenarioError(f"{field} {value!r} is not one of: {choices}") from None


def _read_codes(failure: object) -> tuple[list[HResult], str | None]:
    if isinstance(failure, HResult):
        return [failure], None
    if isinstance(failure, bytes):
        failure = failure.decode("utf-8", errors="replace")
    if not isinstance(failure, str):
        return list(candidates(failure)), None
    found: dict[int, HResult] = {m.hresult.value: m.hresult for m in find_codes(failure)}
    try:
        readings = candidates(failure)
    except InvalidCode:
        readings = ()
    for hr in readings:
        found.setdefault(hr.value, hr)
    ordered = sorted(found.values(), key=lambda h: h.value == 0x80020009)  # wrapper last
    if readings and readings[0].value in found:
        ordered.remove(found[readings[0].value])
        ordered.insert(0, found[readings[0].value])
    return ordered, failure


@attrs.frozen
class _Context:
    client: Release | None
    target: Release | None
    trust: Trust | None
    account: AccountKind | None
    call_mode: CallMode | None
    auth: AuthLevel | None
    patched: datetime.date | None
    non_windows_client: bool


def _context(known: Mapping[str, object]) -> _Context:
    client_os = known.get("client_os")
    client: Release | None = None
    non_windows = False
    if client_os is not None:
        if isinstance(client_os, str) and client_os.strip().casefold() in _NON_WINDOWS:
            non_windows = True
        else:
            client = release(client_os)  # type: ignore[arg-type]
    target = known.get("target_os")
    patched = known.get("patched")
    date: datetime.date | None = None
    if isinstance(patched, bool):
        date = None if patched else _UNPATCHED
    elif isinstance(patched, datetime.date):
        date = patched
    elif isinstance(patched, str):
        try:
            date = datetime.date.fromisoformat(patched)
        except ValueError:
            raise ScenarioError(f"patched {patched!r} is not a date (YYYY-MM-DD)") from None
    elif patched is not None:
        raise ScenarioError(f"patched must be a bool or a date, not {patched!r}")
    auth = known.get("client_auth_level")
    return _Context(
        client=client,
        target=None if target is None else release(target),  # type: ignore[arg-type]
        trust=None if known.get("trust") is None else _enum(Trust, known["trust"], "trust"),  # type: ignore[arg-type]
        account=None
        if known.get("account") is None
        else _enum(AccountKind, known["account"], "account"),  # type: ignore[arg-type]
        call_mode=None
        if known.get("call_mode") is None
        else _enum(CallMode, known["call_mode"], "call_mode"),  # type: ignore[arg-type]
        auth=None if auth is None else _enum(AuthLevel, auth, "client_auth_level"),  # type: ignore[arg-type]
        patched=date,
        non_windows_client=non_windows,
    )


def _events(known: Mapping[str, object], text: str | None) -> tuple[Event, ...]:
    given = known.get("event_id")
    ids: list[int] = []
    if isinstance(given, (int, str)) and not isinstance(given, bool):
        ids.append(int(given))
    elif isinstance(given, Iterable):
        ids.extend(int(i) for i in given)
    elif given is not None:
        raise ScenarioError(f"event_id must be an int or several, not {given!r}")
    found = {e.id: e for e in (event(i) for i in ids)}
    if text is not None:
        for e in decode_event(text):
            found.setdefault(e.id, e)
    return tuple(found.values())


def _flag(known: Mapping[str, object], name: str) -> bool | None:
    value = known.get(name)
    if value is None or isinstance(value, bool):
        return value
    raise ScenarioError(f"{name} must be True, False or None, not {value!r}")


# -- scoring -----------------------------------------------------------------------------------


def _weighted(ctx: _Context) -> tuple[tuple[Scenario, float], ...]:
    floor_weight = 1.0
    below = 1.0 if ctx.non_windows_client else BELOW_FLOOR_WEIGHT
    if ctx.auth is not None:
        levels: tuple[AuthLevel, ...] = (ctx.auth,)
    else:
        levels = (HARDENING_FLOOR, AuthLevel.PKT)
    found = consistent_scenarios(
        client=ctx.client,
        target=ctx.target,
        trust=ctx.trust,
        account=ctx.account,
        call_mode=ctx.call_mode,
        auth_levels=levels,
        patched=ctx.patched,
    )
    return tuple(
        (s, n * (floor_weight if s.auth_level >= HARDENING_FLOOR or ctx.auth else below))
        for s, n in found
    )


def _model_codes(codes: Iterable[int]) -> frozenset[int]:
    out = set(codes)
    out.update(EQUIVALENT_CODES[c][0] for c in codes if c in EQUIVALENT_CODES)
    return frozenset(out)


@functools.lru_cache(maxsize=1024)
def _rank(  # noqa: PLR0917 - positional: lru_cache keys
    weighted: tuple[tuple[Scenario, float], ...],
    codes: frozenset[int],
    stage: Stage | None,
    event_causes: frozenset[str],
    works_locally: bool | None,
    other_account: bool | None,
    phrase_causes: frozenset[str],
) -> tuple[tuple[str, float, tuple[str, ...]], ...]:
    total_weight = sum(w for _, w in weighted)
    model = _model_codes(codes)
    rule_scores: dict[str, list[float]] = {}  # id -> [score, matched weight, default weight]
    for s, w in weighted:
        for fault in _faults(s):
            if fault.failure not in model or (stage is not None and fault.stage is not stage):
                continue
            entry = rule_scores.setdefault(fault.rule.id, [0.0, 0.0, 0.0])
            entry[0] += w * (PRIOR_DEFAULT if fault.default else PRIOR_CHANGED)
            entry[1] += w
            entry[2] += w if fault.default else 0.0
    results: list[tuple[str, float, list[str]]] = []
    for rule_id, (score, matched, default) in rule_scores.items():
        why = [
            f"its single fault reproduces the observation in {matched / total_weight:.0%} of "
            "the weight of the consistent scenarios (simulated)",
            f"out of the box the fault is already there in {default / matched:.0%} of those "
            f"(prior {PRIOR_DEFAULT:g}); elsewhere it needs a change from the defaults "
            f"(prior {PRIOR_CHANGED:g})",
        ]
        results.append((rule_id, score, why))
    for cause in EXTERNAL_CAUSES.values():
        prior = max((cause.codes.get(c, 0.0) for c in model), default=0.0)
        if cause.id in phrase_causes:
            prior = max(prior, PRIOR_DEFAULT)
        if prior == 0.0 or (stage is not None and cause.stages and stage not in cause.stages):
            continue
        applies = cause.applies
        matched = total_weight if applies is None else sum(w for s, w in weighted if applies(s))
        if matched == 0.0:
            continue
        why = [f"outside configuration: prior {prior:g} for the observed code (facts §9.1)"]
        if applies is not None:
            why.append(f"possible in {matched / total_weight:.0%} of the consistent scenarios")
        if cause.id in phrase_causes:
            why.append("the text names it")
        results.append((cause.id, prior * matched, why))
    final: list[tuple[str, float, tuple[str, ...]]] = []
    for cause_id, score, why in results:
        factor = 1.0
        if cause_id in event_causes:
            factor *= EVENT_FACTOR
            why.append(f"an observed event points to it: x{EVENT_FACTOR:g} (facts §8.5, §9.2)")
        account_specific = cause_id in _ACCOUNT_RULES or (
            cause_id in EXTERNAL_CAUSES and EXTERNAL_CAUSES[cause_id].account_specific
        )
        if other_account is True:
            f = OTHER_ACCOUNT_UP if account_specific else OTHER_ACCOUNT_DOWN
            factor *= f
            why.append(f"works with another account: x{f:g}")
        elif other_account is False and account_specific:
            factor *= 0.5
            why.append("fails with other accounts too: x0.5")
        local = cause_id in EXTERNAL_CAUSES and EXTERNAL_CAUSES[cause_id].local
        if works_locally is True and local:
            factor *= LOCAL_WORKS_DOWN
            why.append(f"works locally on B, so WMI itself is healthy: x{LOCAL_WORKS_DOWN:g}")
        elif works_locally is False:
            f = LOCAL_FAILS_UP if local else LOCAL_FAILS_DOWN
            factor *= f
            why.append(f"fails locally on B too: x{f:g}")
        final.append((cause_id, score * factor, tuple(why)))
    return tuple(final)


_RULES_BY_ID: Final[Mapping[str, Rule]] = {r.id: r for r in RULES}
#: Every code some cause gives (directly or through an equivalence).
_KNOWN_CODES: Final = frozenset(
    {r.failure for r in RULES}
    | {c for x in EXTERNAL_CAUSES.values() for c in x.codes}
    | set(EQUIVALENT_CODES)
)


def _build_causes(ranked: tuple[tuple[str, float, tuple[str, ...]], ...]) -> tuple[Cause, ...]:
    total = sum(score for _, score, _ in ranked)
    if total <= 0:
        return ()
    shares = sorted(
        ((cid, score / total, why) for cid, score, why in ranked),
        key=lambda t: (-round(t[1], 12), t[0].startswith("WX"), t[0]),
    )
    causes: list[Cause] = []
    for cid, share, why in shares:
        rank = 1 + sum(1 for _, other, _ in shares if round(other, 12) > round(share, 12))
        if cid in _RULES_BY_ID:
            r = _RULES_BY_ID[cid]
            causes.append(
                Cause(
                    id=cid,
                    title=r.title,
                    kind="rule",
                    side=r.side,
                    stage=r.stage,
                    failures=(r.failure,),
                    likelihood=share,
                    rank=rank,
                    evidence=_RULE_EVIDENCE.get(cid, ()),
                    fix=r.explanation,
                    rules=(cid,),
                    sources=r.sources,
                    reasoning=why,
                )
            )
        else:
            x = EXTERNAL_CAUSES[cid]
            causes.append(
                Cause(
                    id=cid,
                    title=x.title,
                    kind="external",
                    side=x.side,
                    stage=x.stages[0] if len(x.stages) == 1 else None,
                    failures=tuple(x.codes),
                    likelihood=share,
                    rank=rank,
                    evidence=x.evidence,
                    fix=x.fix,
                    rules=("WR402",) if cid == "WX08" else (),
                    sources=x.sources,
                    reasoning=why,
                )
            )
    return tuple(causes)


# -- observations from a live check ------------------------------------------------------------


@attrs.frozen(kw_only=True)
class Observed:
    """What a live check (:mod:`wmireach.probe`) saw fail: the raw code, the stage, what it
    learned about the scenario, and the causes the observation itself points to (as an event
    does, e.g. WX03 when the target advertises no reachable address).

    >>> diagnose(Observed(code=0x80041003, stage=Stage.NAMESPACE_LOGIN)).causes[0].id
    'WR601'
    """

    code: int
    stage: Stage | None = None
    #: Fields of :data:`KNOWN_FIELDS` the check learned (target_os, trust, account...).
    known: Mapping[str, object] = attrs.field(factory=dict)
    causes: frozenset[str] = frozenset()
    note: str = ""


@runtime_checkable
class Observation(Protocol):
    """Anything that can say what it saw fail (a :class:`~wmireach.probe.ProbeReport`)."""

    def observed_failure(self) -> Observed | None:
        """The failure seen, or ``None`` when everything passed."""
        ...


def _summary(
    codes: list[HResult], stage: Stage | None, causes: tuple[Cause, ...], events: tuple[Event, ...]
) -> str:
    main = codes[0] if codes else None
    if not causes:
        if main is None:
            return "not a remote-WMI failure: no code and no known event in the text"
        name = main.name or f"{main.hex} (a code no table knows)"
        message = f": {main.message}" if main.message else ""
        return f"not a remote-WMI failure; this is {name}{message}"
    top = causes[0]
    if main is not None:
        head = f"{main.hex} {main.name or ''}".rstrip()
    else:
        head = "event " + ", ".join(str(e.id) for e in events)
    at = f" at {stage.value}" if stage is not None else ""
    tied = [c.id for c in causes if c.rank == 1]
    lead = " or ".join(tied) if len(tied) > 1 else top.id
    return f"{head}{at}: most likely {lead} ({top.likelihood:.0%}): {top.title}"


def diagnose(
    failure: object,
    *,
    scenario: Scenario | None = None,
    stage: Stage | str | None = None,
    client_state: HostState | None = None,
    target_state: HostState | None = None,
    **known: object,
) -> Diagnosis:
    """Rank the causes of a remote WMI failure from the error and whatever else is known.

    ``failure`` is anything :func:`~wmireach.hresult.decode` accepts, including a whole pasted
    message or log (every code in it is used, and events named in it too). ``known`` may hold
    any of :data:`KNOWN_FIELDS`; what is not given ranges over every value the scenario matrix
    has. ``scenario`` gives the whole call instead. With ``scenario``, the computers' settings
    (``client_state``, ``target_state``: from an inventory, a probe or a test) settle what the
    scenario alone cannot: a requirement a given state meets is ruled out, and one it does not
    meet is confirmed. Raises
    :class:`~wmireach.errors.InvalidCode` when the input holds no code, known message or
    event, and :class:`~wmireach.errors.ScenarioError` for impossible context.

    >>> diagnose("0x80070005", account="domain-user", trust="same-domain").causes[0].id
    'WR404'
    >>> d = diagnose("0x80070005", client_os="linux", target_os="server2019",
    ...              client_auth_level="connect", patched=True)
    >>> d.causes[0].id
    'WR402'

    With the whole scenario, each configuration cause carries the plan steps that fix it:

    >>> from wmireach.model import _example
    >>> d = diagnose("0x800706BA", scenario=_example(), stage="tcp-135")
    >>> top = d.causes[0]
    >>> top.id, len(top.steps)
    ('WR101', 1)
    >>> print(top.steps[0].title)
    Admit TCP 135 (RPC endpoint mapper) on Computer B's firewall (domain profile)
    """
    observed_causes: frozenset[str] = frozenset()
    if not isinstance(failure, (str, int, bytes, HResult)) and isinstance(
        failure, (Observed, Observation)
    ):
        seen = failure if isinstance(failure, Observed) else failure.observed_failure()
        if seen is None:
            raise ScenarioError(
                "the live check saw no failure to diagnose (every stage passed, or the target "
                "was malformed)"
            )
        failure, observed_causes = HResult(seen.code), seen.causes
        stage = stage if stage is not None else seen.stage
        if scenario is None:
            known = {**{k: v for k, v in seen.known.items() if k in KNOWN_FIELDS}, **known}
    unknown = sorted(set(known) - set(KNOWN_FIELDS))
    if unknown:
        raise TypeError(f"diagnose() got unknown fields {unknown}; known: {list(KNOWN_FIELDS)}")
    if scenario is not None and _SCENARIO_FIELDS & set(known):
        given = sorted(_SCENARIO_FIELDS & set(known))
        raise ScenarioError(f"give either scenario or {given}, not both")
    stage_value: Stage | None = None
    if stage is not None:
        stage_value = stage if isinstance(stage, Stage) else _enum_stage(stage)
    codes, text = _read_codes(failure)
    if text is not None and not any(c.value in _KNOWN_CODES for c in codes):
        lowered_text = text.casefold()
        for phrase, value in _SHORT_MESSAGES:
            if phrase in lowered_text and all(c.value != value for c in codes):
                codes.insert(0, HResult(value))
    events = _events(known, text)
    lowered = text.casefold() if text else ""
    phrase_causes = frozenset(
        cid for phrases, cid, _ in _PHRASES if all(p in lowered for p in phrases)
    )
    phrase_causes |= observed_causes
    other = _other_interface(lowered) if scenario is None and not observed_causes else None
    if other is not None:
        shown_code = " ".join(filter(None, (codes[0].hex, codes[0].name))) if codes else ""
        return Diagnosis(
            codes=tuple(codes),
            stage=stage_value,
            known=tuple((k, str(v)) for k, v in known.items() if v is not None),
            events=events,
            causes=(),
            explained=False,
            summary=f"not a remote-WMI failure; this is {other}"
            + (f" ({shown_code})" if shown_code else ""),
            scenarios=0,
        )
    if not codes and not events and not phrase_causes:
        raise InvalidCode(
            f"cannot diagnose {failure!r}: it holds no code, known message or event",
            given=failure,
        )
    observed = [c.value for c in codes]
    for e in events:
        observed.extend(e.codes)
    if stage_value is None and "stringbinding" in lowered:
        # impacket prints B's string bindings from the activation reply before it connects to
        # one: the endpoint mapper and activation passed, the WMI port is next (facts §9.1 [S86]).
        stage_value = Stage.WMI_PORT
    if stage_value is None and not codes and events:
        stages = {e.stage for e in events if e.stage is not None}
        stage_value = stages.pop() if len(stages) == 1 else None
    if scenario is not None:
        weighted: tuple[tuple[Scenario, float], ...] = ((canonical(scenario), 1.0),)
        considered = 1
    else:
        ctx = _context(known)
        weighted = _weighted(ctx)
        considered = sum(n for _, n in _count(ctx))
    event_causes = frozenset(c for e in events for c in e.causes) | observed_causes
    ranked = _rank(
        weighted,
        frozenset(observed),
        stage_value,
        event_causes,
        _flag(known, "works_locally"),
        _flag(known, "works_with_other_account"),
        phrase_causes,
    )
    ruled_out: tuple[str, ...] = ()
    if client_state is not None or target_state is not None:
        if scenario is None:
            raise ScenarioError("client_state and target_state need the whole scenario")
        ranked, ruled_out = _apply_states(ranked, scenario, client_state, target_state)
    causes = _build_causes(ranked)
    if scenario is not None:
        causes = _with_steps(causes, scenario, client_state, target_state)
    shown = tuple((k, str(v)) for k, v in known.items() if v is not None)
    return Diagnosis(
        codes=tuple(codes),
        stage=stage_value,
        known=shown,
        events=events,
        causes=causes,
        explained=bool(causes),
        summary=_summary(codes, stage_value, causes, events),
        scenarios=considered,
        ruled_out=ruled_out,
    )


@functools.lru_cache(maxsize=1024)
def _plan_steps(
    scenario: Scenario, client_state: HostState | None, target_state: HostState | None
) -> tuple[Step, ...]:
    # plan() is deterministic in its (frozen, hashable) arguments: diagnoses of one scenario
    # share its plan.
    return plan(scenario, client_state=client_state, target_state=target_state).steps


def _with_steps(
    causes: tuple[Cause, ...],
    scenario: Scenario,
    client_state: HostState | None,
    target_state: HostState | None,
) -> tuple[Cause, ...]:
    """Attach to each configuration cause the steps of the scenario's plan that meet its rule.

    The plan is built against the given states (the releases' defaults otherwise), so a
    requirement those states already meet has no step.
    """
    if not any(c.kind == "rule" for c in causes):
        return causes
    try:
        steps = _plan_steps(scenario, client_state, target_state)
    except ScenarioError:  # a scenario the plan builder refuses still gets its diagnosis
        return causes
    return tuple(
        attrs.evolve(c, steps=tuple(st for st in steps if c.id in st.rules))
        if c.kind == "rule"
        else c
        for c in causes
    )


#: How much a requirement the given host state does not meet outweighs one it cannot judge.
STATE_CONFIRMS: Final = 100.0


def _apply_states(
    ranked: tuple[tuple[str, float, tuple[str, ...]], ...],
    scenario: Scenario,
    client_state: HostState | None,
    target_state: HostState | None,
) -> tuple[tuple[tuple[str, float, tuple[str, ...]], ...], tuple[str, ...]]:
    """Rule out requirements the given states meet; confirm the ones they do not."""
    states = {Side.CLIENT: client_state, Side.TARGET: target_state}
    kept: list[tuple[str, float, tuple[str, ...]]] = []
    ruled_out: list[str] = []
    for cause_id, score, why in ranked:
        r = _RULES_BY_ID.get(cause_id)
        state = states[r.side] if r is not None else None
        if r is None or state is None or not r.applies(scenario):
            kept.append((cause_id, score, why))
        elif r.met(scenario, state):
            ruled_out.append(cause_id)
        else:
            note = f"the given {r.side.value} state does not meet it: x{STATE_CONFIRMS:g}"
            kept.append((cause_id, score * STATE_CONFIRMS, (*why, note)))
    return tuple(kept), tuple(ruled_out)


def _count(ctx: _Context) -> tuple[tuple[Scenario, int], ...]:
    return consistent_scenarios(
        client=ctx.client,
        target=ctx.target,
        trust=ctx.trust,
        account=ctx.account,
        call_mode=ctx.call_mode,
        patched=ctx.patched,
    )


def _enum_stage(value: str) -> Stage:
    try:
        return Stage(value.strip().casefold().replace("_", "-"))
    except ValueError:
        choices = ", ".join(s.value for s in Stage)
        raise ScenarioError(f"stage {value!r} is not one of: {choices}") from None
