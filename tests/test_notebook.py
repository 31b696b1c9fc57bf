"""The example notebook runs from top to bottom, and shows wmireach's displays: HTML tables for
the code, the diagnosis and the plan, and SVG diagrams (issue 7: "its outputs contain the HTML
displays and the SVG")."""

from __future__ import annotations

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).parent.parent / "examples" / "explore_failure.ipynb"


@pytest.fixture(scope="module")
def executed() -> object:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": "."}}
    )
    client.execute()
    return notebook


def _outputs(notebook: object, mime: str) -> list[str]:
    found = []
    for cell in notebook.cells:  # type: ignore[attr-defined]
        for output in cell.get("outputs", ()):
            assert output.get("output_type") != "error", output
            data = output.get("data", {})
            if mime in data:
                found.append(data[mime])
    return found


def test_the_notebook_runs_without_errors(executed: object) -> None:
    cells = [c for c in executed.cells if c.cell_type == "code"]  # type: ignore[attr-defined]
    assert all(c.get("execution_count") for c in cells)
    _outputs(executed, "text/plain")  # asserts no error output


def test_its_outputs_hold_the_html_displays_and_the_svg(executed: object) -> None:
    html = _outputs(executed, "text/html")
    assert any("0x80070005" in h and "<table" in h for h in html)  # the HResult
    assert any("WR403" in h for h in html)  # the diagnosis, UAC filtering first
    assert any("<svg" in h and "s1" in h for h in html)  # the plan, with its diagram
    svgs = _outputs(executed, "image/svg+xml")
    assert svgs and all(s.lstrip().startswith("<svg") or "<svg" in s for s in svgs)


def test_its_last_cell_shows_the_plan_works_and_undoes(executed: object) -> None:
    last = [c for c in executed.cells if c.cell_type == "code"][-1]  # type: ignore[attr-defined]
    assert last.outputs[0]["data"]["text/plain"] == "(True, True)"
