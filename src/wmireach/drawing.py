"""The connection diagram: Computer A and B, their firewalls and the connections of a call, as SVG.

Owns: :func:`diagram` (a scenario, outcome, plan or diagnosis drawn as SVG text),
:func:`stage_diagram` (the same picture from any per-stage results, e.g. a live probe's) and
:class:`StageStatus` (passed / failed / timed out / skipped / not reached, with its colours,
shared with :mod:`wmireach.display`).

What is drawn: Computer A (client) and Computer B (target) as boxes with release and membership;
each computer's firewall as a wall on the side facing the other; Connection 1 as two arrows
A -> B (TCP 135 for the endpoint mapper and DCOM activation, then the WMI port) and, for
asynchronous calls only, Connection 2 as the callback B -> A into the sink (facts: remote-wmi.md
§0.1); the failed stage marked on its arrow (stopped at the wall when a firewall refused it);
plan steps or likely causes listed inside the computer they belong to; and a strip of the stages
in order, coloured by status.

Every piece of text is XML-escaped and wrapped to the width it has, so any user string (computer
names, account names, programs) lands in a text node and never overflows its box.

Must not: do I/O (the CLI writes the file), or import from wmireach above
:mod:`wmireach.diagnosis`.

>>> from wmireach.model import _example
>>> from wmireach.planning import plan
>>> svg = diagram(plan(_example()))
>>> svg.startswith("<svg") and "Computer B" in svg and "tcp-135" in svg
True
"""

from __future__ import annotations

import enum
import html
import textwrap
from collections.abc import Mapping, Sequence
from typing import Final

import attrs

from wmireach.diagnosis import Diagnosis
from wmireach.errors import InvalidCode, ScenarioError
from wmireach.hresult import HResult, decode
from wmireach.model import CallMode, Computer, Scenario, Side, Stage
from wmireach.planning import Plan
from wmireach.rules import rule
from wmireach.simulation import Outcome, simulate
from wmireach.windows import release

__all__ = ["StageStatus", "diagram", "stage_diagram"]


class StageStatus(enum.Enum):
    """What happened at one stage of a call, simulated or live."""

    PASSED = "passed"
    FAILED = "failed"
    TIMED_OUT = "timed-out"
    SKIPPED = "skipped"
    NOT_REACHED = "not-reached"
    #: Nothing is known (a scenario without an outcome).
    UNKNOWN = "unknown"

    @property
    def stroke(self) -> str:
        """The line and text colour of this status."""
        return _STROKE[self]

    @property
    def fill(self) -> str:
        """The background colour of this status."""
        return _FILL[self]


_STROKE: Final = {
    StageStatus.PASSED: "#2e7d32",
    StageStatus.FAILED: "#c62828",
    StageStatus.TIMED_OUT: "#b45309",
    StageStatus.SKIPPED: "#6b7280",
    StageStatus.NOT_REACHED: "#9ca3af",
    StageStatus.UNKNOWN: "#475569",
}
_FILL: Final = {
    StageStatus.PASSED: "#e8f5e9",
    StageStatus.FAILED: "#ffebee",
    StageStatus.TIMED_OUT: "#fff3e0",
    StageStatus.SKIPPED: "#f3f4f6",
    StageStatus.NOT_REACHED: "#f9fafb",
    StageStatus.UNKNOWN: "#f1f5f9",
}

_BAD: Final = frozenset({StageStatus.FAILED, StageStatus.TIMED_OUT})

