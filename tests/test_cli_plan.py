"""``wmireach plan`` in-process: options, formats, side, rollback, failure focus, bad input.

cli.py registers the command once the maintainers add it to ``_MODULE_COMMANDS``; until then
these tests build the parser from ``_cli_plan.register`` directly.
"""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from wmireach import _cli_plan
from wmireach.errors import ScenarioError


def _run(*argv: str) -> str:
    parser = argparse.ArgumentParser(prog="wmireach")
    _cli_plan.register(parser.add_subparsers(dest="command"), summary="plan")
    out = io.StringIO()
    assert _cli_plan.run(parser.parse_args(["plan", *argv]), out) == 0
    return out.getvalue()


_WG = ("--client-os", "win10", "--target-os", "win10", "--trust", "workgroup")


def test_markdown_is_the_default_and_names_both_sides() -> None:
    text = _run(*_WG, "--account", "local-admin", "--account-name", "wmi", "--call-mode", "async")
    assert "## On B (Computer B, the target" in text
    assert "## On A (Computer A, the client" in text
    assert "Prefer semisynchronous calls" in text


def test_client_address_scopes_the_target_rules() -> None:
    text = _run(
        *_WG,
        "--account",
        "builtin-admin",
        "--client-address",
        "10.0.0.5",
        "--format",
        "powershell",
        "--side",
        "target",
    )
    assert "-RemoteAddress '10.0.0.5'" in text
    assert "Enable-NetFirewallRule" not in text.split("function Set-WmiReachGroupMember")[1]


def test_rollback_json_reverses_the_steps() -> None:
    forward = json.loads(
        _run(*_WG, "--account", "local-user", "--account-name", "u", "--format", "json")
    )
    back = json.loads(
        _run(
            *_WG, "--account", "local-user", "--account-name", "u", "--format", "json", "--rollback"
        )
    )
    assert back["rollback"] is True
    assert [s["id"] for s in back["steps"]] == [
        f"undo-{s['id']}" for s in reversed(forward["steps"])
    ]


def test_failure_focuses_the_plan() -> None:
    data = json.loads(
        _run(
            *_WG,
            "--account",
            "local-user",
            "--account-name",
            "u",
            "--failure",
            "0x80041003",
            "--format",
            "json",
        )
    )
    assert [r for s in data["steps"] for r in s["rules"]] == ["WR601"]
    assert data["focus"] == {"failure": "0x80041003", "stage": None}


def test_failure_no_rule_produces_is_refused() -> None:
    with pytest.raises(
        ScenarioError, match="no requirement of this scenario fails with 0x8007000E"
    ):
        _run(*_WG, "--failure", "0x8007000E", "--account", "local-user")


def test_scripts_need_a_side_when_both_computers_have_steps() -> None:
    with pytest.raises(ScenarioError, match="both computers"):
        _run(*_WG, "--account", "local-admin", "--call-mode", "async", "--format", "netsh")


def test_bad_address_is_refused_with_a_clear_error() -> None:
    with pytest.raises(ScenarioError, match="not an IP address"):
        _run(*_WG, "--account", "local-admin", "--client-address", "10.0.0.5&calc")


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "fix.reg"
    assert _run(*_WG, "--account", "local-admin", "--format", "reg", "-o", str(target)) == ""
    assert target.read_text(encoding="utf-8").startswith("Windows Registry")
