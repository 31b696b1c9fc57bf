"""The getting-started page runs as written: every block on it is executed.

``console`` blocks are run here, one shell per command (``$`` starts a command, ``>`` continues
it), from the repository root with this interpreter's scripts first on PATH; the output shown
(standard output and error together) must match, ``...`` standing for any text. A command
whose block shows no output (an installer's) is checked by its exit status only. ``python``
blocks are ``>>>`` examples, which pytest runs as doctests (``--doctest-glob=*.md``); this test
checks that no other kind of block sneaks in.
"""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "index.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(PAGE.read_text(encoding="utf-8"))]


def _commands(block: str) -> list[tuple[str, str]]:
    """(command, expected output) pairs of a console block."""
    commands: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif line.startswith("> ") and commands and commands[-1][0].endswith("\\"):
            command, output = commands[-1]
            commands[-1] = (command + "\n" + line[2:], output)
        else:
            assert commands, f"output before any command in {block!r}"
            commands[-1][1].append(line)
    return [(command, "".join(line + "\n" for line in output)) for command, output in commands]


CONSOLE = [c for kind, block in _blocks() if kind == "console" for c in _commands(block)]


def test_every_block_is_run_by_a_test() -> None:
    kinds = [kind for kind, _ in _blocks()]
    assert set(kinds) <= {"console", "python"}, kinds
    for kind, block in _blocks():
        if kind == "python":  # a doctest: every statement is a >>> or ... line
            assert block.lstrip().startswith(">>> "), block
    assert len(CONSOLE) >= 5


@pytest.mark.parametrize(("command", "expected"), CONSOLE, ids=[c[:40] for c, _ in CONSOLE])
def test_console_command(command: str, expected: str) -> None:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout
    if expected:
        checker = doctest.OutputChecker()
        # Long lines (a cause's title) are cut with "..." on the page; compare line structure.
        assert checker.check_output(expected, done.stdout, doctest.ELLIPSIS), (
            f"\n--- page shows ---\n{expected}--- command printed ---\n{done.stdout}"
        )