#: The arrows, in drawing order; each stage travels on one of them. Authentication and DCOM
#: activation run over the TCP 135 connection to RPCSS; the namespace login and the query over
#: the connection to the WMI port (facts: remote-wmi.md §0.1, §6.1).
_ROW_OF: Final = {
    Stage.RESOLVE_NAME: 0,
    Stage.TCP_135: 0,
    Stage.ENDPOINT_MAPPER: 0,
    Stage.AUTHENTICATE: 0,
    Stage.DCOM_ACTIVATION: 0,
    Stage.WMI_PORT: 1,
    Stage.NAMESPACE_LOGIN: 1,
    Stage.QUERY: 1,
    Stage.CALLBACK: 2,
}
#: Stages where a refusing firewall on the receiving side stops the connection (facts §2).
_WALL_STAGES: Final = frozenset({Stage.TCP_135, Stage.WMI_PORT, Stage.CALLBACK})
_UNAVAILABLE: Final = 0x800706BA

# -- geometry (pixels) -------------------------------------------------------------------------
_WIDTH: Final = 1000
_MARGIN: Final = 20
_BOX_W: Final = 320
_WALL_W: Final = 14
_FONT: Final = "DejaVu Sans, Verdana, Arial, sans-serif"
#: Wide enough for DejaVu Sans and Verdana, the widest of the fonts asked for.
_CHAR_EM: Final = 0.6
_BOX_TOP: Final = 100
_ROW_Y: Final = (_BOX_TOP + 122, _BOX_TOP + 202, _BOX_TOP + 282)
_INFO_H: Final = 104
_MAX_ITEM_LINES: Final = 4
_MAX_ITEMS: Final = 8


@attrs.frozen(kw_only=True)
class _Box:
    heading: str
    lines: tuple[str, ...]
    items_heading: str
    items: tuple[tuple[str, str], ...]


@attrs.frozen(kw_only=True)
class _Picture:
    title: str
    details: str
    status: str
    status_tone: StageStatus
    client: _Box
    target: _Box
    stages: tuple[tuple[Stage, StageStatus], ...]
    failure: str | None
    port: str
    sink: str | None
    footer_heading: str = ""
    footer: tuple[tuple[str, str], ...] = ()


# -- text --------------------------------------------------------------------------------------


def _esc(text: str) -> str:
    # html.escape with quote=True yields only XML's predefined entities and &#x27;.
    return html.escape(_printable(text), quote=True)


#: Control characters (which XML 1.0 forbids, or shows as nothing) and lone surrogates -> space.
_UNPRINTABLE: Final = dict.fromkeys((*range(32), *range(0x7F, 0xA0), *range(0xD800, 0xE000)), " ")


def _printable(text: str) -> str:
    """Text with control characters and lone surrogates shown as spaces."""
    return text.translate(_UNPRINTABLE)


def _chars(width: float, size: float, *, bold: bool = False) -> int:
    # Bold glyphs run about a fifth wider than regular ones in DejaVu Sans and Verdana.
    return max(4, int(width / (size * _CHAR_EM * (1.2 if bold else 1.0))))


def _wrap(
    text: str,
    width: float,
    size: float,
    max_lines: int = _MAX_ITEM_LINES,
    *,
    bold: bool = False,
) -> list[str]:
    chars = _chars(width, size, bold=bold)
    lines = textwrap.wrap(
        " ".join(_printable(text).split()), chars, break_long_words=True, break_on_hyphens=False
    ) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: chars - 1].rstrip() + "\u2026"
    return lines


def _fit(text: str, width: float, size: float, *, bold: bool = False) -> str:
    """One line: cut with an ellipsis where it would overflow (not wrapped at a space)."""
    flat = " ".join(_printable(text).split())
    chars = _chars(width, size, bold=bold)
    return flat if len(flat) <= chars else flat[: chars - 1].rstrip() + "\u2026"


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = 12,
    fill: str = "#111827",
    weight: str = "normal",
    anchor: str = "start",
) -> str:
    return (
        f'<text x="{x:g}" y="{y:g}" font-size="{size:g}" fill="{fill}" '
        f'font-weight="{weight}" text-anchor="{anchor}">{_esc(text)}</text>'
    )


# -- from model values to a picture ------------------------------------------------------------


