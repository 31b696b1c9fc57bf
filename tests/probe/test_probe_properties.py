"""Properties of the probe against the scripted responder: any scripted fault, any code."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wmireach.diagnosis import Observed, diagnose
from wmireach.errors import ScenarioError
from wmireach.model import Stage
from wmireach.probe import Budget, Credentials, StageStatus, probe
from wmireach.testing.responder import DEFAULT_ACCOUNTS, Script, scripted_responder

USER, PASSWORD = next(iter(DEFAULT_ACCOUNTS.items()))
ADMIN = Credentials.with_password(USER, PASSWORD)
# HRESULT answers of DCOM calls: failure codes (severity bit set).
FAILURE_CODES = st.integers(0x80000001, 0xFFFFFFFF)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stage=st.sampled_from([Stage.DCOM_ACTIVATION, Stage.NAMESPACE_LOGIN, Stage.QUERY]),
    code=FAILURE_CODES,
)
def test_a_code_answered_at_a_stage_is_reported_there_unchanged(stage: Stage, code: int) -> None:
    with scripted_responder(Script(fault_at=stage, fault_code=code)) as peer:
        report = probe(f"127.0.0.1:{peer.port}", ADMIN, budget=Budget(connect=1, stage=2))
    failure = report.failure
    assert failure is not None
    assert (failure.stage, failure.status) == (stage, StageStatus.FAILED)
    assert failure.hresult is not None and failure.hresult.value == code
    assert all(r.status is StageStatus.PASSED for r in report.results if r.stage < stage)
    observed = report.observed_failure()
    assert observed is not None and (observed.code, observed.stage) == (code, stage)


@settings(max_examples=15, deadline=None)
@given(status=st.integers(1, 0xFFFF).filter(lambda s: s != 5))
def test_a_fault_status_at_the_endpoint_mapper_is_decoded_from_the_number(status: int) -> None:
    with scripted_responder(Script(fault_at=Stage.ENDPOINT_MAPPER, fault_code=status)) as peer:
        report = probe(f"127.0.0.1:{peer.port}", budget=Budget(connect=1, stage=2))
    failure = report.failure
    assert failure is not None and failure.stage is Stage.ENDPOINT_MAPPER
    assert failure.hresult is not None
    from wmireach.hresult import decode

    assert failure.hresult == decode(status)


def test_observed_fields_yield_to_what_the_caller_says() -> None:
    seen = Observed(code=0x80070005, stage=Stage.DCOM_ACTIVATION, known={"account": "domain-user"})
    assert diagnose(seen).causes[0].id == "WR404"
    assert diagnose(seen, account="local-admin", trust="workgroup").causes[0].id == "WR403"


def test_nothing_failed_is_no_diagnosis() -> None:
    class Passed:
        def observed_failure(self) -> Observed | None:
            return None

    with pytest.raises(ScenarioError, match="no failure"):
        diagnose(Passed())
