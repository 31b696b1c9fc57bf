"""``wmireach probe``: secrets from the environment only, JSON lines, per-host errors."""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest

from wmireach.cli import main
from wmireach.model import Stage
from wmireach.testing.responder import DEFAULT_ACCOUNTS, Responder, Script

USER, PASSWORD = next(iter(DEFAULT_ACCOUNTS.items()))
Start = Callable[..., Responder]


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_json_lines_one_per_host_and_bad_hosts_do_not_stop_the_batch(
    responders: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WMIREACH_PASSWORD", PASSWORD)
    good = responders(Script())
    denied = responders(Script(fault_at=Stage.NAMESPACE_LOGIN))
    hosts = [f"127.0.0.1:{good.port}", f"127.0.0.1:{denied.port}", "", "x:70000"]
    code, out, _ = _run(["probe", *hosts, "-u", USER, "--json", "--diagnose", "--timeout", "1"])
    assert code == 2  # malformed hosts are bad input; the good ones are still probed
    rows = {row["target"]: row for row in map(json.loads, out.splitlines())}
    assert set(rows) == set(hosts)
    assert rows[hosts[0]]["passed"] is True
    assert rows[hosts[0]]["diagnosis"] is None
    assert rows[hosts[1]]["failed_at"] == "namespace-login"
    assert rows[hosts[1]]["diagnosis"]["causes"][0]["id"] == "WR601"
    assert "empty" in rows[""]["error"]
    assert "out of range" in rows["x:70000"]["error"]
    assert PASSWORD not in out


def test_text_output_names_the_stage_and_the_cause(
    responders: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WMIREACH_PASSWORD", PASSWORD)
    peer = responders(Script(fault_at=Stage.DCOM_ACTIVATION))
    code, out, _ = _run(
        ["probe", f"127.0.0.1:{peer.port}", "-u", USER, "--account", "local-admin", "--diagnose"]
    )
    assert code == 1
    assert "dcom-activation  failed" in out
    assert "0x80070005 E_ACCESSDENIED" in out
    assert "WR403" in out
    assert PASSWORD not in out


def test_a_failing_call_exits_1(responders: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WMIREACH_PASSWORD", PASSWORD)
    good = responders(Script())
    denied = responders(Script(fault_at=Stage.QUERY))
    code, _, err = _run(["probe", f"127.0.0.1:{good.port}", f"127.0.0.1:{denied.port}", "-u", USER])
    assert (code, err) == (1, "")


def test_all_passed_exits_0(responders: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WMIREACH_PASSWORD", PASSWORD)
    peer = responders(Script())
    code, out, _ = _run(["probe", f"127.0.0.1:{peer.port}", "-u", USER])
    assert code == 0, out
    assert "passed" in out


def test_hashes_come_from_the_environment_too(
    responders: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    from impacket import ntlm

    monkeypatch.setenv("WMIREACH_PASSWORD", ntlm.compute_nthash(PASSWORD).hex())
    peer = responders(Script())
    code, out, _ = _run(["probe", f"127.0.0.1:{peer.port}", "-u", USER, "--hashes", "--json"])
    assert code == 0, out
    assert json.loads(out)["passed"] is True


def test_no_secret_and_no_terminal_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WMIREACH_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = _run(["probe", "127.0.0.1", "-u", USER])
    assert code == 2
    assert "WMIREACH_PASSWORD" in err


def test_a_password_option_does_not_exist() -> None:
    code, _, _ = _run(["probe", "127.0.0.1", "-u", USER, "--password", "x"])
    assert code == 2


def test_anonymous_probe_stops_at_a_stage(responders: Start) -> None:
    peer = responders(Script(version=(6, 3, 9600)))
    code, out, _ = _run(["probe", f"127.0.0.1:{peer.port}", "--stage", "authenticate", "--json"])
    row = json.loads(out)
    assert code == 0
    assert row["identity"]["build"] == "9600"
    assert [s["status"] for s in row["stages"]][-1] == "skipped"


def test_a_progress_bar_on_a_terminal(responders: Start, monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    bar = Terminal()
    monkeypatch.setattr("sys.stderr", bar)
    peer = responders(Script())
    code, out, _ = _run(["probe", f"127.0.0.1:{peer.port}", "", "--stage", "tcp-135", "--json"])
    assert code == 2
    assert "2/2 hosts, 1 failed" in bar.getvalue()
    assert len(out.splitlines()) == 2


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probe", "--help"]) == 0
    text = capsys.readouterr().out
    assert "examples:\n  wmireach probe" in text
    assert "WMIREACH_PASSWORD" in text