def _membership(computer: Computer) -> str:
    m = computer.membership
    if m.is_domain:
        where = f"domain {m.name}"
    else:
        where = "workgroup" if m.name == "workgroup" else f"workgroup {m.name}"
    return f"{where}, {computer.profile.value} profile"


def _computer_box(side: Side, computer: Computer | None, known: tuple[str, ...]) -> _Box:
    role = "Computer A \u00b7 client" if side is Side.CLIENT else "Computer B \u00b7 target"
    if computer is None:
        lines = known or ("release not given",)
    else:
        lines = (
            computer.name,
            computer.release.display_name,
            _membership(computer),
            *((f"address {computer.address}",) if computer.address else ()),
        )
    return _Box(heading=role, lines=lines, items_heading="", items=())


def _port_text(scenario: Scenario | None) -> str:
    if scenario is None:
        return "WMI port: dynamic or fixed"
    if scenario.fixed_port is not None:
        return f"WMI port: fixed TCP {scenario.fixed_port}"
    low, high = scenario.target.release.rpc_dynamic_ports
    return f"WMI port: dynamic TCP {low}-{high}"


def _sink_text(scenario: Scenario | None, stages: Sequence[Stage]) -> str | None:
    if scenario is None:
        return "callback into A's sink" if Stage.CALLBACK in stages else None
    if scenario.call_mode is not CallMode.ASYNC:
        return None
    program = scenario.sink_program.replace("/", "\\").rsplit("\\", 1)[-1]
    return f"callback into {program}"


def _statuses(
    stages: Sequence[Stage], failed: Stage | None, passed: bool | None
) -> tuple[tuple[Stage, StageStatus], ...]:
    result: list[tuple[Stage, StageStatus]] = []
    for stage in stages:
        if passed is None:
            status = StageStatus.UNKNOWN
        elif failed is None or stage < failed:
            status = StageStatus.PASSED
        elif stage is failed:
            status = StageStatus.FAILED
        else:
            status = StageStatus.NOT_REACHED
        result.append((stage, status))
    return tuple(result)


def _code_text(code: HResult | int | None) -> str | None:
    if code is None:
        return None
    hr = code if isinstance(code, HResult) else decode(code)
    return f"{hr.hex} {hr.name}" if hr.name else hr.hex


def _title(scenario: Scenario | None, what: str) -> str:
    if scenario is None:
        return what
    s = scenario
    return (
        f"{what}: {s.client.name} ({s.client.release.display_name}) \u2192 {s.target.name} "
        f"({s.target.release.display_name})"
    )


def _details(scenario: Scenario | None) -> str:
    if scenario is None:
        return ""
    s = scenario
    account = s.account.kind.value + (f" {s.account.name}" if s.account.name else "")
    return (
        f"{s.call_mode.value} call, trust {s.trust.value}, account {account}, "
        f"namespace {s.namespace}, authentication {s.auth_level.value}"
    )


def _scenario_stages(scenario: Scenario | None, failed: Stage | None) -> tuple[Stage, ...]:
    if scenario is not None:
        return scenario.stages
    if failed is Stage.CALLBACK:
        return tuple(Stage)
    return tuple(s for s in Stage if s is not Stage.CALLBACK)


