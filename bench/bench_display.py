"""Diagrams and notebook displays per second over the scenario matrix.

For every scenario of :func:`wmireach.matrix.scenario_matrix`: the plan's SVG diagram, then
the plan's whole ``_repr_html_`` (tables and the diagram). Prints the figures, the ratio of the
display to planning itself, and the largest document; asserts nothing (``--quick`` takes a
slice, for CI).

    python bench/bench_display.py [--quick]
"""

from __future__ import annotations

import argparse
import time

from wmireach.display import plan_html
from wmireach.drawing import diagram
from wmireach.matrix import scenario_matrix
from wmireach.planning import plan


def main() -> None:
    """Draw and display the matrix's plans; print per-second figures and sizes."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    scenarios = list(scenario_matrix())
    if args.quick:
        scenarios = scenarios[::100]
    start = time.perf_counter()
    plans = [plan(s) for s in scenarios]
    planned = time.perf_counter()
    svgs = [diagram(p) for p in plans]
    drawn = time.perf_counter()
    pages = [plan_html(p) for p in plans]
    shown = time.perf_counter()
    n = len(plans)
    plan_s, draw_s, html_s = planned - start, drawn - planned, shown - drawn
    print(f"scenarios: {n}")
    print(f"plan:     {n / plan_s:9.0f} /s  ({plan_s:.2f} s)")
    print(f"diagram:  {n / draw_s:9.0f} /s  ({draw_s:.2f} s)")
    print(f"html:     {n / html_s:9.0f} /s  ({html_s:.2f} s, diagram included)")
    print(f"ratio html/plan time: {html_s / plan_s:.2f}")
    print(
        f"largest SVG: {max(map(len, svgs)) / 1024:.1f} KiB, largest HTML: "
        f"{max(map(len, pages)) / 1024:.1f} KiB"
    )


if __name__ == "__main__":
    main()
