"""Plans per second over the whole scenario matrix, rendered in every format.

The matrix: every client release x every target release (that takes remote WMI) x trust x
account x call mode, with default settings otherwise. Prints the figures; asserts nothing
(``--quick`` takes a slice, for CI).

    python bench/bench_plan.py [--quick]
"""

from __future__ import annotations

import argparse
import itertools
import time

from wmireach.errors import ScenarioError
from wmireach.matrix import MEMBERSHIPS
from wmireach.model import Account, AccountKind, CallMode, Computer, Scenario, Trust
from wmireach.planning import plan
from wmireach.render import Format, render
from wmireach.windows import RELEASES


def matrix() -> list[Scenario]:
    """Every valid combination of releases, trust, account kind and call mode."""
    out = []
    for a, b, trust, kind, mode in itertools.product(
        RELEASES, RELEASES, Trust, AccountKind, CallMode
    ):
        ma, mb = MEMBERSHIPS[trust]
        try:
            out.append(
                Scenario(
                    client=Computer(name="A", release=a, membership=ma),
                    target=Computer(name="B", release=b, membership=mb),
                    account=Account(kind=kind, name="CORP\\alice" if kind.is_domain else "alice"),
                    call_mode=mode,
                    trust=trust,
                )
            )
        except ScenarioError:
            continue
    return out


def main() -> None:
    """Plan and render the matrix; print plans/s and the total time."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    scenarios = matrix()
    if args.quick:
        scenarios = scenarios[::50]
    start = time.perf_counter()
    plans = [plan(s) for s in scenarios]
    planned = time.perf_counter()
    documents = 0
    for p in plans:
        for candidate in (p, p.rollback()):
            for fmt in Format:
                sides = candidate.sides if fmt.per_computer and candidate.sides else (None,)
                for side in sides:
                    render(candidate, fmt, side=side)
                    documents += 1
    done = time.perf_counter()
    print(f"scenarios:         {len(scenarios)}")
    print(
        f"planning:          {planned - start:.2f} s ({len(plans) / (planned - start):.0f} plans/s)"
    )
    print(f"rendering:         {done - planned:.2f} s ({documents} documents incl. rollbacks)")
    print(f"total:             {done - start:.2f} s")


if __name__ == "__main__":
    main()