def _picture(  # noqa: PLR0917 - internal
    scenario: Scenario | None,
    what: str,
    failed: Stage | None,
    passed: bool | None,
    code: HResult | int | None,
    status: str,
    items: Sequence[tuple[Side, str, str]] = (),
    items_heading: str = "",
    known: Mapping[Side, tuple[str, ...]] | None = None,
    footer: Sequence[tuple[str, str]] = (),
    footer_heading: str = "",
    stages: Sequence[tuple[Stage, StageStatus]] | None = None,
    details: str | None = None,
) -> _Picture:
    order = _scenario_stages(scenario, failed)
    statuses = tuple(stages) if stages is not None else _statuses(order, failed, passed)
    known = known or {}
    boxes = {}
    for side in Side:
        box = _computer_box(
            side, None if scenario is None else scenario.computer(side), known.get(side, ())
        )
        mine = tuple((ident, text) for on, ident, text in items if on is side)
        boxes[side] = attrs.evolve(box, items_heading=items_heading if mine else "", items=mine)
    tone = StageStatus.UNKNOWN
    if any(st in _BAD for _, st in statuses):
        tone = StageStatus.FAILED
    elif statuses and all(st is StageStatus.PASSED for _, st in statuses):
        tone = StageStatus.PASSED
    return _Picture(
        title=_title(scenario, what),
        details=_details(scenario) if details is None else details,
        status=status,
        status_tone=tone,
        client=boxes[Side.CLIENT],
        target=boxes[Side.TARGET],
        stages=statuses,
        failure=_code_text(code),
        port=_port_text(scenario),
        sink=_sink_text(scenario, [s for s, _ in statuses]),
        footer_heading=footer_heading if footer else "",
        footer=tuple(footer),
    )


def _outcome_words(outcome: Outcome) -> str:
    if outcome.passed or outcome.stage is None:
        return "the call passes"
    return f"the call fails at {outcome.stage.value} ({', '.join(outcome.unmet)} unmet)"


def _from_outcome(outcome: Outcome, scenario: Scenario | None) -> _Picture:
    return _picture(
        scenario,
        "Simulated call",
        outcome.stage,
        outcome.passed,
        outcome.failure,
        _outcome_words(outcome),
    )


def _focus_stage(p: Plan, code: int) -> Stage | None:
    stages = [rule(rid).stage for st in p.steps for rid in st.rules if rule(rid).failure == code]
    return min(stages) if stages else None


def _from_plan(p: Plan) -> _Picture:
    before = simulate(p.scenario, p.client_state, p.target_state)
    after = p.outcome()
    failed, code = before.stage, before.failure
    kind = "Rollback plan" if p.is_rollback else "Plan"
    count = f"{len(p.steps)} step" + ("" if len(p.steps) == 1 else "s")
    status = f"before: {_outcome_words(before)}; after the {count}: " + (
        "the call passes" if after.passed else _outcome_words(after)
    )
    if p.focus is not None:
        code = int(p.focus[0], 16)
        failed = Stage(p.focus[1]) if p.focus[1] else _focus_stage(p, code) or before.stage
        where = f" at {failed.value}" if failed is not None else ""
        status = f"focused on {p.focus[0]}{where}: the {count} that remove its causes"
    items = [(st.on, st.id, st.title + (" (manual)" if st.manual else "")) for st in p.steps]
    return _picture(
        p.scenario,
        kind,
        failed,
        False if failed is not None else before.passed,
        code,
        status,
        items=items,
        items_heading="Steps here",
    )


def _known_release(value: str) -> str:
    try:
        return release(value).display_name
    except (ScenarioError, InvalidCode, LookupError, ValueError):
        return value


def _known_lines(given: Mapping[str, str], side: Side) -> tuple[str, ...]:
    """What a diagnosis was told about one computer, as box lines."""
    os_field, fields = (
        ("client_os", ("trust", "client_auth_level"))
        if side is Side.CLIENT
        else ("target_os", ("trust", "account", "patched"))
    )
    first = _known_release(given[os_field]) if os_field in given else "release not given"
    words = {"client_auth_level": "authentication"}
    return (first, *(f"{words.get(f, f)} {given[f]}" for f in fields if f in given))


