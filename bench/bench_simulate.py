"""Figures for the simulator: the full scenario matrix from out-of-the-box states.

The matrix is every release pair x trust x account kind x call mode (issue 3); combinations
the model rejects (a domain account on a workgroup target) are counted and skipped. Prints
figures and their ratio to the target; asserts nothing.

Target (issue 3): simulate the whole matrix in under 2 s.

Usage: python bench/bench_simulate.py [--quick]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from wmireach.matrix import build_matrix as matrix
from wmireach.simulation import default_states, requirements, simulate

TARGET_SECONDS = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one pass instead of three")
    args = parser.parse_args()

    start = time.perf_counter()
    scenarios, rejected = matrix()
    built = time.perf_counter() - start
    size = len(scenarios) + rejected
    print(f"matrix: {size} combinations, {len(scenarios)} valid, {rejected} rejected")
    print(f"building the scenarios: {built:.3f} s")

    best = float("inf")
    outcomes: Counter[str] = Counter()
    for round_ in range(1 if args.quick else 3):
        requirements.cache_clear()  # each pass pays for the requirement lists too
        start = time.perf_counter()
        results = [simulate(s, *default_states(s)) for s in scenarios]
        best = min(best, time.perf_counter() - start)
        if round_ == 0:
            outcomes.update(
                "passed" if o.passed else f"{o.stage.value if o.stage else '?'}" for o in results
            )
    rate = len(scenarios) / best
    print(
        f"whole matrix from defaults: {best:.3f} s (target < {TARGET_SECONDS:.0f} s, "
        f"{best / TARGET_SECONDS:.0%} of budget), {rate:,.0f} scenarios/s"
    )
    print("outcomes from defaults: " + ", ".join(f"{k} {v}" for k, v in outcomes.most_common()))


if __name__ == "__main__":
    main()
