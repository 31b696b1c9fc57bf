"""Rich displays for notebooks: HTML tables (and Markdown) for codes, scenarios, outcomes, plans
and diagnoses, with the connection diagram inline.

Owns: the HTML of every ``_repr_html_`` in wmireach (the value classes delegate here, importing
this module only when a notebook asks), :func:`stage_table_html` (any per-stage results, coloured
by :class:`~wmireach.drawing.StageStatus`, for reuse by other reports such as a live probe's) and
:func:`escape`, the one escaping function every piece of text goes through.

Every string from a value (computer, account and program names, namespaces, messages, pasted
text) is HTML-escaped, so nothing a user typed becomes markup. Styles are inline (notebook
front ends drop ``<style>`` blocks in untrusted output). The model holds no passwords, so no
display can show one; a report that carries credentials must leave them out of the rows it
passes to :func:`stage_table_html`.

Must not: do I/O, or import from wmireach above :mod:`wmireach.render`.

>>> from wmireach.hresult import decode
>>> "RPC_S_SERVER_UNAVAILABLE" in hresult_html(decode("0x800706BA"))
True
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Final

from wmireach.diagnosis import Cause, Diagnosis
from wmireach.drawing import StageStatus, diagram
from wmireach.hresult import HResult, decode
from wmireach.model import CallMode, Computer, Scenario, Side, Stage
from wmireach.planning import Plan, Step
from wmireach.render._words import describe
from wmireach.rules import rule
from wmireach.simulation import Outcome, simulate

__all__ = [
    "diagnosis_html",
    "escape",
    "facts_html",
    "figure_html",
    "hresult_html",
    "hresult_markdown",
    "outcome_html",
    "panel_html",
    "plan_html",
    "plan_markdown",
    "scenario_html",
    "stage_table_html",
]

_BOX: Final = (
    'style="font-family: system-ui, sans-serif; font-size: 13px; line-height: 1.4; '
    'max-width: 1000px"'
)
_TABLE: Final = 'style="border-collapse: collapse; margin: 4px 0 10px 0"'
_TH: Final = (
    'style="text-align: left; vertical-align: top; padding: 3px 10px 3px 4px; '
    'border-bottom: 1px solid #cbd5e1; color: #334155"'
)
_TD: Final = (
    'style="text-align: left; vertical-align: top; padding: 3px 10px 3px 4px; '
    'border-bottom: 1px solid #e2e8f0"'
)
_MAX_SHOWN: Final = 12


def escape(text: object) -> str:
    """``text`` as HTML text: ``& < > " '`` escaped, control characters shown as spaces.

    >>> escape("<script>alert('x')</script>")
    '&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;'
    """
    value = "".join(
        " " if (ord(c) < 32 and c not in "\t\n") or 0x7F <= ord(c) < 0xA0 else c for c in str(text)
    )
    return html.escape(value, quote=True)


def _badge(status: StageStatus, label: str | None = None) -> str:
    return (
        f'<span style="display: inline-block; padding: 0 6px; border-radius: 4px; '
        f"border: 1px solid {status.stroke}; background: {status.fill}; color: {status.stroke}; "
        f'font-weight: 600">{escape(label or status.value)}</span>'
    )


def _rows(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table; the values are HTML already (escape them before)."""
    body = "".join(
        f"<tr><th {_TH}>{escape(key)}</th><td {_TD}>{value}</td></tr>" for key, value in rows
    )
    return f"<table {_TABLE}>{body}</table>"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A table with a header row; the cells are HTML already."""
    head = "".join(f"<th {_TH}>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td {_TD}>{cell}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table {_TABLE}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _wrap(title: str, *parts: str) -> str:
    return f'<div class="wmireach" {_BOX}><strong>{escape(title)}</strong>{"".join(parts)}</div>'


def _code(text: object) -> str:
    return f"<code>{escape(text)}</code>"


def _figure(svg: str) -> str:
    return f'<div style="overflow-x: auto; margin: 6px 0">{svg}</div>'


def facts_html(rows: Iterable[tuple[str, object]]) -> str:
    """A two-column table of ``(name, value)`` facts, both escaped (for any report).

    >>> "&lt;b&gt;" in facts_html([("name", "<b>")])
    True
    """
    return _rows((name, escape(value)) for name, value in rows)


def panel_html(title: str, *parts: str) -> str:
    """A display box: an escaped ``title`` over ``parts``, which are HTML already (built with
    the functions of this module).

    >>> panel_html("<probe>", facts_html([("port", 135)])).count("&lt;probe&gt;")
    1
    """
    return _wrap(title, *parts)


def figure_html(svg: str) -> str:
    """An SVG picture (from :mod:`wmireach.drawing`) placed in a display, scrolling if wide."""
    return _figure(svg)


# -- stages ------------------------------------------------------------------------------------


def stage_table_html(rows: Iterable[tuple[Stage | str, StageStatus, str]]) -> str:
    """A table of stage results: stage, a coloured status badge, and a detail (escaped).

    Made for any report that walks a call's stages (a simulation, a live probe): each row is
    ``(stage, status, detail)``.

    >>> html_text = stage_table_html([(Stage.TCP_135, StageStatus.PASSED, "open"),
    ...                               ("wmi-port", StageStatus.TIMED_OUT, "no answer in 5 s")])
    >>> "timed-out" in html_text and "#e8f5e9" in html_text
    True
    """
    cells = []
    for stage, status, detail in rows:
        if not isinstance(status, StageStatus):
            raise TypeError(
                f"stage status must be a StageStatus, got {status!r}; statuses are "
                + ", ".join(s.value for s in StageStatus)
            )
        name = stage.value if isinstance(stage, Stage) else str(stage)
        cells.append((_code(name), _badge(status), escape(detail)))
    return _table(("stage", "status", "detail"), cells)


def _outcome_rows(
    outcome: Outcome, stages: Sequence[Stage]
) -> list[tuple[Stage, StageStatus, str]]:
    rows: list[tuple[Stage, StageStatus, str]] = []
    for stage in stages:
        if outcome.passed or outcome.stage is None or stage < outcome.stage:
            rows.append((stage, StageStatus.PASSED, ""))
        elif stage is outcome.stage:
            unmet = ", ".join(outcome.unmet)
            rows.append((stage, StageStatus.FAILED, f"{_hr_text(outcome.failure)}; unmet {unmet}"))
        else:
            rows.append((stage, StageStatus.NOT_REACHED, ""))
    return rows


def _hr_text(value: int | None) -> str:
    if value is None:
        return ""
    hr = decode(value)
    return f"{hr.hex} {hr.name}" if hr.name else hr.hex


# -- HResult -----------------------------------------------------------------------------------


def hresult_html(hr: HResult) -> str:
    """An :class:`~wmireach.hresult.HResult` as a table: forms, name, message, fields."""
    rows = [
        ("hex", _code(hr.hex)),
        ("name", escape(" / ".join(hr.names) or "(no table knows this value)")),
        ("message", escape(hr.message or "")),
        ("signed, unsigned", escape(f"{hr.signed}, {hr.value}")),
        ("severity", escape(hr.severity.name)),
        ("facility", escape(f"{hr.facility.value} {hr.facility.name or ''}".strip())),
    ]
    if hr.win32 is not None:
        rows.append(("win32", escape(hr.win32)))
    if hr.note:
        rows.append(("read as", escape(hr.note)))
    return _wrap(f"HResult {hr.hex}", _rows(rows))


def hresult_markdown(hr: HResult) -> str:
    """An :class:`~wmireach.hresult.HResult` as a Markdown line.

    >>> print(hresult_markdown(decode(5)))
    **0x80070005** `E_ACCESSDENIED`: Access is denied. (read 5 as Win32 error 5, ...)
    """
    name = f" `{hr.name}`" if hr.name else " (unknown code)"
    message = f": {_md(hr.message)}" if hr.message else ""
    note = f" ({_md(hr.note)})" if hr.note else ""
    return f"**{hr.hex}**{name}{message}{note}"


def _md(text: str) -> str:
    """Text safe in a Markdown line: one line, and no markup or HTML from it survives."""
    flat = " ".join(text.split())
    for char in "\\`*_[]<>|#!":
        flat = flat.replace(char, "\\" + char)
    return flat.replace("&", "&amp;")


# -- Scenario ----------------------------------------------------------------------------------


def _computer_rows(a: Computer, b: Computer) -> str:
    def membership(c: Computer) -> str:
        kind = "domain" if c.membership.is_domain else "workgroup"
        return escape(f"{kind} {c.membership.name}")

    rows = [
        ("name", escape(a.name), escape(b.name)),
        ("release", escape(a.release.display_name), escape(b.release.display_name)),
        ("membership", membership(a), membership(b)),
        ("network profile", escape(a.profile.value), escape(b.profile.value)),
        ("edition", escape(a.edition.value), escape(b.edition.value)),
        ("patched", escape(a.patched or "unknown"), escape(b.patched or "unknown")),
        ("address", escape(a.address or "unknown"), escape(b.address or "unknown")),
    ]
    return _table(
        ("", "Computer A (client)", "Computer B (target)"),
        ((f"<strong>{escape(k)}</strong>", x, y) for k, x, y in rows),
    )


def _call_rows(s: Scenario) -> str:
    account = s.account.kind.value + (f" {s.account.name}" if s.account.name else "")
    rows = [
        ("account", escape(account)),
        ("call mode", escape(s.call_mode.value)),
        ("trust", escape(s.trust.value)),
        ("namespace", _code(s.namespace)),
        ("authentication level", escape(s.auth_level.value)),
        ("WMI port", escape(f"fixed {s.fixed_port}" if s.fixed_port else "dynamic")),
        ("same subnet", escape("yes" if s.same_subnet else "no")),
        ("connections", escape(", ".join(c.value for c in s.connections))),
    ]
    if s.call_mode is CallMode.ASYNC:
        rows.insert(2, ("sink program", _code(s.sink_program)))
    return _rows(rows)


def _scenario_title(s: Scenario) -> str:
    return (
        f"{s.client.name} ({s.client.release.display_name}) \u2192 "
        f"{s.target.name} ({s.target.release.display_name})"
    )


def scenario_html(scenario: Scenario) -> str:
    """A :class:`~wmireach.model.Scenario` as tables of both computers and the call, with its
    connection diagram.

    >>> from wmireach.model import _example
    >>> "Computer B (target)" in scenario_html(_example())
    True
    """
    return _wrap(
        f"Scenario: {_scenario_title(scenario)}",
        _computer_rows(scenario.client, scenario.target),
        _call_rows(scenario),
        _figure(diagram(scenario)),
    )


# -- Outcome -----------------------------------------------------------------------------------


def outcome_html(outcome: Outcome, scenario: Scenario | None = None) -> str:
    """An :class:`~wmireach.simulation.Outcome`: passed or failed, the stages coloured, the
    unmet rules with their titles, and the diagram (of ``scenario`` when given).

    >>> from wmireach.model import _example
    >>> from wmireach.simulation import default_states
    >>> s = _example()
    >>> "WR101" in outcome_html(simulate(s, *default_states(s)), s)
    True
    """
    if scenario is not None:
        stages: Sequence[Stage] = scenario.stages
    elif outcome.stage is Stage.CALLBACK:
        stages = tuple(Stage)
    else:
        stages = tuple(s for s in Stage if s is not Stage.CALLBACK)
    status = StageStatus.PASSED if outcome.passed else StageStatus.FAILED
    words = (
        "passes" if outcome.passed else f"fails at {outcome.stage.value if outcome.stage else ''}"
    )
    parts = [f"<p>The simulated call {_badge(status, words)}</p>"]
    if not outcome.passed:
        parts.append(
            _rows(
                [
                    ("failure", escape(_hr_text(outcome.failure))),
                    (
                        "unmet",
                        "<br>".join(
                            f"{_code(rid)} {escape(rule(rid).title)}" for rid in outcome.unmet
                        ),
                    ),
                ]
            )
        )
    parts.append(stage_table_html(_outcome_rows(outcome, stages)))
    parts.append(_figure(diagram(outcome, scenario=scenario)))
    return _wrap("Outcome", *parts)


# -- Plan --------------------------------------------------------------------------------------


def _step_row(step: Step) -> tuple[str, ...]:
    changes = "<br>".join(escape(describe(a)) for a in step.actions) or "<em>manual step</em>"
    undo = "<br>".join(escape(describe(a)) for a in step.rollback) or "\u2014"
    title = f"<strong>{escape(step.title)}</strong><br>{escape(step.why)}"
    if step.risk:
        title += (
            f'<br><span style="color: #b45309"><strong>Widens attack surface:</strong> '
            f"{escape(step.risk)}</span>"
        )
    if step.gui:
        title += f"<br><em>By hand:</em> {escape(step.gui)}"
    return (
        _code(step.id),
        title,
        changes,
        escape(step.verify),
        undo,
        escape(", ".join(step.rules)),
    )


def plan_html(p: Plan) -> str:
    """A :class:`~wmireach.planning.Plan`: where it starts and ends, the diagram, then a table
    of steps per computer (target first) with changes, verification, undo and rule IDs.

    >>> from wmireach.model import _example
    >>> from wmireach.planning import plan
    >>> text = plan_html(plan(_example()))
    >>> "On B (Computer B, the target, Windows Server 2019)" in text and "<svg" in text
    True
    """
    s = p.scenario
    before = simulate(s, p.client_state, p.target_state)
    after = p.outcome()
    kind = "Rollback plan" if p.is_rollback else "Remediation plan"
    before_badge = _badge(
        StageStatus.PASSED if before.passed else StageStatus.FAILED,
        "passes"
        if before.passed
        else f"fails at {before.stage.value if before.stage else ''} ({_hr_text(before.failure)})",
    )
    after_badge = _badge(
        StageStatus.PASSED if after.passed else StageStatus.FAILED,
        "passes" if after.passed else f"fails at {after.stage.value if after.stage else ''}",
    )
    parts = [
        f"<p>Before: the call {before_badge}; after its {len(p.steps)} step(s): the call "
        f"{after_badge}</p>"
    ]
    if p.focus is not None:
        code, stage = p.focus
        where = f" at stage {stage}" if stage else ""
        parts.append(f"<p>Focused on failure {_code(code)}{escape(where)}.</p>")
    if p.notes:
        parts.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in p.notes) + "</ul>")
    if p.unresolved:
        parts.append(
            f"<p>Unresolved by any script: {escape(', '.join(p.unresolved))} "
            "(see the manual steps).</p>"
        )
    parts.append(_figure(diagram(p)))
    if not p.steps:
        parts.append("<p>Nothing to change: the call passes with these settings.</p>")
    for side in (Side.TARGET, Side.CLIENT):
        steps = [st for st in p.steps if st.on is side]
        if not steps:
            continue
        computer = s.computer(side)
        role = "Computer B, the target" if side is Side.TARGET else "Computer A, the client"
        parts.append(
            f'<h4 style="margin: 8px 0 2px 0">On {escape(computer.name)} ({escape(role)}, '
            f"{escape(computer.release.display_name)})</h4>"
        )
        parts.append(
            _table(
                ("step", "what and why", "changes", "verify", "undo", "rules"),
                (_step_row(st) for st in steps),
            )
        )
    return _wrap(f"{kind}: {_scenario_title(s)}", *parts)


def plan_markdown(p: Plan) -> str:
    """A :class:`~wmireach.planning.Plan` as the Markdown runbook of ``wmireach plan``."""
    from wmireach.render.markdown import to_markdown

    return to_markdown(p)


# -- Diagnosis ---------------------------------------------------------------------------------


def _likelihood(value: float) -> str:
    width = max(1, round(value * 80))
    return (
        f'<span style="display: inline-block; width: {width}px; height: 8px; '
        f'background: #1d4ed8; margin-right: 4px"></span>{escape(f"{value:.0%}")}'
    )


def _cause_row(c: Cause) -> tuple[str, ...]:
    evidence = "".join(
        f"<li>{escape(e.where)}: {_code(e.check)} \u2014 {escape(e.confirms)}</li>"
        for e in c.evidence
    )
    detail = f"<strong>{escape(c.title)}</strong><br><em>Fix:</em> {escape(c.fix)}"
    if evidence:
        detail += (
            f"<details><summary>evidence ({len(c.evidence)})</summary><ul>{evidence}</ul></details>"
        )
    if c.steps:
        detail += "<br><em>Steps:</em> " + "; ".join(
            f"{_code(st.id)} on {escape(st.on.value)}: {escape(st.title)}" for st in c.steps
        )
    return (
        escape(c.rank),
        _code(c.id),
        _likelihood(c.likelihood),
        escape(c.side.value if c.side else "\u2014"),
        escape(c.stage.value if c.stage else "\u2014"),
        detail,
    )


def diagnosis_html(d: Diagnosis, scenario: Scenario | None = None) -> str:
    """A :class:`~wmireach.diagnosis.Diagnosis`: the summary, what was read and known, the
    diagram, and the ranked causes with likelihood bars, fixes and evidence to collect.

    >>> from wmireach.diagnosis import diagnose
    >>> "WR101" in diagnosis_html(diagnose("0x800706BA"))
    True
    """
    tone = StageStatus.FAILED if d.explained else StageStatus.UNKNOWN
    parts = [f'<p style="color: {tone.stroke}">{escape(d.summary)}</p>']
    rows = [
        ("codes", "<br>".join(escape(str(c)) for c in d.codes) or "none"),
        ("stage", escape(d.stage.value if d.stage else "not given")),
        ("known", escape(", ".join(f"{k}={v}" for k, v in d.known) or "nothing")),
        ("scenarios considered", escape(d.scenarios)),
    ]
    if d.events:
        rows.append(("events", "<br>".join(escape(str(e)) for e in d.events)))
    if d.ruled_out:
        rows.append(("ruled out", escape(", ".join(d.ruled_out))))
    parts.append(_rows(rows))
    parts.append(_figure(diagram(d, scenario=scenario)))
    shown = d.causes[:_MAX_SHOWN]
    if shown:
        parts.append(
            _table(
                ("rank", "cause", "likelihood", "computer", "stage", "what, fix, evidence"),
                (_cause_row(c) for c in shown),
            )
        )
    if len(d.causes) > len(shown):
        parts.append(f"<p>\u2026 and {len(d.causes) - len(shown)} less likely causes.</p>")
    return _wrap("Diagnosis", *parts)