def _from_diagnosis(d: Diagnosis, scenario: Scenario | None) -> _Picture:
    top = d.top
    failed = d.stage if d.stage is not None else (top.stage if top is not None else None)
    given = dict(d.known)
    causes = d.causes[:_MAX_ITEMS]
    items = [(c.side, c.id, f"{c.likelihood:.0%} {c.title}") for c in causes if c.side is not None]
    if top is not None and top.steps:
        items += [(st.on, f"fix {st.id}", st.title) for st in top.steps]
    details = None
    if scenario is None:
        details = "known: " + (", ".join(f"{k}={v}" for k, v in d.known) or "only the error")
    return _picture(
        scenario,
        "Diagnosis",
        failed,
        False if failed is not None else None,
        d.codes[0] if d.codes else None,
        d.summary,
        items=items,
        items_heading="Likely causes here",
        known={side: _known_lines(given, side) for side in Side},
        footer=[(c.id, f"{c.likelihood:.0%} {c.title}") for c in causes if c.side is None],
        footer_heading="Causes outside configuration",
        details=details,
    )


# -- drawing -----------------------------------------------------------------------------------


def _box_items_height(box: _Box) -> int:
    if not box.items:
        return 0
    height = 26
    for ident, text in box.items:
        height += 15 * len(_wrap(text, _BOX_W - 24 - _ident_width(ident), 11.5)) + 6
    return height


def _ident_width(ident: str) -> float:
    # Bold capitals and digits are wider than running text.
    return len(ident) * 11.5 * 0.72 + 8


def _draw_box(x: float, height: float, box: _Box, *, failed: bool) -> list[str]:
    out = [
        f'<rect x="{x:g}" y="{_BOX_TOP}" width="{_BOX_W}" height="{height:g}" rx="8" '
        f'fill="#ffffff" stroke="{"#c62828" if failed else "#334155"}" '
        f'stroke-width="{2.5 if failed else 1.5}"/>',
        f'<rect x="{x:g}" y="{_BOX_TOP}" width="{_BOX_W}" height="26" rx="8" fill="#e2e8f0"/>',
        _text(x + 12, _BOX_TOP + 18, box.heading, size=13, weight="bold"),
    ]
    y = _BOX_TOP + 44.0
    for i, line in enumerate(box.lines[:4]):
        size = 13 if i == 0 else 12
        out.append(
            _text(
                x + 12,
                y,
                _fit(line, _BOX_W - 24, size, bold=i == 0),
                size=size,
                weight="bold" if i == 0 else "normal",
            )
        )
        y += 17
    y = float(_BOX_TOP + _INFO_H)
    if box.items:
        # Leave the band the arrows cross free: items start below the last arrow row.
        y = max(y, _ROW_Y[-1] + 30.0)
        out.append(_text(x + 12, y + 4, box.items_heading, size=12, weight="bold", fill="#334155"))
        y += 22
        for ident, text in box.items:
            width = _ident_width(ident)
            out.append(_text(x + 12, y, ident, size=11.5, weight="bold", fill="#1d4ed8"))
            for line in _wrap(text, _BOX_W - 24 - width, 11.5):
                out.append(_text(x + 12 + width, y, line, size=11.5))
                y += 15
            y += 6
    return out


def _wall(x: float, top: float, height: float, *, refused: bool) -> list[str]:
    colour = "#c62828" if refused else "#b45309"
    out = [
        f'<rect x="{x:g}" y="{top:g}" width="{_WALL_W}" height="{height:g}" fill="{colour}" '
        f'fill-opacity="0.85" stroke="{colour}"/>'
    ]
    # Brick joints, as one path: a wall, not a bar.
    joints = []
    y, row = top + 10, 0
    while y < top + height:
        mid = x + (_WALL_W / 2 if row % 2 else _WALL_W / 4)
        joints.append(f"M{x:g},{y:g}H{x + _WALL_W:g}M{mid:g},{y - 10:g}V{y:g}")
        y += 10
        row += 1
    out.append(f'<path d="{"".join(joints)}" stroke="#ffffff" stroke-width="1" fill="none"/>')
    return out


