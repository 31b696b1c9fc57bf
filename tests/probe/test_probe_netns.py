"""The probe across a real network stack into hosts behind a real firewall (nftables).

Each host is an address inside a network namespace the tests create (``netlab``): open,
REJECT (refused), DROP (filtered), 135 open but the WMI port dropped, and scripted responders
for the faults. Skipped, with the reason, where namespaces cannot be created.
"""

from __future__ import annotations

import netlab
import pytest

from wmireach.diagnosis import diagnose
from wmireach.model import AccountKind, Stage
from wmireach.probe import Budget, Credentials, ProbeReport, StageStatus, probe, probe_many
from wmireach.testing.responder import DEFAULT_ACCOUNTS

USER, PASSWORD = next(iter(DEFAULT_ACCOUNTS.items()))
ADMIN = Credentials.with_password(USER, PASSWORD, account=AccountKind.LOCAL_ADMIN)
BUDGET = Budget(connect=1, stage=1, host=6)


@pytest.fixture(scope="module")
def hosts(lab: netlab.Lab) -> dict[str, str]:
    return {
        "open": lab.host(kind="open"),
        "dynamic-dropped": lab.host(kind="dynamic_drop"),
        "reject": lab.address("reject", 0),
        "drop": lab.address("drop", 0),
        "activation-denied": lab.host("--fault-at", "dcom-activation"),
        "namespace-denied": lab.host("--fault-at", "namespace-login"),
        "foreign-address": lab.host("--advertise", "192.0.2.7"),
        "stall": lab.host("--stall-at", "dcom-activation"),
        "old-server": lab.host("--build", "9600", "--domain", "CORP"),
    }


@pytest.fixture(scope="module")
def reports(hosts: dict[str, str]) -> dict[str, ProbeReport]:
    by_address = {r.target: r for r in probe_many(hosts.values(), ADMIN, budget=BUDGET)}
    return {name: by_address[address] for name, address in hosts.items()}


def test_an_open_host_passes_every_stage(reports: dict[str, ProbeReport]) -> None:
    report = reports["open"]
    assert report.passed, report.results
    assert report.reached is Stage.QUERY
    assert report.nat is None


# name -> (stage, status, code name or None, top cause)
EXPECTED = {
    "reject": (Stage.TCP_135, StageStatus.FAILED, "RPC_S_SERVER_UNAVAILABLE", "WR101"),
    "drop": (Stage.TCP_135, StageStatus.TIMED_OUT, "RPC_S_SERVER_UNAVAILABLE", "WR101"),
    "dynamic-dropped": (Stage.WMI_PORT, StageStatus.TIMED_OUT, "RPC_S_SERVER_UNAVAILABLE", "WR501"),
    "activation-denied": (Stage.DCOM_ACTIVATION, StageStatus.FAILED, "E_ACCESSDENIED", "WR403"),
    "namespace-denied": (
        Stage.NAMESPACE_LOGIN,
        StageStatus.FAILED,
        "WBEM_E_ACCESS_DENIED",
        "WR601",
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_host_fails_at_its_stage_with_its_cause_first(
    reports: dict[str, ProbeReport], name: str
) -> None:
    stage, status, code, cause = EXPECTED[name]
    report = reports[name]
    failure = report.failure
    assert failure is not None, report.results
    assert (failure.stage, failure.status) == (stage, status)
    assert failure.hresult is not None and failure.hresult.name == code
    assert diagnose(report).causes[0].id == cause


def test_refused_and_filtered_are_told_apart(reports: dict[str, ProbeReport]) -> None:
    refused = reports["reject"].failure
    filtered = reports["drop"].failure
    assert refused is not None and "refused" in refused.detail
    assert refused.elapsed < 0.5
    assert filtered is not None and "DROP" in filtered.detail
    assert filtered.elapsed >= BUDGET.connect * 0.9


def test_a_foreign_advertised_address_is_nat(reports: dict[str, ProbeReport]) -> None:
    report = reports["foreign-address"]
    assert report.passed and report.nat is True
    wmi_port = report.result(Stage.WMI_PORT)
    assert wmi_port is not None and "192.0.2.7" in (wmi_port.fact("bindings") or "")
    assert diagnose(report).causes[0].id == "WX03"


def test_a_stall_times_out_at_activation(reports: dict[str, ProbeReport]) -> None:
    failure = reports["stall"].failure
    assert failure is not None
    assert (failure.stage, failure.status) == (Stage.DCOM_ACTIVATION, StageStatus.TIMED_OUT)


def test_the_fingerprint_reads_each_host(reports: dict[str, ProbeReport]) -> None:
    old = reports["old-server"]
    assert old.build == 9600
    assert old.membership is not None and old.membership.is_domain
    assert reports["open"].build == 20348
    assert reports["open"].scenario_facts()["target_os"] == "server2022"


def test_a_batch_takes_about_the_slowest_host(hosts: dict[str, str]) -> None:
    import time

    budget = Budget(connect=1, stage=1, host=3)
    began = time.monotonic()
    reports = list(probe_many(list(hosts.values()) * 3, ADMIN, budget=budget))
    wall = time.monotonic() - began
    assert len(reports) == 3 * len(hosts)
    assert wall < budget.host + 1.5


def test_without_credentials_only_anonymous_stages_run(hosts: dict[str, str]) -> None:
    report = probe(hosts["open"], budget=BUDGET)
    statuses = {r.stage: r.status for r in report.results}
    assert statuses[Stage.ENDPOINT_MAPPER] is StageStatus.PASSED
    assert statuses[Stage.AUTHENTICATE] is StageStatus.SKIPPED
    assert report.build == 20348
