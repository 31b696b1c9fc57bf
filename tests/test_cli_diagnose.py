"""wmireach diagnose, in process through the sub-command module (cli.py wiring comes later)."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from wmireach import _cli_diagnose
from wmireach.errors import WmiReachError


def _run(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="wmireach")
    _cli_diagnose.register(parser.add_subparsers(dest="command"), summary="why it failed")
    out = io.StringIO()
    code = _cli_diagnose.run(parser.parse_args(["diagnose", *argv]), out)
    return code, out.getvalue()


def test_text_output_ranks_and_shows_checks() -> None:
    code, text = _run(
        "Access is denied. 0x80070005", "--account", "local-admin", "--trust", "workgroup"
    )
    assert code == 0
    assert "#1 WR403" in text
    assert "check on Computer B" in text
    assert "fix:" in text


def test_json_output() -> None:
    code, text = _run("0x800706BA", "--call-mode", "semisync", "--json")
    data = json.loads(text)
    assert code == 0
    assert data["causes"][0]["id"] == "WR101"
    assert abs(sum(c["likelihood"] for c in data["causes"]) - 1) < 0.01


def test_not_remote_wmi_exits_zero() -> None:
    code, text = _run("0x80070002")
    assert code == 0
    assert text.startswith("not a remote-WMI failure; this is ERROR_FILE_NOT_FOUND")


def test_event_option_and_flags() -> None:
    code, text = _run("access denied", "--event", "10036", "--works-locally")
    assert code == 0
    assert "#1 WR402" in text


def test_bad_input_raises_for_exit_code_2() -> None:
    with pytest.raises(WmiReachError):
        _run("no code here at all")
    with pytest.raises(WmiReachError):
        _run("0x5", "--target-os", "win99")


def test_a_whole_scenario_brings_the_plan_steps() -> None:
    import io

    from wmireach.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = ["diagnose", "WBEM_E_ACCESS_DENIED (2147749891)", "--client-os", "win10",
            "--target-os", "server2022", "--trust", "same-domain", "--account", "domain-user",
            "--call-mode", "semisync", "--json"]  # fmt: skip
    assert main(argv, out=out, err=err) == 0, err.getvalue()
    top = json.loads(out.getvalue())["causes"][0]
    assert top["id"] == "WR601"
    assert [s["on"] for s in top["steps"]] == ["target"]
    assert "Remote Enable" in top["steps"][0]["title"]


def test_format_renders_the_fixing_plan_and_needs_the_whole_scenario() -> None:
    import io

    from wmireach.cli import main

    out, err = io.StringIO(), io.StringIO()
    argv = ["diagnose", "0x800706BA", "--client-os", "win10", "--target-os", "server2019",
            "--trust", "same-domain", "--account", "domain-admin", "--call-mode", "semisync",
            "--format", "netsh", "--top", "1"]  # fmt: skip
    assert main(argv, out=out, err=err) == 0, err.getvalue()
    text = out.getvalue()
    assert "----- plan (target), netsh -----" in text
    assert 'group="@FirewallAPI.dll,-34251"' in text

    out, err = io.StringIO(), io.StringIO()
    assert main(["diagnose", "0x800706BA", "--format", "netsh"], out=out, err=err) == 2
    assert out.getvalue() == ""
    assert "needs the whole scenario" in err.getvalue()
