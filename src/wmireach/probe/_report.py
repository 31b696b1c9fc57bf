"""The values of a probe: targets, credentials, budgets, stage results and the report.

Owns: :class:`Target` and :func:`parse_target`, :class:`Credentials` (whose secrets never
reach a repr, a str, a log or JSON), :class:`Budget`, :class:`StageStatus`,
:class:`StageResult`, :class:`ProbeReport` and what a report tells the core: the scenario facts
(target release from the NTLM build, membership) and the observation
:func:`wmireach.diagnose` reads.

Must not: do I/O (the runner does).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any, Final

import attrs

from wmireach.diagnosis import Observed
from wmireach.drawing import StageStatus
from wmireach.errors import WmiReachError
from wmireach.hresult import HResult, decode
from wmireach.model import AccountKind, AuthLevel, Computer, Membership, Stage
from wmireach.windows import RELEASES, Release

__all__ = [
    "PROBE_STAGES",
    "Budget",
    "Credentials",
    "InvalidTarget",
    "ProbeReport",
    "StageResult",
    "StageStatus",
    "Target",
    "parse_target",
]

#: The stages a probe can run, in order (the callback of async calls is not probed).
PROBE_STAGES: Final = tuple(s for s in Stage if s is not Stage.CALLBACK)
#: What Windows clients report when a TCP connection is refused or times out (facts §9.1).
RPC_S_SERVER_UNAVAILABLE: Final = 0x800706BA


class InvalidTarget(WmiReachError, ValueError):
    """A target that is not ``host``, ``host:port``, ``[v6]`` or ``[v6]:port``.

    >>> parse_target("b.corp:70000")
    Traceback (most recent call last):
    ...
    wmireach.probe._report.InvalidTarget: target 'b.corp:70000': port 70000 is out of range 1-65535
    """


_LABEL: Final = re.compile(r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)")


@attrs.frozen(kw_only=True)
class Target:
    """Where to probe: a host name or address, and the endpoint-mapper port (135).

    >>> parse_target("[fe80::1]:1135")
    Target(host='fe80::1', port=1135)
    """

    host: str
    port: int = 135

    def __attrs_post_init__(self) -> None:
        if not 1 <= self.port <= 65535:
            raise InvalidTarget(f"target {self.host!r}: port {self.port} is out of range 1-65535")
        if not self.host.strip() or any(c.isspace() for c in self.host):
            raise InvalidTarget(f"target {self.host!r}: give a host name or address")

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == 135 else f"{host}:{self.port}"

    @property
    def is_address(self) -> bool:
        """True for an IP literal (no name to resolve)."""
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True


def parse_target(text: str | Target) -> Target:
    """Read ``host``, ``host:port``, ``[v6]``, ``[v6]:port`` or a bare IPv6 address.

    Raises :class:`InvalidTarget` naming what is wrong and what is accepted.

    >>> parse_target("10.0.0.5:13500").port
    13500
    >>> parse_target(" ")
    Traceback (most recent call last):
    ...
    wmireach.probe._report.InvalidTarget: target ' ': empty; give a host name or address, ...
    """
    if isinstance(text, Target):
        return text
    given = text
    text = text.strip()

    def bad(why: str) -> InvalidTarget:
        return InvalidTarget(f"target {given!r}: {why}")

    if not text:
        raise bad("empty; give a host name or address, optionally :port")
    host, port_text = text, None
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise bad("'[' without ']'; write IPv6 addresses as [addr] or [addr]:port")
        host, rest = text[1:end], text[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise bad(f"unexpected {rest!r} after ']'")
            port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    port = 135
    if port_text is not None:
        if not port_text.isdigit():
            raise bad(f"port {port_text!r} is not a number")
        port = int(port_text)
        if not 1 <= port <= 65535:
            raise bad(f"port {port} is out of range 1-65535")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if ":" in host:
            raise bad(f"{host!r} is not an IPv6 address") from None
        name = host.rstrip(".")
        if len(name) > 253 or not name or not all(_LABEL.fullmatch(p) for p in name.split(".")):
            raise bad(
                f"{host!r} is not a host name (letters, digits, '-' and '_' in dot-separated "
                "labels) or an IP address"
            ) from None
    return Target(host=host, port=port)


class _Secret:
    """A string that never shows itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "<hidden>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[Any, tuple[str]]:  # process pools pickle it
        return (_Secret, (self._value,))


_HEX32: Final = re.compile(r"[0-9a-fA-F]{32}")