def _arrow(x1: float, x2: float, y: float, colour: str, label: str, *, dashed: bool) -> list[str]:
    direction = 1 if x2 > x1 else -1
    head = x2 - direction * 10
    dash = ' stroke-dasharray="6 5"' if dashed else ""
    mid = (x1 + x2) / 2
    return [
        f'<line x1="{x1:g}" y1="{y:g}" x2="{head:g}" y2="{y:g}" stroke="{colour}" '
        f'stroke-width="2.5"{dash}/>',
        f'<polygon points="{x2:g},{y:g} {head:g},{y - 6:g} {head:g},{y + 6:g}" fill="{colour}"/>',
        _text(mid, y - 8, _fit(label, abs(x2 - x1) - 8, 11), size=11, anchor="middle", fill=colour),
    ]


def _cross(x: float, y: float, colour: str) -> list[str]:
    return [
        f'<circle cx="{x:g}" cy="{y:g}" r="10" fill="#ffffff" stroke="{colour}" '
        'stroke-width="2.5"/>',
        f'<path d="M{x - 5:g},{y - 5:g} L{x + 5:g},{y + 5:g} M{x + 5:g},{y - 5:g} '
        f'L{x - 5:g},{y + 5:g}" stroke="{colour}" stroke-width="2.5"/>',
    ]


def _row_status(pic: _Picture, row: int) -> tuple[StageStatus, Stage | None]:
    statuses = [(s, st) for s, st in pic.stages if _ROW_OF[s] == row]
    bad = next(((s, st) for s, st in statuses if st in _BAD), None)
    if bad is not None:
        return bad[1], bad[0]
    if statuses and all(st is StageStatus.PASSED for _, st in statuses):
        return StageStatus.PASSED, None
    if statuses and all(st in (StageStatus.NOT_REACHED, StageStatus.SKIPPED) for _, st in statuses):
        return statuses[0][1], None
    if any(st is StageStatus.PASSED for _, st in statuses):
        return StageStatus.PASSED, None
    return StageStatus.UNKNOWN, None


