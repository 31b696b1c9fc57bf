"""Notebook display and diagram of a :class:`~wmireach.probe.ProbeReport`.

Owns: :func:`report_html` and :func:`report_svg`, built from :mod:`wmireach.display` and
:mod:`wmireach.drawing` (the same tables and picture as a simulated outcome). Must not: show a
secret (a report holds none), or do I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wmireach.display import facts_html, figure_html, panel_html, stage_table_html
from wmireach.drawing import stage_diagram

if TYPE_CHECKING:
    from wmireach.probe._report import ProbeReport, StageResult

__all__ = ["report_html", "report_svg"]


def _detail(result: StageResult) -> str:
    parts = []
    if result.hresult is not None:
        parts.append(f"{result.hresult.hex} {result.hresult.name or ''}".strip())
    if result.detail:
        parts.append(result.detail)
    parts.append(f"{result.elapsed * 1000:.0f} ms")
    facts = ", ".join(f"{k}={v}" for k, v in result.facts)
    if facts:
        parts.append(facts)
    return "; ".join(parts)


def _verdict(report: ProbeReport) -> str:
    if report.error is not None:
        return f"not probed: {report.error}"
    failure = report.failure
    if failure is None:
        return "every stage probed passed"
    code = "" if failure.hresult is None else f" with {failure.hresult.hex}"
    return f"stops at {failure.stage.value} ({failure.status.value}{code})"


def report_svg(report: ProbeReport) -> str:
    """The connection diagram of ``report``: stages coloured by how they ended."""
    failure = report.failure
    return stage_diagram(
        None,
        {r.stage: r.status for r in report.results},
        failure=None if failure is None else failure.hresult,
        title=f"Probe of {report.target}",
        status=_verdict(report),
    )


def report_html(report: ProbeReport) -> str:
    """The notebook display of ``report``: what was probed, the server's identity, the stages
    in a coloured table and the diagram."""
    facts: list[tuple[str, object]] = [
        ("target", report.target),
        ("address", report.address or "(not resolved)"),
        ("port", report.port),
        ("authentication level", report.auth_level.value),
        ("verdict", _verdict(report)),
        ("elapsed", f"{report.elapsed:.3f} s"),
    ]
    facts += [(f"server {name}", value) for name, value in report.identity]
    parts = [facts_html(facts)]
    if report.results:
        rows = [(r.stage, r.status, _detail(r)) for r in report.results]
        parts += [stage_table_html(rows), figure_html(report_svg(report))]
    return panel_html(f"Probe of {report.target}", *parts)