@attrs.frozen(kw_only=True, repr=False)
class Credentials:
    """Who the probe logs on as: a password or an NT hash (never shown, logged or serialized).

    ``account`` optionally says what kind of account it is on the target (local admin, domain
    user...): the diagnosis uses it.

    >>> c = Credentials.with_password("wmiuser", "s3cret", domain="B")
    >>> c
    Credentials(user='wmiuser', domain='B', secret=<hidden>)
    >>> "s3cret" in repr(c) + str(c)
    False
    >>> Credentials.with_hashes("wmiuser", "nothex")
    Traceback (most recent call last):
    ...
    wmireach.probe._report.InvalidTarget: NT hash must be 32 hex digits, optionally as LMHASH:NTHASH
    """

    user: str
    domain: str = ""
    _password: _Secret = attrs.field(alias="password", factory=lambda: _Secret(""))
    _nthash: _Secret = attrs.field(alias="nthash", factory=lambda: _Secret(""))
    account: AccountKind | None = None

    @classmethod
    def with_password(
        cls, user: str, password: str, *, domain: str = "", account: AccountKind | None = None
    ) -> Credentials:
        """A user name and password (``DOMAIN\\user`` also sets the domain)."""
        user, domain = _split_user(user, domain)
        return cls(user=user, domain=domain, password=_Secret(password), account=account)

    @classmethod
    def with_hashes(
        cls, user: str, hashes: str, *, domain: str = "", account: AccountKind | None = None
    ) -> Credentials:
        """A user name and NT hash, as ``NTHASH`` or impacket's ``LMHASH:NTHASH``."""
        user, domain = _split_user(user, domain)
        nthash = hashes.rpartition(":")[2].strip()
        if not _HEX32.fullmatch(nthash):
            raise InvalidTarget("NT hash must be 32 hex digits, optionally as LMHASH:NTHASH")
        return cls(user=user, domain=domain, nthash=_Secret(nthash.lower()), account=account)

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r}, domain={self.domain!r}, secret=<hidden>)"

    __str__ = __repr__

    def secrets(self) -> tuple[str, str]:
        """(password, NT hash): for the NTLM logon only."""
        return self._password.reveal(), self._nthash.reveal()


def _split_user(user: str, domain: str) -> tuple[str, str]:
    if "\\" in user and not domain:
        domain, _, user = user.partition("\\")
    if not user.strip():
        raise InvalidTarget("user name must not be blank")
    return user, domain


