"""Write docs/rules.md, the rule reference by ID, from wmireach.rules.RULES.

Usage::

    python tools/gen_rules_doc.py          # rewrite docs/rules.md
    python tools/gen_rules_doc.py --check  # exit 1 if docs/rules.md is stale

Exit status: 0 done / up to date, 1 stale (with --check), 2 bad usage.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from wmireach.model import Stage
from wmireach.rules import RETIRED_RULE_IDS, RULES

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "rules.md"

HEADER = """\
<!-- GENERATED FILE - DO NOT EDIT BY HAND.
     Generator: tools/gen_rules_doc.py (input: wmireach.rules.RULES)
     Regenerate with `python tools/gen_rules_doc.py`; a test fails when this file is stale. -->
"""


def render() -> str:
    """The whole page, deterministic: rules in registry order (stage, then priority)."""
    lines = [
        HEADER,
        "# Rule reference",
        "",
        "Every requirement wmireach's model checks, by stable ID. An ID is never reused. The",
        "first digit of an ID is the position of the stage it guards; within a stage, the first",
        "unmet rule decides the failure code. Sources: `[Sn]` ids and sections (§) of the fact",
        "sheet `facts/remote-wmi.md`, or Microsoft document titles.",
        "",
        "| ID | Stage | Side | Failure | Title |",
        "|---|---|---|---|---|",
    ]
    for rule in RULES:
        title = rule.title.replace("|", "\\|")
        lines.append(
            f"| [{rule.id}](#{rule.id.lower()}) | {rule.stage.value} | {rule.side.value} | "
            f"`0x{rule.failure:08X}` | {title} |"
        )
    for stage in Stage:
        in_stage = [r for r in RULES if r.stage is stage]
        if not in_stage:
            continue
        lines += ["", f"## Stage `{stage.value}` ({stage.connection.value})"]
        for rule in in_stage:
            lines += [
                "",
                f"### {rule.id}",
                "",
                f"**{rule.title}**",
                "",
                f"- Computer: {rule.side.value}",
                f"- Failure when unmet: `0x{rule.failure:08X}`",
                "",
                rule.explanation,
                "",
                "Sources:",
                "",
                *(f"- {source}" for source in rule.sources),
            ]
    lines += ["", "## Retired IDs", ""]
    if RETIRED_RULE_IDS:
        lines += [f"- {rid}: {why}" for rid, why in sorted(RETIRED_RULE_IDS.items())]
    else:
        lines.append("None yet.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/rules.md is stale")
    args = parser.parse_args(argv)
    new = render()
    if args.check:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != new:
            print(
                f"{TARGET.relative_to(ROOT)} is stale; run python tools/gen_rules_doc.py",
                file=sys.stderr,
            )
            return 1
        return 0
    TARGET.write_text(new, encoding="utf-8", newline="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