def _render(pic: _Picture) -> str:
    a_x = _MARGIN
    b_x = _WIDTH - _MARGIN - _BOX_W
    wall_a = a_x + _BOX_W
    wall_b = b_x - _WALL_W
    box_h = max(
        _ROW_Y[-1] - _BOX_TOP + 40,
        _INFO_H + 10,
        *(
            max(_ROW_Y[-1] + 30, _BOX_TOP + _INFO_H) - _BOX_TOP + _box_items_height(b) + 10
            for b in (pic.client, pic.target)
            if b.items
        ),
    )
    body: list[str] = []
    failed_stage = next((s for s, st in pic.stages if st in _BAD), None)
    failed_side: Side | None = None
    refused_by: Side | None = None
    if failed_stage is not None:
        failed_side = Side.CLIENT if failed_stage is Stage.CALLBACK else Side.TARGET
        if failed_stage is Stage.RESOLVE_NAME:
            failed_side = Side.CLIENT
        code_hex = (pic.failure or "").split(" ")[0]
        if failed_stage in _WALL_STAGES and (not code_hex or int(code_hex, 16) == _UNAVAILABLE):
            refused_by = failed_side
    body += _draw_box(a_x, box_h, pic.client, failed=False)
    body += _draw_box(
        b_x, box_h, pic.target, failed=failed_side is Side.TARGET and refused_by is None
    )
    wall_top = _BOX_TOP + 30
    wall_h = box_h - 34
    body += _wall(wall_a, wall_top, wall_h, refused=refused_by is Side.CLIENT)
    body += _wall(wall_b, wall_top, wall_h, refused=refused_by is Side.TARGET)
    body.append(
        _text(
            wall_a + _WALL_W / 2,
            _BOX_TOP - 6,
            "A's firewall",
            size=10,
            anchor="middle",
            fill="#92400e",
        )
    )
    body.append(
        _text(
            wall_b + _WALL_W / 2,
            _BOX_TOP - 6,
            "B's firewall",
            size=10,
            anchor="middle",
            fill="#92400e",
        )
    )
    rows = [
        (0, "Connection 1 \u00b7 A \u2192 B", "TCP 135: endpoint mapper, activation"),
        (1, "Connection 1 \u00b7 A \u2192 B", pic.port),
    ]
    if pic.sink:
        rows.append((2, "Connection 2 \u00b7 B \u2192 A", pic.sink))
    for row, caption, label in rows:
        status, stage = _row_status(pic, row)
        y: float = _ROW_Y[row]
        colour = status.stroke
        dashed = status in (StageStatus.NOT_REACHED, StageStatus.SKIPPED, StageStatus.UNKNOWN)
        start, end = (wall_a + _WALL_W, b_x) if row < 2 else (wall_b, a_x + _BOX_W)
        if stage is not None and stage in _WALL_STAGES and refused_by is not None:
            end = wall_b - 2 if row < 2 else wall_a + _WALL_W + 2
        body += _arrow(start, end, y, colour, label, dashed=dashed)
        body.append(
            _text((start + end) / 2, y - 24, caption, size=9.5, anchor="middle", fill="#64748b")
        )
        if stage is not None:
            body += _cross(end - (14 if row < 2 else -14), y, colour)
            words = f"{stage.value} {'times out' if status is StageStatus.TIMED_OUT else 'fails'}"
            if pic.failure:
                words += f": {pic.failure}"
            width = b_x - wall_a - _WALL_W - 16
            for i, line in enumerate(_wrap(words, width, 11.5, max_lines=2, bold=True)):
                body.append(
                    _text(
                        (start + end) / 2,
                        y + 20 + 14 * i,
                        line,
                        size=11.5,
                        anchor="middle",
                        fill=colour,
                        weight="bold",
                    )
                )
    if not pic.sink:
        body.append(
            _text(
                _WIDTH / 2,
                _ROW_Y[2] - 8,
                "no Connection 2: not an asynchronous call",
                size=10.5,
                anchor="middle",
                fill="#6b7280",
            )
        )
    y = float(_BOX_TOP + box_h + 26)
    # The stage strip.
    body.append(_text(_MARGIN, y, "Stages", size=12, weight="bold", fill="#334155"))
    y += 8
    count = max(1, len(pic.stages))
    chip_w = (_WIDTH - 2 * _MARGIN - (count - 1) * 4) / count
    for i, (stage, status) in enumerate(pic.stages):
        x = _MARGIN + i * (chip_w + 4)
        dash = ' stroke-dasharray="4 3"' if status is StageStatus.SKIPPED else ""
        body.append(
            f'<rect x="{x:.1f}" y="{y:g}" width="{chip_w:.1f}" height="34" rx="5" '
            f'fill="{status.fill}" stroke="{status.stroke}" stroke-width="1.5"{dash}/>'
        )
        body.append(
            _text(
                x + chip_w / 2,
                y + 14,
                _fit(stage.value, chip_w - 6, 9.5),
                size=9.5,
                anchor="middle",
                weight="bold",
                fill=status.stroke,
            )
        )
        body.append(
            _text(
                x + chip_w / 2, y + 27, status.value, size=9.5, anchor="middle", fill=status.stroke
            )
        )
    y += 34
    if pic.footer:
        y += 24
        body.append(_text(_MARGIN, y, pic.footer_heading, size=12, weight="bold", fill="#334155"))
        y += 18
        for ident, text in pic.footer:
            ident_w = _ident_width(ident)
            body.append(_text(_MARGIN, y, ident, size=11.5, weight="bold", fill="#1d4ed8"))
            for line in _wrap(text, _WIDTH - 2 * _MARGIN - ident_w, 11.5, max_lines=2):
                body.append(_text(_MARGIN + ident_w, y, line, size=11.5))
                y += 15
            y += 4
    height = y + _MARGIN
    head = [
        _text(
            _MARGIN,
            26,
            _fit(pic.title, _WIDTH - 2 * _MARGIN, 15, bold=True),
            size=15,
            weight="bold",
        ),
        _text(_MARGIN, 44, _fit(pic.details, _WIDTH - 2 * _MARGIN, 12), size=12, fill="#475569"),
        *(
            _text(_MARGIN, 61 + 15 * i, line, size=12, fill=pic.status_tone.stroke)
            for i, line in enumerate(_wrap(pic.status, _WIDTH - 2 * _MARGIN, 12, max_lines=2))
        ),
    ]
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height:g}" '
            f'viewBox="0 0 {_WIDTH} {height:g}" font-family="{_FONT}" role="img">',
            f"<title>{_esc(pic.title)}</title>",
            f'<rect x="0" y="0" width="{_WIDTH}" height="{height:g}" fill="#ffffff"/>',
            *head,
            *body,
            "</svg>",
        ]
    )


