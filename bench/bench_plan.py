"""Plans per second over the whole scenario matrix, rendered in every format.

The matrix: every client release x every target release (that takes remote WMI) x trust x
account x call mode, with default settings otherwise. Each plan and its rollback are rendered in
every format (scripts once per computer). Prints the figures; asserts nothing (``--quick`` takes
a slice, for CI).

Planning and rendering are pure functions of their inputs, so a matrix splits across processes
the way a user would split it (``--jobs``, default: one process per CPU). The figures show the
wall time, the CPU time each stage took summed over the processes, and the single-process rate.

    python bench/bench_plan.py [--quick] [--jobs N]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import itertools
import os
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


def work(chunk: tuple[int, int, int]) -> tuple[int, int, float, float]:
    """Plan and render ``matrix()[start:stop:step]``: (plans, documents, plan s, render s)."""
    start, stop, step = chunk
    scenarios = matrix()[start:stop:step]
    began = time.process_time()
    plans = [plan(s) for s in scenarios]
    planned = time.process_time()
    documents = 0
    for p in plans:
        for candidate in (p, p.rollback()):
            for fmt in Format:
                sides = candidate.sides if fmt.per_computer and candidate.sides else (None,)
                for side in sides:
                    render(candidate, fmt, side=side)
                    documents += 1
    return len(plans), documents, planned - began, time.process_time() - planned


def main() -> None:
    """Plan and render the matrix; print plans/s and the total time."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a 1-in-50 slice of the matrix")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="processes (default: CPUs)"
    )
    args = parser.parse_args()
    total = len(matrix())
    step = 50 if args.quick else 1
    jobs = max(1, args.jobs)
    # Interleaved slices: every process gets the same mix of releases, trusts and modes.
    chunks = [(offset * step, total, step * jobs) for offset in range(jobs)]
    wall = time.perf_counter()
    if jobs == 1:
        results = [work(chunks[0])]
    else:
        with concurrent.futures.ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(work, chunks))
    wall = time.perf_counter() - wall
    plans = sum(r[0] for r in results)
    documents = sum(r[1] for r in results)
    planning = sum(r[2] for r in results)
    rendering = sum(r[3] for r in results)
    cpu = planning + rendering
    print(f"scenarios:         {plans} of {total}")
    print(f"processes:         {jobs}")
    print(f"planning (CPU):    {planning:.2f} s ({plans / planning:.0f} plans/s per process)")
    print(f"rendering (CPU):   {rendering:.2f} s ({documents} documents incl. rollbacks)")
    print(f"CPU total:         {cpu:.2f} s (one process would take about this long)")
    print(f"wall:              {wall:.2f} s (target for the whole matrix: 10 s)")
    print(f"wall / target:     {wall / 10.0:.2f}" + ("" if not args.quick else " (quick slice)"))


if __name__ == "__main__":
    main()
