"""Figures for the decoder: import cost, CLI wall time, decode throughput, find_codes speed.

Prints figures and their ratio to each target; asserts nothing (targets from issue 2):

- ``import wmireach``: <= 90 ms on top of a bare interpreter;
- ``wmireach explain 0x800706BA``: <= 6x ``python -c pass``, measured side by side;
- decode: >= 300k ints/s and >= 100k texts/s;
- find_codes over a 100 MB synthetic log: >= 50 MB/s.

Processes run with bytecode caching on (as after ``pip install``, which compiles), whatever
PYTHONDONTWRITEBYTECODE says in the calling shell; one warm-up run fills the cache.

Usage: python bench/bench_hresult.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import wmireach
from wmireach import decode, find_codes

BIN = Path(sys.executable).parent
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def best_wall(argv: list[str], runs: int) -> float:
    subprocess.run(argv, env=ENV, stdout=subprocess.DEVNULL, check=True)  # warm-up
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=ENV, stdout=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def rate(fn: Callable[[object], object], items: list[object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for item in items:
            fn(item)
        best = min(best, time.perf_counter() - start)
    return len(items) / best


def synthetic_log(size: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    codes = [
        "0x800706BA",
        "-2147024891",
        "WBEM_E_ACCESS_DENIED",
        "rpc_s_access_denied",
        "2147749891",
        "error 1722",
        "status code: 00000721",
        "(Exception from HRESULT: 0x80070005)",
    ]
    lines = []
    total = 0
    while total < size:
        ts = f"2026-11-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
        ts += f"{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}"
        pid, port = rng.randint(100, 65000), rng.choice([135, 445, 49667, 24158])
        if rng.random() < 0.02:
            host = f"host-{rng.randint(1, 999)}:{port}"
            line = f"{ts} pid={pid} ERROR connect to {host} failed: {rng.choice(codes)}"
        else:
            line = (
                f"{ts} pid={pid} INFO wmi_client query 'SELECT * FROM Win32_Service' "
                f"on 127.0.0.{rng.randint(1, 254)}:{port} took {rng.randint(1, 900)} ms"
            )
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines)


def report(label: str, value: float, unit: str, target: float, higher_is_better: bool) -> None:
    ratio = value / target if higher_is_better else target / value if value else float("inf")
    verdict = "meets" if ratio >= 1 else "misses"
    print(
        f"{label:<44} {value:>12,.1f} {unit:<6} target {target:>10,.1f}  ({verdict}, x{ratio:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI smoke runs")
    args = parser.parse_args()
    runs = 3 if args.quick else 15
    print(f"wmireach {wmireach.__version__}, Python {sys.version.split()[0]}")

    python = str(BIN / "python")
    bare = best_wall([python, "-c", "pass"], runs)
    with_import = best_wall([python, "-c", "import wmireach"], runs)
    with_attrs = best_wall([python, "-c", "import wmireach.hresult"], runs)
    cli = shutil.which("wmireach", path=str(BIN)) or "wmireach"
    explain = best_wall([cli, "explain", "0x800706BA"], runs)
    print(f"python -c pass                               {bare * 1e3:12.1f} ms")
    report(
        "import wmireach (on top of the interpreter)", (with_import - bare) * 1e3, "ms", 90, False
    )
    print(f"import wmireach.hresult (attrs included)     {(with_attrs - bare) * 1e3:12.1f} ms")
    report("wmireach explain 0x800706BA, x python -c pass", explain / bare, "x", 6, False)

    rng = random.Random(1)
    ints: list[object] = [rng.getrandbits(32) for _ in range(20_000 if args.quick else 200_000)]
    decode(0x800706BA).message  # load the tables once, as any real caller does  # noqa: B018
    report("decode(int)", rate(decode, ints, 3), "/s", 300_000, True)
    texts: list[object] = [
        rng.choice([f"0x{v:08X}", str(v - (1 << 32) if v >> 31 else v), f"{v:08x}"])
        for v in (rng.getrandbits(32) for _ in range(len(ints) // 2))
    ]
    report("decode(text: hex and decimal)", rate(decode, texts, 3), "/s", 100_000, True)
    names: list[object] = ["E_ACCESSDENIED", "rpc_s_access_denied", "WBEM_E_ACCESS_DENIED"] * 2000
    report("decode(text: symbolic names)", rate(decode, names, 3), "/s", 100_000, True)

    size = 5_000_000 if args.quick else 100_000_000
    log = synthetic_log(size)
    start = time.perf_counter()
    found = find_codes(log)
    seconds = time.perf_counter() - start
    report(
        f"find_codes over {len(log) / 1e6:.0f} MB ({len(found):,} codes)",
        len(log) / 1e6 / seconds,
        "MB/s",
        50,
        True,
    )


if __name__ == "__main__":
    main()
