"""Figures for the diagnosis: diagnoses per second with a full scenario and with only the error.

Prints the cold cost (first diagnosis: matrix and single faults computed) and the warm rate
(caches filled, as in a long-running tool); asserts nothing.

Usage: python bench/bench_diagnose.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import attrs

from wmireach.diagnosis import diagnose, single_faults
from wmireach.matrix import scenario_matrix

TEXTS = (
    "Get-WmiObject : The RPC server is unavailable. (Exception from HRESULT: 0x800706BA)",
    "[-] rpc_s_access_denied",
    "SWbemLocator: Access denied 0x80041003",
    "0x8004100E",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer diagnoses")
    args = parser.parse_args()
    n = 200 if args.quick else 2000

    start = time.perf_counter()
    diagnose(TEXTS[0])
    print(f"cold: first diagnosis from the error alone {time.perf_counter() - start:.2f} s")

    start = time.perf_counter()
    for i in range(n):
        diagnose(TEXTS[i % len(TEXTS)])
    rate = n / (time.perf_counter() - start)
    print(f"error text only (warm): {rate:,.0f} diagnoses/s")

    scenarios = scenario_matrix()[:: max(1, len(scenario_matrix()) // 500)]
    cases = []
    for s in scenarios:
        for stage, code in single_faults(s).values():
            cases.append((s, stage, code))
    start = time.perf_counter()
    done = 0
    while done < n:
        for s, stage, code in cases:
            diagnose(code, scenario=attrs.evolve(s, namespace="root\\cimv2"), stage=stage)
            done += 1
            if done >= n:
                break
    rate = done / (time.perf_counter() - start)
    print(f"full scenario + stage (warm, {len(scenarios)} scenarios): {rate:,.0f} diagnoses/s")


if __name__ == "__main__":
    main()