def _positive(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value > 0:
        raise InvalidTarget(f"budget {attribute.name} must be > 0 seconds, not {value!r}")


@attrs.frozen(kw_only=True)
class Budget:
    """Time limits in seconds: each TCP connect, each RPC exchange, and the whole host.

    >>> Budget(connect=2).host
    20.0
    """

    connect: float = attrs.field(default=2.0, converter=float, validator=_positive)
    stage: float = attrs.field(default=5.0, converter=float, validator=_positive)
    host: float = attrs.field(default=20.0, converter=float, validator=_positive)


@attrs.frozen(kw_only=True)
class StageResult:
    """One stage: how it ended, how long it took, the code it failed with, what it learned."""

    stage: Stage
    status: StageStatus
    #: Seconds spent in the stage.
    elapsed: float = 0.0
    #: The code the stage failed with, decoded from the raw status (``None`` when it passed,
    #: was skipped, or timed out on an RPC exchange that never answered).
    hresult: HResult | None = None
    #: What happened, in a sentence: the reason for a skip, the peer's answer for a failure.
    detail: str = ""
    #: What the stage learned (addresses, names, build, bindings), as text pairs.
    facts: tuple[tuple[str, str], ...] = ()

    def fact(self, name: str) -> str | None:
        """The fact ``name``, or ``None``."""
        return next((v for k, v in self.facts if k == name), None)


@attrs.frozen(kw_only=True)
class ProbeReport:
    """Everything one probe learned about one target, stage by stage.

    ``results`` has one entry per stage in :data:`PROBE_STAGES` order, up to the last stage
    asked for.
    """

    target: str
    #: The address the probe connected to (``None`` when the name did not resolve).
    address: str | None
    port: int
    results: tuple[StageResult, ...]
    #: The server's NTLM identity (names, domain or workgroup, OS build), if it answered.
    identity: tuple[tuple[str, str], ...] = ()
    auth_level: AuthLevel = AuthLevel.PKT_PRIVACY
    account: AccountKind | None = None
    elapsed: float = 0.0
    #: Set when the target itself is malformed; then no stage ran.
    error: str | None = None

    @property
    def passed(self) -> bool:
        """True when every stage that ran passed."""
        return self.failure is None and self.error is None

    @property
    def failure(self) -> StageResult | None:
        """The first stage that failed or timed out."""
        return next(
            (r for r in self.results if r.status in (StageStatus.FAILED, StageStatus.TIMED_OUT)),
            None,
        )

    @property
    def reached(self) -> Stage | None:
        """The last stage that passed."""
        passed = [r.stage for r in self.results if r.status is StageStatus.PASSED]
        return passed[-1] if passed else None

    def result(self, stage: Stage) -> StageResult | None:
        """The result of ``stage``, or ``None`` when it was not run."""
        return next((r for r in self.results if r.stage is stage), None)

    def _identity(self, name: str) -> str | None:
        return next((v for k, v in self.identity if k == name), None)

    @property
    def build(self) -> int | None:
        """The OS build number from the NTLM challenge."""
        build = self._identity("build")
        return None if build is None else int(build)

    @property
    def releases(self) -> tuple[Release, ...]:
        """The releases the build number fits (a client and a server may share one)."""
        build = self.build
        return () if build is None else tuple(r for r in RELEASES if build in r.builds)

    @property
    def membership(self) -> Membership | None:
        """Domain or workgroup, from the names in the NTLM challenge."""
        domain = self._identity("netbios-domain")
        name = self._identity("netbios-name")
        if domain is None or name is None:
            return None
        if domain.casefold() == name.casefold():
            # A workgroup host names itself as its NTLM domain; the workgroup's own name is
            # not in the challenge.
            return Membership.workgroup()
        return Membership.domain(self._identity("dns-domain") or domain)

    @property
    def nat(self) -> bool | None:
        """True when the server advertises none of the addresses the probe reached it on."""
        result = self.result(Stage.WMI_PORT)
        verdict = None if result is None else result.fact("advertised-reachable")
        return None if verdict is None else verdict == "no"

    def target_computer(self) -> Computer | None:
        """Computer B as the model sees it, when the probe learned its release and membership.

        ``None`` when the build is unknown or names more than one release (a client and a
        server share 14393, 17763 and 26100), or the membership is unknown.
        """
        membership = self.membership
        if len(self.releases) != 1 or membership is None:
            return None
        name = self._identity("netbios-name") or self.target
        return Computer(
            name=name, release=self.releases[0], membership=membership, address=self.address
        )

    def scenario_facts(self) -> dict[str, object]:
        """The diagnosis fields (:data:`wmireach.diagnosis.KNOWN_FIELDS`) the probe learned.

        The target release only when the build names exactly one release; trust ``workgroup``
        when the target is in a workgroup; the account kind when the credentials said it.
        """
        facts: dict[str, object] = {"client_auth_level": self.auth_level.value}
        if len(self.releases) == 1:
            facts["target_os"] = self.releases[0].identifier
        membership = self.membership
        if membership is not None and not membership.is_domain:
            facts["trust"] = "workgroup"
        if self.account is not None:
            facts["account"] = self.account.value
        return facts

    def observed_failure(self) -> Observed | None:
        """What :func:`wmireach.diagnose` reads: the first failure, or the NAT verdict.

        A target that advertises no address the client can reach passes every stage here (the
        probe connects to the address it was given) but fails for clients that follow the
        advertised bindings, with RPC_S_SERVER_UNAVAILABLE at the WMI port (facts §9.1 [S86]).
        """
        failure = self.failure
        if self.error is not None:
            return None
        if failure is not None:
            code = failure.hresult
            if code is None:
                # A stall: the peer took the call and never answered. Windows clients give up
                # with RPC_S_CALL_FAILED (facts §9.1).
                code = decode(
                    RPC_S_SERVER_UNAVAILABLE
                    if failure.stage in (Stage.TCP_135, Stage.WMI_PORT)
                    else 0x800706BE
                )
            return Observed(
                code=code.value,
                stage=failure.stage,
                known=self.scenario_facts(),
                note=failure.detail,
            )
        if self.nat:
            return Observed(
                code=RPC_S_SERVER_UNAVAILABLE,
                stage=Stage.WMI_PORT,
                known=self.scenario_facts(),
                causes=frozenset({"WX03"}),
                note="the target advertises no address this client reached it on",
            )
        return None

    def _repr_html_(self) -> str:
        """The notebook display: the target, the server's identity, each stage coloured by how
        it ended, and the connection diagram (no secrets: the report never holds any)."""
        from wmireach.probe._display import report_html

        return report_html(self)

    def diagram(self) -> str:
        """The connection diagram of this report as SVG text: the stages coloured by how they
        ended, the failed one marked with its code, and Computer B as the probe saw it."""
        from wmireach.probe._display import report_svg

        return report_svg(self)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON-ready data (no secrets: the report never holds any)."""
        from wmireach.convert import hresult_to_json

        def stage(r: StageResult) -> dict[str, Any]:
            return {
                "stage": r.stage.value,
                "status": r.status.value,
                "elapsed": round(r.elapsed, 4),
                "hresult": None if r.hresult is None else hresult_to_json(r.hresult),
                "detail": r.detail,
                "facts": dict(r.facts),
            }

        failure = self.failure
        return {
            "target": self.target,
            "address": self.address,
            "port": self.port,
            "passed": self.passed,
            "reached": None if self.reached is None else self.reached.value,
            "failed_at": None if failure is None else failure.stage.value,
            "error": self.error,
            "elapsed": round(self.elapsed, 4),
            "auth_level": self.auth_level.value,
            "identity": dict(self.identity),
            "scenario_facts": self.scenario_facts(),
            "stages": [stage(r) for r in self.results],
        }


def facts_of(mapping: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """Text pairs from a mapping, dropping ``None`` values."""
    return tuple((k, str(v)) for k, v in mapping.items() if v is not None)
