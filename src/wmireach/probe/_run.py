"""The stages of one probe, run in order against one target under a time budget.

Owns: :func:`run_probe` (one target, asyncio) and the translation of every foreign outcome
(socket errors, timeouts, RPC faults, ORPC codes) into a :class:`StageResult`. Each call builds
its own connections and keys: nothing is shared between targets.

Must not: raise for anything the network does (a failure is a result), or keep a secret in a
result, a log or an exception message.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import time
from collections.abc import Awaitable, Callable
from typing import Final, TypeVar

from impacket.dcerpc.v5 import rpcrt
from impacket.dcerpc.v5.dcom import wmi

from wmireach.hresult import decode
from wmireach.model import AuthLevel, Stage
from wmireach.probe import _dcom
from wmireach.probe._report import (
    PROBE_STAGES,
    RPC_S_SERVER_UNAVAILABLE,
    Budget,
    Credentials,
    InvalidTarget,
    ProbeReport,
    StageResult,
    StageStatus,
    Target,
    facts_of,
    parse_target,
)
from wmireach.probe._rpc import Fault, NtlmIdentity, RpcConnection

__all__ = ["DEFAULT_QUERY", "run_probe"]

#: The trivial semisynchronous query of the last stage.
DEFAULT_QUERY: Final = "SELECT Name FROM Win32_OperatingSystem"
#: WSAHOST_NOT_FOUND as an HRESULT: what Windows reports for a name that does not resolve.
_HOST_NOT_FOUND: Final = 0x80072AF9
_RPC_ACCESS_DENIED: Final = 0x00000005
#: RPC_S_PROTOCOL_ERROR: an answer the probe cannot read.
_PROTOCOL_ERROR: Final = 0x800706C0

T = TypeVar("T")


class _Stop(Exception):
    pass


class _Run:
    """One probe in progress: the clock, the budget and the results so far."""

    def __init__(self, target: Target, budget: Budget, last: Stage) -> None:
        self.target = target
        self.budget = budget
        self.last = last
        self.started = time.monotonic()
        self.results: list[StageResult] = []
        self.address: str | None = None
        self.identity: dict[str, object] = {}

    def remaining(self) -> float:
        return self.budget.host - (time.monotonic() - self.started)

    def record(self, result: StageResult) -> None:
        self.results.append(result)

    async def stage(
        self,
        stage: Stage,
        limit: float,
        work: Callable[[], Awaitable[T]],
        *,
        on_timeout: int | None = None,
    ) -> tuple[T, float]:
        """Run ``work`` within ``limit`` and the host budget; a timeout records and stops."""
        remaining = self.remaining()
        allowed = min(limit, remaining)
        began = time.monotonic()
        if allowed <= 0:
            self.record(
                StageResult(
                    stage=stage,
                    status=StageStatus.TIMED_OUT,
                    detail=f"the host budget of {self.budget.host:g} s was spent before it",
                    hresult=None if on_timeout is None else decode(on_timeout),
                )
            )
            raise _Stop
        try:
            value = await asyncio.wait_for(work(), allowed)
        except asyncio.TimeoutError:
            which = "host budget" if remaining < limit else "stage timeout"
            self.record(
                StageResult(
                    stage=stage,
                    status=StageStatus.TIMED_OUT,
                    elapsed=time.monotonic() - began,
                    detail=f"no answer within {allowed:.3g} s ({which}): filtered (DROP) or "
                    "a peer that stalls",
                    hresult=None if on_timeout is None else decode(on_timeout),
                )
            )
            raise _Stop from None
        return value, time.monotonic() - began

    def fail(
        self, stage: Stage, elapsed: float, code: int | None, detail: str, **facts: object
    ) -> _Stop:
        self.record(
            StageResult(
                stage=stage,
                status=StageStatus.FAILED,
                elapsed=elapsed,
                hresult=None if code is None else decode(code),
                detail=detail,
                facts=facts_of(facts),
            )
        )
        return _Stop()

    def passed(self, stage: Stage, elapsed: float, detail: str = "", **facts: object) -> None:
        self.record(
            StageResult(
                stage=stage,
                status=StageStatus.PASSED,
                elapsed=elapsed,
                detail=detail,
                facts=facts_of(facts),
            )
        )


def _socket_code(exc: OSError) -> tuple[int, str]:
    if exc.errno == errno.ECONNREFUSED:
        return RPC_S_SERVER_UNAVAILABLE, "connection refused (a firewall REJECT, or no listener)"
    if exc.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return RPC_S_SERVER_UNAVAILABLE, f"no route to the host ({exc.strerror})"
    return RPC_S_SERVER_UNAVAILABLE, f"connection failed: {exc.strerror or exc}"


def _closed(run: _Run, stage: Stage, exc: BaseException) -> _Stop:
    """The peer dropped the connection mid-exchange: RPC_S_CALL_FAILED, as Windows reports."""
    return run.fail(
        stage, 0.0, 0x800706BE, f"the peer closed the connection ({type(exc).__name__})"
    )


def _fault_text(fault: Fault) -> str:
    name = decode(fault.status).name or f"0x{fault.status:08x}"
    return f"{fault.where}: {name}"


async def _connect(run: _Run, stage: Stage, port: int) -> tuple[RpcConnection, float]:
    address = run.address
    assert address is not None
    try:
        return await run.stage(
            stage,
            run.budget.connect,
            lambda: RpcConnection.open(address, port),
            on_timeout=RPC_S_SERVER_UNAVAILABLE,
        )
    except OSError as exc:
        code, detail = _socket_code(exc)
        raise run.fail(stage, 0.0, code, f"TCP {address}:{port}: {detail}") from None


async def _resolve(run: _Run) -> None:
    target = run.target
    if target.is_address:
        run.address = target.host
        run.passed(Stage.RESOLVE_NAME, 0.0, "an address: nothing to resolve", address=target.host)
        return
    loop = asyncio.get_running_loop()
    try:
        infos, elapsed = await run.stage(
            Stage.RESOLVE_NAME,
            run.budget.stage,
            lambda: loop.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM),
            on_timeout=_HOST_NOT_FOUND,
        )
    except socket.gaierror as exc:
        raise run.fail(
            Stage.RESOLVE_NAME, 0.0, _HOST_NOT_FOUND, f"{target.host!r} does not resolve: {exc}"
        ) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    # Prefer IPv4: DCOM string bindings of most hosts list IPv4 first.
    addresses.sort(key=lambda a: ":" in a)
    run.address = addresses[0]
    run.passed(
        Stage.RESOLVE_NAME, elapsed, f"resolves to {', '.join(addresses)}", address=run.address
    )


async def _endpoint_mapper(run: _Run, epm: RpcConnection) -> list[str]:
    async def alive() -> bytes:
        await epm.bind(_dcom.IID_IOBJECT_EXPORTER)
        return await epm.request(5, _dcom.server_alive2())

    try:
        stub, elapsed = await run.stage(Stage.ENDPOINT_MAPPER, run.budget.stage, alive)
    except Fault as fault:
        raise run.fail(Stage.ENDPOINT_MAPPER, 0.0, fault.status, _fault_text(fault)) from None
    except (OSError, asyncio.IncompleteReadError) as exc:
        raise run.fail(
            Stage.ENDPOINT_MAPPER,
            0.0,
            0x800706BE,
            f"the endpoint mapper closed the connection ({type(exc).__name__})",
        ) from None
    finally:
        await epm.close()
    bindings = _dcom.read_bindings(stub)
    addresses = [b.address for b in bindings if b.tower == _dcom.TOWER_TCP]
    run.passed(
        Stage.ENDPOINT_MAPPER,
        elapsed,
        "anonymous ServerAlive2 answered",
        advertised=", ".join(addresses),
    )
    return addresses


def _identity_facts(run: _Run, challenge: bytes) -> None:
    fp = _dcom.fingerprint(challenge)
    run.identity.update(
        {
            "netbios-name": fp.netbios_name,
            "netbios-domain": fp.netbios_domain,
            "dns-name": fp.dns_name,
            "dns-domain": fp.dns_domain,
            "dns-forest": fp.dns_forest,
            "version": fp.version,
            "build": fp.build,
            "membership": None
            if fp.workgroup is None
            else ("workgroup" if fp.workgroup else "domain"),
        }
    )


async def _fingerprint_only(run: _Run, port: int) -> None:
    """Without credentials: a bind that stops after the NTLM CHALLENGE (pre-auth facts)."""
    conn, _ = await _connect(run, Stage.AUTHENTICATE, port)
    identity = NtlmIdentity("", "", "", "")
    seen: list[bytes] = []

    async def challenge() -> None:
        with contextlib.suppress(_Challenged):
            await conn.bind(
                _dcom.IID_IREMOTE_SCM_ACTIVATOR,
                identity=identity,
                auth_level=rpcrt.RPC_C_AUTHN_LEVEL_CONNECT,
                on_challenge=_stop_after(seen),
            )

    try:
        _, elapsed = await run.stage(Stage.AUTHENTICATE, run.budget.stage, challenge)
    except Fault as fault:
        raise run.fail(Stage.AUTHENTICATE, 0.0, fault.status, _fault_text(fault)) from None
    except (OSError, asyncio.IncompleteReadError) as exc:
        raise _closed(run, Stage.AUTHENTICATE, exc) from None
    finally:
        await conn.close()
    if seen:
        _identity_facts(run, seen[0])
    run.record(
        StageResult(
            stage=Stage.AUTHENTICATE,
            status=StageStatus.SKIPPED,
            elapsed=elapsed,
            detail="no credentials: the NTLM challenge was read (pre-auth fingerprint), "
            "no logon was tried",
            facts=facts_of(run.identity),
        )
    )
    raise _Stop


class _Challenged(Exception):
    pass


def _stop_after(seen: list[bytes]) -> Callable[[bytes], None]:
    def keep(challenge: bytes) -> None:
        seen.append(challenge)
        raise _Challenged

    return keep


def _identity(credentials: Credentials) -> NtlmIdentity:
    password, nthash = credentials.secrets()
    return NtlmIdentity(credentials.user, credentials.domain, password, nthash)


async def _authenticated(
    run: _Run, conn: RpcConnection, iface: bytes, identity: NtlmIdentity, level: int
) -> None:
    seen: list[bytes] = []
    await conn.bind(iface, identity=identity, auth_level=level, on_challenge=seen.append)
    if seen:
        _identity_facts(run, seen[0])


async def _activate(
    run: _Run, credentials: Credentials, level: int
) -> tuple[_dcom.Activation, float]:
    conn, _ = await _connect(run, Stage.AUTHENTICATE, run.target.port)
    identity = _identity(credentials)
    try:
        try:
            _, auth_elapsed = await run.stage(
                Stage.AUTHENTICATE,
                run.budget.stage,
                lambda: _authenticated(run, conn, _dcom.IID_IREMOTE_SCM_ACTIVATOR, identity, level),
            )
        except Fault as fault:
            raise run.fail(Stage.AUTHENTICATE, 0.0, fault.status, _fault_text(fault)) from None
        except (OSError, asyncio.IncompleteReadError) as exc:
            raise _closed(run, Stage.AUTHENTICATE, exc) from None
        request = _dcom.remote_create_instance(wmi.CLSID_WbemLevel1Login, wmi.IID_IWbemLevel1Login)
        try:
            stub, elapsed = await run.stage(
                Stage.DCOM_ACTIVATION,
                run.budget.stage,
                lambda: conn.request(4, request),
            )
        except Fault as fault:
            if fault.status == _RPC_ACCESS_DENIED:
                # The logon is checked on the first call after AUTH3 (MS-RPCE 3.3.1.5.2.2):
                # rpc_s_access_denied there is the logon failing, not the activation.
                raise run.fail(
                    Stage.AUTHENTICATE,
                    auth_elapsed,
                    fault.status,
                    "the server refused the NTLM logon (rpc_s_access_denied on the first "
                    "call): wrong user, password or domain, or the account may not log on",
                    **run.identity,
                ) from None
            run.passed(Stage.AUTHENTICATE, auth_elapsed, "NTLM logon accepted", **run.identity)
            raise run.fail(Stage.DCOM_ACTIVATION, 0.0, fault.status, _fault_text(fault)) from None
        except (OSError, asyncio.IncompleteReadError) as exc:
            raise run.fail(
                Stage.AUTHENTICATE,
                auth_elapsed,
                0x800706BE,
                f"the server closed the connection after the logon ({type(exc).__name__})",
            ) from None
        except _Stop:
            # The activation timed out: the logon itself was accepted (no fault came back).
            timed_out = run.results.pop()
            run.passed(Stage.AUTHENTICATE, auth_elapsed, "NTLM logon sent", **run.identity)
            run.record(timed_out)
            raise
    finally:
        await conn.close()
    run.passed(Stage.AUTHENTICATE, auth_elapsed, "NTLM logon accepted", **run.identity)
    return _dcom.read_activation(stub), elapsed


async def _reachable(address: str, port: int, timeout: float) -> bool:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(address, port), timeout)
    except (OSError, asyncio.TimeoutError):
        return False
    writer.close()
    return True


async def _wmi_port(
    run: _Run, activation: _dcom.Activation, advertised_epm: list[str]
) -> tuple[RpcConnection, int]:
    address = run.address
    assert address is not None
    tcp = [b for b in activation.bindings if b.tower == _dcom.TOWER_TCP and b.port is not None]
    if not tcp:
        raise run.fail(
            Stage.WMI_PORT,
            0.0,
            RPC_S_SERVER_UNAVAILABLE,
            "the activation named no ncacn_ip_tcp binding with a port",
        )
    port = tcp[0].port
    assert port is not None
    advertised = [b.address for b in tcp]
    used_is_advertised = any(a.casefold() == address.casefold() for a in advertised) or any(
        a.casefold() == run.target.host.casefold() for a in advertised
    )
    facts: dict[str, object] = {
        "port": port,
        "bindings": ", ".join(b.text for b in tcp),
        "address-used": address,
    }
    if not used_is_advertised:
        # Clients that follow the bindings (Windows, impacket) connect to these, not to the
        # address they were given; a NAT or multi-homed target hands out ones they cannot use.
        checks = [
            _reachable(a, port, min(run.budget.connect, max(run.remaining(), 0.01)))
            for a in dict.fromkeys(advertised)
        ]
        reachable = any(await asyncio.gather(*checks))
        facts["advertised-reachable"] = "yes" if reachable else "no"
        facts["verdict"] = (
            "the target advertises other addresses; some are reachable"
            if reachable
            else "NAT or multi-homed: no advertised address is reachable from here; clients "
            "that follow the bindings fail with RPC_S_SERVER_UNAVAILABLE"
        )
    conn, elapsed = await _connect(run, Stage.WMI_PORT, port)
    run.passed(Stage.WMI_PORT, elapsed, f"TCP {address}:{port} connected", **facts)
    return conn, port


async def _call_wmi(
    run: _Run, stage: Stage, call: Callable[[], Awaitable[bytes]]
) -> tuple[bytes, float]:
    try:
        return await run.stage(stage, run.budget.stage, call)
    except Fault as fault:
        raise run.fail(stage, 0.0, fault.status, _fault_text(fault)) from None
    except (OSError, asyncio.IncompleteReadError) as exc:
        raise run.fail(
            stage, 0.0, 0x800706BE, f"the WMI port closed the connection ({type(exc).__name__})"
        ) from None


async def _stages(
    run: _Run,
    credentials: Credentials | None,
    level: AuthLevel,
    namespace: str,
    query: str,
) -> None:
    await _resolve(run)
    if run.last is Stage.RESOLVE_NAME:
        return
    epm, elapsed = await _connect(run, Stage.TCP_135, run.target.port)
    run.passed(Stage.TCP_135, elapsed, f"TCP {run.address}:{run.target.port} connected")
    if run.last is Stage.TCP_135:
        await epm.close()
        return
    advertised = await _endpoint_mapper(run, epm)
    if run.last is Stage.ENDPOINT_MAPPER:
        return
    if credentials is None:
        await _fingerprint_only(run, run.target.port)
    assert credentials is not None
    activation, elapsed = await _activate(run, credentials, level.number)
    if activation.hresult != 0:
        raise run.fail(
            Stage.DCOM_ACTIVATION,
            elapsed,
            activation.hresult,
            "RemoteCreateInstance of WbemLevel1Login answered "
            + (decode(activation.hresult).name or f"0x{activation.hresult:08x}"),
        )
    run.passed(
        Stage.DCOM_ACTIVATION,
        elapsed,
        "WbemLevel1Login activated",
        bindings=", ".join(b.text for b in activation.bindings),
        auth_hint=activation.auth_hint,
    )
    if run.last is Stage.DCOM_ACTIVATION:
        return
    conn, port = await _wmi_port(run, activation, advertised)
    if run.last is Stage.WMI_PORT:
        await conn.close()
        return
    identity = _identity(credentials)
    ipid = activation.ipid
    if ipid is None:
        await conn.close()
        raise run.fail(
            Stage.NAMESPACE_LOGIN, 0.0, _PROTOCOL_ERROR, "the activation returned no interface"
        )
    # One association for both calls when the server takes both contexts: IWbemLevel1Login
    # (context 0) and IWbemServices (context 1) live in the same winmgmt process. A COM server
    # may register IWbemServices only once it has marshalled it; then the query gets its own.
    accepted: tuple[bool, ...] = ()

    async def login() -> bytes:
        nonlocal accepted
        accepted = await conn.bind(
            _dcom.IID_IWBEM_LEVEL1_LOGIN,
            _dcom.IID_IWBEM_SERVICES,
            identity=identity,
            auth_level=level.number,
        )
        return await conn.request(6, _dcom.ntlm_login(namespace), object_uuid=ipid)

    try:
        stub, elapsed = await _call_wmi(run, Stage.NAMESPACE_LOGIN, login)
        code, services = _dcom.read_login(stub)
        if code != 0 or services is None:
            raise run.fail(
                Stage.NAMESPACE_LOGIN,
                elapsed,
                code,
                f"NTLMLogin to {namespace} answered " + (decode(code).name or f"0x{code:08x}"),
            )
        run.passed(Stage.NAMESPACE_LOGIN, elapsed, f"logged on to {namespace}")
        if run.last is Stage.NAMESPACE_LOGIN:
            return
        request = _dcom.exec_query(query)
        if accepted[1:2] == (True,):
            stub, elapsed = await _call_wmi(
                run,
                Stage.QUERY,
                lambda: conn.request(20, request, object_uuid=services, context=1),
            )
        else:
            await conn.close()
            conn, _ = await _connect(run, Stage.QUERY, port)
            query_conn = conn

            async def query_alone() -> bytes:
                await query_conn.bind(
                    _dcom.IID_IWBEM_SERVICES, identity=identity, auth_level=level.number
                )
                return await query_conn.request(20, request, object_uuid=services)

            stub, elapsed = await _call_wmi(run, Stage.QUERY, query_alone)
    finally:
        await conn.close()
    code = _dcom.read_query(stub)
    if code != 0:
        raise run.fail(
            Stage.QUERY, elapsed, code, f"ExecQuery answered {decode(code).name or hex(code)}"
        )
    run.passed(Stage.QUERY, elapsed, f"ExecQuery {query!r} returned an enumerator")


async def run_probe(
    target: str | Target,
    credentials: Credentials | None,
    *,
    budget: Budget,
    last: Stage,
    auth_level: AuthLevel,
    namespace: str,
    query: str,
) -> ProbeReport:
    """Probe one target; a malformed target gives a report with ``error`` set."""
    started = time.monotonic()
    try:
        parsed = parse_target(target)
    except InvalidTarget as exc:
        return _bad_target(str(target), exc, last)
    run = _Run(parsed, budget, last)
    try:
        await _stages(run, credentials, auth_level, namespace, query)
    except _Stop:
        pass
    except Exception as exc:
        done_stages = {r.stage for r in run.results}
        stage = next((s for s in PROBE_STAGES if s not in done_stages), Stage.QUERY)
        run.record(
            StageResult(
                stage=stage,
                status=StageStatus.FAILED,
                hresult=decode(_PROTOCOL_ERROR),
                detail=f"unreadable answer from the peer ({type(exc).__name__})",
            )
        )
    done = {r.stage for r in run.results}
    stopped = run.results[-1].status if run.results else None
    why = {
        None: "not requested",
        StageStatus.PASSED: "not requested",
        StageStatus.SKIPPED: "no credentials",
    }.get(stopped, "an earlier stage did not pass")
    for stage in PROBE_STAGES:
        if stage in done or stage > last:
            continue
        run.record(StageResult(stage=stage, status=StageStatus.SKIPPED, detail=why))
    return ProbeReport(
        target=str(target),
        address=run.address,
        port=parsed.port,
        results=tuple(run.results),
        identity=facts_of(run.identity),
        auth_level=auth_level,
        account=None if credentials is None else credentials.account,
        elapsed=time.monotonic() - started,
    )


def _bad_target(given: str, exc: InvalidTarget, last: Stage) -> ProbeReport:
    results = [StageResult(stage=Stage.RESOLVE_NAME, status=StageStatus.FAILED, detail=str(exc))]
    results += [
        StageResult(stage=s, status=StageStatus.SKIPPED, detail="the target is malformed")
        for s in PROBE_STAGES[1:]
        if s <= last
    ]
    return ProbeReport(target=given, address=None, port=0, results=tuple(results), error=str(exc))
