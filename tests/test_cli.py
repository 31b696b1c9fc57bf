"""The command line, called in-process (``main(argv)``) and once as a real process."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from wmireach import __version__
from wmireach.cli import main


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def test_explain_prints_a_breakdown() -> None:
    code, out, err = run("explain", "0x800706BA")
    assert code == 0 and not err
    assert out.startswith("0x800706BA  RPC_S_SERVER_UNAVAILABLE")
    assert "The RPC server is unavailable." in out
    assert "FACILITY_WIN32" in out and "-2147023174" in out


def test_explain_json_has_the_documented_keys() -> None:
    code, out, _ = run("explain", "--json", "5", "WBEM_E_ACCESS_DENIED (2147749891)")
    rows = json.loads(out)
    assert code == 0 and len(rows) == 2
    keys = {
        "input",
        "value",
        "hex",
        "signed",
        "severity",
        "facility",
        "code",
        "name",
        "names",
        "message",
        "win32",
        "ntstatus",
    }
    assert all(keys <= set(row) for row in rows)
    assert rows[0]["hex"] == "0x80070005" and rows[0]["win32"] == 5
    assert rows[1]["facility"] == {"value": 4, "name": "FACILITY_ITF"}
    assert rows[1]["input"] == "WBEM_E_ACCESS_DENIED (2147749891)"


def test_explain_bad_input_exits_2_with_the_reason_on_stderr() -> None:
    code, out, err = run("explain", "0x800706BA", "nonsense here")
    assert code == 2
    assert "0x800706BA" in out
    assert "cannot read 'nonsense here'" in err and "Accepted:" in err


def test_explain_reads_standard_input_and_finds_every_code() -> None:
    log = "10:00 connect failed: 0x800706BA\n10:01 retry: WBEM_E_ACCESS_DENIED\n"
    code, out, _ = run("explain", "--all", "--json", "-", stdin=log)
    assert code == 0
    assert [row["hex"] for row in json.loads(out)] == ["0x800706BA", "0x80041003"]


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("explain")[0] == 2
    assert run("no-such-command")[0] == 2
    assert "usage:" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--version")[0] == 0
    assert capsys.readouterr().out.strip() == f"wmireach {__version__}"


def test_module_entry_point_runs_as_a_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wmireach", "explain", "rpc_s_access_denied"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert result.stdout.startswith("0x80070005")


def test_explain_decodes_event_ids() -> None:
    code, out, err = run("explain", "event 10036")
    assert code == 0, err
    assert out.startswith("event 10036")
    assert "WR402" in out


def test_explain_json_marks_codes_and_events() -> None:
    code, out, _ = run("explain", "--json", "Event ID: 10016 after 0x80070005")
    rows = json.loads(out)
    assert code == 0
    assert [(row["kind"], row.get("hex") or row.get("id")) for row in rows] == [
        ("code", "0x80070005"),
        ("event", 10016),
    ]


def test_a_closed_pipe_ends_the_output_quietly() -> None:
    script = f"{sys.executable} -m wmireach explain --all - < /dev/stdin | head -c 1 >/dev/null"
    result = subprocess.run(
        ["bash", "-c", "set -o pipefail; " + script],
        input="0x80070005 " * 50_000,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in result.stderr
    assert "BrokenPipe" not in result.stderr
