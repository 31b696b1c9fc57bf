"""The connection diagram: well-formed SVG that a real renderer draws, for every kind of subject.

Rasterised with resvg (``resvg-py``) and read back with Pillow: a picture must have ink, the
failure colour exactly when a stage failed, and every text inside the canvas.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
import resvg_py
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from wmireach.diagnosis import diagnose
from wmireach.drawing import StageStatus, diagram, stage_diagram
from wmireach.errors import ScenarioError, WmiReachError
from wmireach.model import (
    Account,
    AccountKind,
    CallMode,
    Computer,
    Membership,
    Scenario,
    Stage,
    _example,
)
from wmireach.planning import plan
from wmireach.simulation import Outcome, default_states, simulate
from wmireach.testing import scenarios

_SVG = "{http://www.w3.org/2000/svg}"
_FAILED_RGB = (0xC6, 0x28, 0x28)


def _async_workgroup() -> Scenario:
    wg = Membership.workgroup()
    return Scenario(
        client=Computer(name="A", release="win11", membership=wg, address="10.0.0.5"),
        target=Computer(name="B", release="win10", membership=wg),
        account=Account(kind=AccountKind.LOCAL_ADMIN, name="wmiadmin"),
        call_mode=CallMode.ASYNC,
    )


def _subjects() -> dict[str, str]:
    s, wg = _example(), _async_workgroup()
    return {
        "scenario": diagram(s),
        "outcome-failed": diagram(simulate(s, *default_states(s)), scenario=s),
        "outcome-passed": diagram(Outcome(passed=True), scenario=s),
        "outcome-alone": diagram(Outcome(passed=True)),
        "plan": diagram(plan(s)),
        "plan-async": diagram(plan(wg)),
        "plan-focused": diagram(plan(wg, failure="0x80070005")),
        "rollback": diagram(plan(s).rollback()),
        "diagnosis": diagram(diagnose("0x80070005", account="local-admin", trust="workgroup")),
        "diagnosis-scenario": diagram(diagnose("0x800706BA", scenario=wg), scenario=wg),
        "probe": stage_diagram(
            None,
            {
                Stage.TCP_135: StageStatus.PASSED,
                Stage.AUTHENTICATE: StageStatus.TIMED_OUT,
                Stage.WMI_PORT: StageStatus.SKIPPED,
            },
            failure=0x800705B4,
        ),
    }


SUBJECTS = _subjects()


def _pixels(svg: str) -> Image.Image:
    png = bytes(resvg_py.svg_to_bytes(svg_string=svg))
    return Image.open(io.BytesIO(png)).convert("RGB")


def _count(image: Image.Image, rgb: tuple[int, int, int], tolerance: int = 24) -> int:
    colours = image.getcolors(maxcolors=1 << 24) or []
    return sum(
        n for n, c in colours if all(abs(a - b) <= tolerance for a, b in zip(c, rgb, strict=True))
    )


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_the_svg_is_well_formed_xml(name: str) -> None:
    root = ET.fromstring(SUBJECTS[name])
    assert root.tag == f"{_SVG}svg"
    width, height = (float(root.get(k, "0")) for k in ("width", "height"))
    assert width == 1000 and 300 < height < 2000
    assert root.find(f"{_SVG}title") is not None


@pytest.mark.parametrize("name", sorted(SUBJECTS))
def test_a_real_renderer_draws_a_picture_that_is_not_empty(name: str) -> None:
    image = _pixels(SUBJECTS[name])
    root = ET.fromstring(SUBJECTS[name])
    assert image.size == (int(float(root.get("width", "0"))), int(float(root.get("height", "0"))))
    total = image.size[0] * image.size[1]
    background = _count(image, (255, 255, 255), tolerance=0)
    ink = total - background
    # Boxes, walls, arrows and the stage strip cover far more than 5% of the canvas.
    assert ink > 0.05 * total, (name, ink, total)


@pytest.mark.parametrize(
    ("name", "failed"),
    [
        ("scenario", False),
        ("outcome-passed", False),
        ("outcome-alone", False),
        ("outcome-failed", True),
        ("plan", True),
        ("diagnosis", True),
    ],
)
def test_the_failure_colour_is_drawn_exactly_when_a_stage_failed(name: str, failed: bool) -> None:
    red = _count(_pixels(SUBJECTS[name]), _FAILED_RGB, tolerance=30)
    assert (red > 200) is failed, red


def test_a_refused_connection_stops_at_the_wall_and_names_the_code() -> None:
    svg = SUBJECTS["outcome-failed"]
    assert "tcp-135 fails: 0x800706BA" in svg
    # B's wall is drawn in the failure colour; A's keeps the wall colour.
    walls = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="14" [^>]*fill="(#[0-9a-f]+)"', svg)
    assert walls == ["#b45309", "#c62828"]


def test_plan_steps_are_listed_inside_the_computer_they_run_on() -> None:
    p = plan(_async_workgroup())
    root = ET.fromstring(diagram(p))
    texts = [(float(t.get("x", "0")), t.text or "") for t in root.iter(f"{_SVG}text")]
    for step in p.steps:
        x = next(x for x, text in texts if text == step.id)
        assert (x < 500) is (step.on.value == "client"), step.id


def test_connection_2_is_drawn_only_for_async_calls() -> None:
    assert "Connection 2 \u00b7" not in SUBJECTS["plan"]
    assert "no Connection 2" in SUBJECTS["plan"]
    assert "Connection 2 \u00b7 B \u2192 A" in SUBJECTS["plan-async"]
    assert "unsecapp.exe" in SUBJECTS["plan-async"]


def test_a_focused_plan_marks_the_stage_of_its_failure() -> None:
    svg = SUBJECTS["plan-focused"]
    # The workgroup local admin's access denied comes from DCOM activation (UAC, facts §3.3).
    assert "dcom-activation fails: 0x80070005" in svg
    assert "focused on 0x80070005 at dcom-activation: the 2 steps" in svg


def test_a_timed_out_stage_is_drawn_as_such() -> None:
    svg = SUBJECTS["probe"]
    assert "authenticate times out: 0x800705B4" in svg
    assert ">timed-out<" in svg and ">skipped<" in svg


def test_bad_subjects_and_statuses_are_refused_with_what_is_accepted() -> None:
    with pytest.raises(ScenarioError, match="accepts a Scenario, Outcome, Plan or Diagnosis"):
        diagram("A -> B")  # type: ignore[arg-type]
    with pytest.raises(ScenarioError, match="statuses are passed, failed"):
        stage_diagram(None, {Stage.TCP_135: "passed"})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="scenario must be a Scenario"):
        diagram(Outcome(passed=True), scenario="B")  # type: ignore[arg-type]
    assert issubclass(ScenarioError, WmiReachError)


def _text_extents(svg: str) -> list[tuple[str, float, float]]:
    """(text, left, right) of every text element, at the widest a sans-serif font draws."""
    out = []
    for t in ET.fromstring(svg).iter(f"{_SVG}text"):
        text, x, size = t.text or "", float(t.get("x", "0")), float(t.get("font-size", "12"))
        width = len(text) * size * 0.6
        anchor = t.get("text-anchor", "start")
        left = x - width / 2 if anchor == "middle" else x
        out.append((text, left, left + width))
    return out


_HOSTILE = st.text(
    alphabet=st.sampled_from(list("Aa0 <>&\"'/\\;:=%$`!\u00e9\u4e2d\u202e\x00\x1b\x7f-")),
    min_size=1,
    max_size=120,
).filter(lambda s: s.strip() != "")


@settings(max_examples=60)
@given(scenarios(), _HOSTILE, _HOSTILE)
def test_any_scenario_draws_within_the_canvas_and_escapes_names(
    scenario: Scenario, a_name: str, b_name: str
) -> None:
    import attrs

    s = attrs.evolve(
        scenario,
        client=attrs.evolve(scenario.client, name=a_name),
        target=attrs.evolve(scenario.target, name=b_name),
    )
    svg = diagram(simulate(s, *default_states(s)), scenario=s)
    root = ET.fromstring(svg)  # well-formed whatever the names hold
    assert not any(el.tag.endswith("script") for el in root.iter())
    chips = [t.text for t in root.iter(f"{_SVG}text") if t.get("font-size") == "9.5"]
    assert [c for c in chips if c in {x.value for x in Stage}] == [x.value for x in s.stages]
    for text, left, right in _text_extents(svg):
        # The title is clipped with an ellipsis; every text stays on the 1000-pixel canvas.
        assert left >= 0 and right <= 1000, (text, left, right)
