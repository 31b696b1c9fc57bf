"""What every sub-command promises alike (docs/cli.md): --json, --help with examples, exit
codes, plain output with no terminal escapes, and shell completion."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from wmireach.cli import EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_OK, main

SCENARIO = ["--client-os", "win10", "--target-os", "server2019", "--trust", "workgroup"]
SCENARIO += ["--account", "local-admin", "--call-mode", "semisync"]
#: One ordinary invocation per command (without --json).
COMMANDS = {
    "explain": ["explain", "0x800706BA", "rpc_s_access_denied"],
    "model": ["model", *SCENARIO],
    "plan": ["plan", *SCENARIO],
    "diagnose": ["diagnose", "0x80070005", "--trust", "workgroup", "--account", "local-admin"],
    "diagram": ["diagram", *SCENARIO, "--failure", "0x80070005"],
}
#: One bad input per command: a value the library refuses (not a usage error).
BAD_INPUT = {
    "explain": ["explain", "no code in here"],
    "model": ["model", "--client-os", "win95", "--target-os", "server2019"],
    "plan": [
        "plan",
        *SCENARIO[:4],
        "--trust",
        "same-domain",
        "--account",
        "local-admin",
        "--client-domain",
        "corp",
        "--target-domain",
        "corp",
        "--fixed-port",
        "80000",
    ],
    "diagnose": ["diagnose", "nothing to see"],
    "diagram": ["diagram", *SCENARIO, "--failure", "0x80041010"],
}


def run(*argv: str, stdin: io.StringIO | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err, stdin=stdin or io.StringIO(""))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_answers_with_exit_0_and_json_on_request(command: str) -> None:
    code, out, err = run(*COMMANDS[command])
    assert (code, err) == (EXIT_OK, "") and out
    code, out, err = run(*COMMANDS[command], "--json")
    assert (code, err) == (EXIT_OK, "")
    assert json.loads(out)


@pytest.mark.parametrize("command", COMMANDS)
def test_bad_input_exits_2_with_the_command_and_reason_on_stderr(command: str) -> None:
    code, out, err = run(*BAD_INPUT[command])
    assert code == EXIT_BAD_INPUT
    assert out == ""
    assert err.startswith(f"wmireach {command}: ") and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["explain"],
        ["model", "--trust", "cousins"],
        ["plan", "--no-such"],
        ["diagnose", "0x5", "--top", "many"],
    ],
)
def test_usage_errors_exit_2_with_usage_on_stderr(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "usage: wmireach" in captured.err and "error:" in captured.err


@pytest.mark.parametrize("command", [None, *COMMANDS, "probe"])
def test_help_has_examples_and_exits_0(
    command: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--help"] if command is None else [command, "--help"]
    assert main(argv) == EXIT_OK
    text = capsys.readouterr().out
    assert "examples:\n  wmireach " in text
    if command is None:  # the overview names the contract
        assert "--json" in text and "Exit status" in text and "register-python-argcomplete" in text


def test_plan_json_is_format_json_and_conflicts_are_refused() -> None:
    assert run("plan", *SCENARIO, "--json") == run("plan", *SCENARIO, "--format", "json")
    code, out, err = run("plan", *SCENARIO, "--json", "--format", "netsh")
    assert (code, out) == (EXIT_BAD_INPUT, "")
    assert "--json and --format netsh disagree" in err


def test_interrupt_exits_130_without_a_traceback() -> None:
    class Interrupted(io.StringIO):
        def read(self, size: int | None = -1) -> str:
            raise KeyboardInterrupt

    code, out, err = run("explain", "-", stdin=Interrupted())
    assert (code, out, err) == (EXIT_INTERRUPTED, "", "wmireach explain: interrupted\n")


def _on_a_terminal(argv: list[str], env: dict[str, str]) -> bytes:
    """Run ``python -m wmireach argv`` with its output on a pseudo-terminal; what it printed."""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "wmireach", *argv],
            stdout=follower,
            stderr=follower,
            stdin=subprocess.DEVNULL,
            env=env,
            check=False,
            timeout=120,
        )
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    assert proc.returncode == EXIT_OK
    return b"".join(chunks)


@pytest.mark.parametrize("no_color", [True, False])
def test_no_terminal_escapes_even_on_a_terminal_that_asks_for_colour(no_color: bool) -> None:
    env = {**os.environ, "TERM": "xterm-256color", "FORCE_COLOR": "1", "CLICOLOR_FORCE": "1"}
    env.pop("NO_COLOR", None)
    if no_color:
        env["NO_COLOR"] = "1"
    for argv in COMMANDS.values():
        printed = _on_a_terminal(argv, env)
        assert printed and b"\x1b" not in printed, argv


def test_shell_completion_through_argcomplete(tmp_path: Path) -> None:
    pytest.importorskip("argcomplete")
    answer = tmp_path / "completions"
    line = "wmireach plan --client-os win10 --tr"
    env = {
        **os.environ,
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_IFS": "\n",
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE_STDOUT_FILENAME": str(answer),
    }
    subprocess.run(
        [sys.executable, "-m", "wmireach"],
        env=env,
        check=False,
        timeout=60,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert [w.strip() for w in answer.read_text().split("\n")] == ["--trust"]
    line = "wmireach plan --format p"
    env.update(COMP_LINE=line, COMP_POINT=str(len(line)))
    subprocess.run([sys.executable, "-m", "wmireach"], env=env, check=False, timeout=60)
    assert [w.strip() for w in answer.read_text().split("\n")] == ["powershell"]


def test_the_completion_marker_is_where_register_python_argcomplete_looks() -> None:
    import wmireach.cli

    head = Path(wmireach.cli.__file__).read_bytes()[:1024]
    assert b"PYTHON_ARGCOMPLETE_OK" in head


@pytest.mark.parametrize("columns", ["50", "132", "", "junk"])
def test_help_is_as_wide_as_argparse_makes_it(
    columns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import argparse

    from wmireach.cli import _Formatter

    monkeypatch.setenv("COLUMNS", columns)
    assert _Formatter("wmireach")._width == argparse.HelpFormatter("wmireach")._width


def test_explain_start_up_imports_no_shutil() -> None:
    # argparse sizes a formatter for every option it adds; its own way imports shutil (and
    # bz2, lzma), ~3 ms of a budget of 6x a bare interpreter (bench/bench_hresult.py).
    code = (
        "import io, sys; from wmireach.cli import main; "
        "main(['explain', '0x800706BA'], out=io.StringIO()); print('shutil' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
