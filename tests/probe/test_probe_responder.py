"""The probe against the scripted responder on loopback: every stage, every scripted fault.

These need no namespace; ``test_probe_netns.py`` repeats the network cases behind a real
firewall.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable

import pytest

from wmireach.diagnosis import diagnose
from wmireach.errors import ScenarioError
from wmireach.model import AccountKind, Membership, Stage
from wmireach.probe import Budget, Credentials, StageStatus, probe, probe_many
from wmireach.testing.responder import DEFAULT_ACCOUNTS, Responder, Script

USER, PASSWORD = next(iter(DEFAULT_ACCOUNTS.items()))
ADMIN = Credentials.with_password(USER, PASSWORD, account=AccountKind.LOCAL_ADMIN)
FAST = Budget(connect=1, stage=1, host=5)

Start = Callable[..., Responder]


def _target(peer: Responder) -> str:
    return f"127.0.0.1:{peer.port}"


def test_every_stage_passes_against_a_healthy_peer(responders: Start) -> None:
    peer = responders(Script())
    report = probe(_target(peer), ADMIN, budget=FAST)
    assert report.passed, report.results
    assert [r.stage for r in report.results] == [s for s in Stage if s is not Stage.CALLBACK]
    assert all(r.status is StageStatus.PASSED for r in report.results)
    assert report.reached is Stage.QUERY
    # the calls the peer saw, in order: ServerAlive2, RemoteCreateInstance, NTLMLogin, ExecQuery
    assert peer.calls == [("epm", 5), ("epm", 4), ("wmi", 6), ("wmi", 20)]
    with pytest.raises(ScenarioError, match="no failure"):
        diagnose(report)


@pytest.mark.parametrize("lazy", [False, True])
def test_the_query_works_whether_services_binds_early_or_late(
    responders: Start, lazy: bool
) -> None:
    # A COM server may accept binds to IWbemServices only once it has marshalled it; the probe
    # then gives the query its own association.
    peer = responders(Script(lazy_services=lazy))
    report = probe(_target(peer), ADMIN, budget=FAST)
    assert report.passed, report.results
    assert peer.calls[-2:] == [("wmi", 6), ("wmi", 20)]
    assert peer.services_marshalled
    # one association for login and query when the server takes both contexts at once
    assert peer.connections["wmi"] == (2 if lazy else 1)


def test_the_ntlm_fingerprint_fills_the_scenario(responders: Start) -> None:
    peer = responders(Script(netbios_name="SRV19", domain="CORP", version=(10, 0, 17763)))
    report = probe(_target(peer), stages=Stage.AUTHENTICATE)
    assert report.build == 17763
    assert {r.identifier for r in report.releases} == {"win10", "server2019"}
    assert report.membership == Membership.domain("corp")
    auth = report.result(Stage.AUTHENTICATE)
    assert auth is not None and auth.status is StageStatus.SKIPPED
    assert "no credentials" in auth.detail
    assert "target_os" not in report.scenario_facts()  # 17763 is a client and a server
    assert report.target_computer() is None


def test_a_workgroup_build_names_one_release(responders: Start) -> None:
    peer = responders(Script(version=(10, 0, 20348), netbios_name="B22"))
    report = probe(_target(peer), stages=Stage.AUTHENTICATE)
    computer = report.target_computer()
    assert computer is not None
    assert (computer.name, computer.release.identifier) == ("B22", "server2022")
    # a workgroup host names itself as its NTLM domain; the workgroup's name is not sent
    assert not computer.membership.is_domain
    assert computer.address == "127.0.0.1"
    facts = report.scenario_facts()
    assert facts["target_os"] == "server2022"
    assert facts["trust"] == "workgroup"
    assert facts["client_auth_level"] == "pkt-privacy"


CASES = [
    pytest.param(
        Script(fault_at=Stage.DCOM_ACTIVATION),
        ADMIN,
        Stage.DCOM_ACTIVATION,
        "E_ACCESSDENIED",
        "WR403",
        id="activation-denied",
    ),
    pytest.param(
        Script(),
        Credentials.with_password(USER, "wrong"),
        Stage.AUTHENTICATE,
        "E_ACCESSDENIED",
        "WX01",
        id="wrong-password",
    ),
    pytest.param(
        Script(fault_at=Stage.AUTHENTICATE),
        ADMIN,
        Stage.AUTHENTICATE,
        "E_ACCESSDENIED",
        "WX01",
        id="logon-denied",
    ),
    pytest.param(
        Script(fault_at=Stage.NAMESPACE_LOGIN),
        ADMIN,
        Stage.NAMESPACE_LOGIN,
        "WBEM_E_ACCESS_DENIED",
        "WR601",
        id="namespace-denied",
    ),
    pytest.param(
        Script(fault_at=Stage.NAMESPACE_LOGIN, fault_code=0x80070005),
        ADMIN,
        Stage.NAMESPACE_LOGIN,
        "E_ACCESSDENIED",
        None,
        id="access-denied-at-login",
    ),
]


@pytest.mark.parametrize(("script", "credentials", "stage", "code", "cause"), CASES)
def test_scripted_faults_name_stage_code_and_cause(  # noqa: PLR0917
    responders: Start,
    script: Script,
    credentials: Credentials,
    stage: Stage,
    code: str,
    cause: str | None,
) -> None:
    report = probe(_target(responders(script)), credentials, budget=FAST)
    failure = report.failure
    assert failure is not None
    assert (failure.stage, failure.status) == (stage, StageStatus.FAILED)
    assert failure.hresult is not None and failure.hresult.name == code
    later = [r for r in report.results if r.stage > stage]
    assert all(r.status is StageStatus.SKIPPED for r in later)
    diagnosis = diagnose(report)
    assert diagnosis.stage is stage
    if cause is not None:
        assert diagnosis.causes[0].id == cause


def test_a_foreign_advertised_address_is_nat(responders: Start) -> None:
    peer = responders(Script(advertise=("192.0.2.10",)))
    report = probe(_target(peer), ADMIN, budget=Budget(connect=0.5, stage=1, host=5))
    # the probe connects to the address it was given, so every stage passes...
    assert report.passed
    wmi_port = report.result(Stage.WMI_PORT)
    assert wmi_port is not None
    assert wmi_port.fact("advertised-reachable") == "no"
    assert wmi_port.fact("bindings") == f"192.0.2.10[{peer.wmi_port}]"
    assert report.nat is True
    # ...but clients that follow the bindings fail at the WMI port: NAT first.
    d = diagnose(report)
    assert d.stage is Stage.WMI_PORT
    assert d.causes[0].id == "WX03"


def test_own_advertised_address_is_not_nat(responders: Start) -> None:
    report = probe(_target(responders(Script())), ADMIN, budget=FAST)
    assert report.nat is None
    wmi_port = report.result(Stage.WMI_PORT)
    assert wmi_port is not None and wmi_port.fact("address-used") == "127.0.0.1"


@pytest.mark.parametrize(
    "stage",
    [Stage.ENDPOINT_MAPPER, Stage.DCOM_ACTIVATION, Stage.NAMESPACE_LOGIN, Stage.QUERY],
)
def test_a_stall_times_out_at_its_stage(responders: Start, stage: Stage) -> None:
    peer = responders(Script(stall_at=stage))
    report = probe(_target(peer), ADMIN, budget=Budget(connect=1, stage=0.3, host=5))
    failure = report.failure
    assert failure is not None
    assert (failure.stage, failure.status) == (stage, StageStatus.TIMED_OUT)
    assert 0.25 < failure.elapsed < 1.0
    assert report.elapsed < 2.0


def test_the_host_budget_bounds_the_whole_probe(responders: Start) -> None:
    peer = responders(Script(stall_at=Stage.QUERY))
    report = probe(_target(peer), ADMIN, budget=Budget(connect=1, stage=5, host=0.5))
    failure = report.failure
    assert failure is not None and failure.status is StageStatus.TIMED_OUT
    assert "host budget" in failure.detail
    assert report.elapsed < 1.5


def test_below_the_hardening_floor_activation_is_denied(responders: Start) -> None:
    from wmireach.model import AuthLevel

    peer = responders(Script())
    report = probe(_target(peer), ADMIN, budget=FAST, auth_level=AuthLevel.CONNECT)
    failure = report.failure
    assert failure is not None and failure.stage is Stage.DCOM_ACTIVATION
    assert diagnose(report).causes[0].id == "WR402"


def test_a_refused_port_fails_tcp_135() -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on: bound, never listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        report = probe(f"127.0.0.1:{port}", ADMIN, budget=FAST)
    failure = report.failure
    assert failure is not None and failure.stage is Stage.TCP_135
    assert failure.hresult is not None and failure.hresult.name == "RPC_S_SERVER_UNAVAILABLE"
    assert "refused" in failure.detail


def test_probe_many_on_a_process_pool_keeps_targets_apart(responders: Start) -> None:
    peers = {
        17763: responders(Script(version=(10, 0, 17763), fault_at=Stage.QUERY)),
        20348: responders(Script(version=(10, 0, 20348))),
        9600: responders(Script(version=(6, 3, 9600), fault_at=Stage.NAMESPACE_LOGIN)),
    }
    targets = [_target(p) for p in peers.values()] + ["", "bad host"]
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as pool:
        reports = list(
            probe_many(targets, ADMIN, budget=FAST, executor=pool, chunk_size=2, concurrency=2)
        )
    assert sorted(r.target for r in reports) == sorted(targets)
    by_target = {r.target: r for r in reports}
    for build, peer in peers.items():
        assert by_target[_target(peer)].build == build
    assert by_target[_target(peers[20348])].passed
    failure = by_target[_target(peers[17763])].failure
    assert failure is not None and failure.stage is Stage.QUERY
    failure = by_target[_target(peers[9600])].failure
    assert failure is not None and failure.stage is Stage.NAMESPACE_LOGIN
    assert by_target[""].error and by_target["bad host"].error


def test_probe_many_yields_as_hosts_finish(responders: Start) -> None:
    slow = responders(Script(stall_at=Stage.QUERY))
    fast = responders(Script())
    order = [
        r.target
        for r in probe_many(
            [_target(slow), _target(fast)], ADMIN, budget=Budget(connect=1, stage=0.5)
        )
    ]
    assert order == [_target(fast), _target(slow)]


class _Peer:
    """A TCP peer that is no RPC server: it closes at once, or answers garbage."""

    def __init__(self, answer: bytes | None) -> None:
        import socket
        import threading

        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.answer = answer
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        import contextlib

        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.server.accept()
                with conn:
                    if self.answer is not None:
                        conn.recv(4096)
                        conn.sendall(self.answer)

    def close(self) -> None:
        self.server.close()


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (None, "RPC_S_CALL_FAILED"),  # accepts, then closes
        (b"HTTP/1.1 400 Bad Request\r\n\r\n" + b"x" * 64, "RPC_S_PROTOCOL_ERROR"),
    ],
)
def test_a_peer_that_is_no_rpc_server_fails_the_endpoint_mapper(
    answer: bytes | None, code: str | None
) -> None:
    peer = _Peer(answer)
    try:
        report = probe(f"127.0.0.1:{peer.port}", ADMIN, budget=FAST)
    finally:
        peer.close()
    failure = report.failure
    assert failure is not None and failure.stage is Stage.ENDPOINT_MAPPER
    assert failure.status in (StageStatus.FAILED, StageStatus.TIMED_OUT)
    if code is not None:
        assert failure.hresult is not None and failure.hresult.name == code


def test_probe_many_async_yields_as_hosts_finish(responders: Start) -> None:
    import asyncio

    from wmireach.probe import probe_many_async

    slow = responders(Script(stall_at=Stage.QUERY))
    fast = responders(Script())

    async def main() -> list[str]:
        targets = [_target(slow), _target(fast)]
        budget = Budget(connect=1, stage=0.5)
        return [r.target async for r in probe_many_async(targets, ADMIN, budget=budget)]

    assert asyncio.run(main()) == [_target(fast), _target(slow)]


@pytest.mark.parametrize("wmi_responder", [{"script": Script(fault_at=Stage.QUERY)}], indirect=True)
def test_the_plugin_fixture_serves_a_scripted_responder(wmi_responder: Responder) -> None:
    # wmireach's pytest plugin (wmireach.testing.plugin) registers wmi_responder over
    # scripted_responder(**param).
    report = probe(_target(wmi_responder), ADMIN, budget=FAST)
    failure = report.failure
    assert failure is not None and failure.stage is Stage.QUERY