# -- public ------------------------------------------------------------------------------------


def diagram(
    subject: Scenario | Outcome | Plan | Diagnosis, *, scenario: Scenario | None = None
) -> str:
    """The connection diagram of ``subject`` as SVG text.

    A :class:`~wmireach.model.Scenario` shows its computers and connections; an
    :class:`~wmireach.simulation.Outcome` marks the stage that failed; a
    :class:`~wmireach.planning.Plan` marks where its starting states fail and lists each step
    in the computer it runs on; a :class:`~wmireach.diagnosis.Diagnosis` marks the observed (or
    most likely) stage and lists the likely causes on their computer. Outcomes and diagnoses do
    not carry their scenario: pass ``scenario`` to draw its computers.

    >>> from wmireach.model import _example
    >>> from wmireach.simulation import default_states, simulate
    >>> s = _example()
    >>> svg = diagram(simulate(s, *default_states(s)), scenario=s)
    >>> "tcp-135 fails: 0x800706BA" in svg
    True
    """
    if scenario is not None and not isinstance(scenario, Scenario):
        raise ScenarioError(f"scenario must be a Scenario, not {type(scenario).__name__}")
    if isinstance(subject, Scenario):
        pic = _picture(
            subject,
            "Remote WMI call",
            None,
            None,
            None,
            "connections and stages of the call (no outcome given)",
        )
    elif isinstance(subject, Outcome):
        pic = _from_outcome(subject, scenario)
    elif isinstance(subject, Plan):
        pic = _from_plan(subject)
    elif isinstance(subject, Diagnosis):
        pic = _from_diagnosis(subject, scenario)
    else:
        raise ScenarioError(
            f"cannot draw a {type(subject).__name__}; diagram() accepts a Scenario, Outcome, "
            "Plan or Diagnosis"
        )
    return _render(pic)


def stage_diagram(
    scenario: Scenario | None,
    stages: Mapping[Stage, StageStatus],
    *,
    failure: HResult | int | None = None,
    title: str = "Remote WMI call",
    status: str = "",
    steps: Sequence[tuple[Side, str, str]] = (),
) -> str:
    """The connection diagram for per-stage results from anywhere (a live probe, a log).

    ``stages`` maps each stage to its status, in any order (they are drawn in call order);
    ``failure`` is the code the failed or timed-out stage returned; ``steps`` are
    ``(side, id, text)`` items listed inside the computer on ``side``.

    >>> svg = stage_diagram(None, {Stage.TCP_135: StageStatus.PASSED,
    ...                            Stage.AUTHENTICATE: StageStatus.TIMED_OUT})
    >>> "authenticate times out" in svg
    True
    """
    for stage, st in stages.items():
        if not isinstance(stage, Stage) or not isinstance(st, StageStatus):
            raise ScenarioError(
                f"stages must map Stage to StageStatus, got {stage!r}: {st!r}; statuses are "
                + ", ".join(s.value for s in StageStatus)
            )
    ordered = tuple(sorted(stages.items(), key=lambda item: item[0].order))
    pic = _picture(
        scenario,
        title,
        None,
        None,
        failure,
        status,
        items=steps,
        items_heading="Steps here",
        stages=ordered,
    )
    return _render(pic)
