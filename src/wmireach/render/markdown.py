"""The plan as a Markdown runbook: one section per computer, each step with why, risk, the GUI
path, how to verify and how to undo.

Owns: :func:`to_markdown`. Must not: do I/O.

>>> from wmireach.model import _example
>>> from wmireach.planning import plan
>>> print(to_markdown(plan(_example())).splitlines()[0])
# Remediation plan: A (Windows 10) -> B (Windows Server 2019)
"""

from __future__ import annotations

import functools

from wmireach.model import Side
from wmireach.planning import Plan, Step
from wmireach.render._words import describe

__all__ = ["to_markdown"]


@functools.lru_cache(maxsize=4096)  # pure; plans repeat the same texts
def _inline(text: str) -> str:
    """Text safe inside a Markdown line: no line breaks, backticks and pipes neutralized."""
    return " ".join(text.split()).replace("`", "'").replace("|", "\\|")


@functools.lru_cache(maxsize=4096)  # pure; the same steps recur across plans and rollbacks
def _step(step: Step) -> tuple[str, ...]:
    lines = [f"### {step.id}. {_inline(step.title)}", "", _inline(step.why), ""]
    if step.risk:
        lines += [f"> **Widens attack surface:** {_inline(step.risk)}", ""]
    if step.trade_off:
        lines += [f"*Trade-off:* {_inline(step.trade_off)}", ""]
    if step.manual:
        lines += ["**Manual step:** no script can do this; see above.", ""]
    else:
        lines += ["Changes:", ""]
        lines += [f"- {_inline(describe(a))}" for a in step.actions]
        lines.append("")
    if step.gui:
        lines += [f"By hand: {_inline(step.gui)}", ""]
    lines += [f"Verify: {_inline(step.verify)}", ""]
    if step.rollback:
        lines += ["Undo:", ""]
        lines += [f"- {_inline(describe(a))}" for a in step.rollback]
        lines.append("")
    lines += [f"- {_inline(n)}" for n in step.notes]
    lines += [
        f"Rules: {', '.join(step.rules)}. Sources: " + "; ".join(_inline(s) for s in step.sources),
        "",
    ]
    return tuple(lines)


def to_markdown(plan: Plan) -> str:
    """A readable runbook of ``plan`` (both computers, target first)."""
    s = plan.scenario
    kind = "Rollback plan" if plan.is_rollback else "Remediation plan"
    lines = [
        f"# {kind}: {_inline(s.client.name)} ({s.client.release.display_name}) -> "
        f"{_inline(s.target.name)} ({s.target.release.display_name})",
        "",
        f"Trust {s.trust.value}, account {s.account.kind.value}"
        + (f" `{_inline(s.account.name)}`" if s.account.name else "")
        + f", {s.call_mode.value} calls, namespace `{s.namespace}`, authentication level "
        f"{s.auth_level.value}.",
        "",
    ]
    if plan.focus is not None:
        code, stage = plan.focus
        lines += [f"Focused on failure {code}" + (f" at stage {stage}" if stage else "") + ".", ""]
    lines += [f"- {_inline(n)}" for n in plan.notes]
    lines.append("")
    if plan.unresolved:
        lines += [
            f"Unresolved by any script: {', '.join(plan.unresolved)} (see the manual steps).",
            "",
        ]
    if not plan.steps:
        lines += ["Nothing to change: the call passes with these settings.", ""]
    for side in (Side.TARGET, Side.CLIENT):
        steps = [st for st in plan.steps if st.on is side]
        if not steps:
            continue
        computer = s.computer(side)
        role = "Computer B, the target" if side is Side.TARGET else "Computer A, the client"
        lines += [f"## On {_inline(computer.name)} ({role}, {computer.release.display_name})", ""]
        for step in steps:
            lines += _step(step)
    return "\n".join(lines).rstrip() + "\n"
