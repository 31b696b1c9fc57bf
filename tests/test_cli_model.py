"""The ``model`` sub-command, called in-process through its own parser (cli.py registers it)."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from wmireach._cli_model import register, run
from wmireach.errors import ScenarioError

CASES = Path(__file__).parent / "cases" / "model"


def _run(*argv: str) -> str:
    parser = argparse.ArgumentParser(prog="wmireach")
    register(parser.add_subparsers(dest="command"), summary="show a call")
    out = io.StringIO()
    assert run(parser.parse_args(["model", *argv]), out) == 0
    return out.getvalue()


def test_text_lists_connections_stages_and_requirements_with_sources() -> None:
    text = _run(
        "--client-os",
        "win10",
        "--target-os",
        "server2019",
        "--trust",
        "same-domain",
        "--account",
        "domain-admin",
        "--call-mode",
        "semisync",
    )
    assert text.startswith("Scenario: A (Windows 10) -> B (Windows Server 2019), same-domain")
    assert "connection-1: A -> B" in text
    assert "connection-2" not in text
    assert "Stages: resolve-name, tcp-135" in text
    assert "tcp-135          target  WR101  0x800706BA" in text
    assert "source: facts §2.1.4" in text
    assert "Out of the box: fails at tcp-135 with 0x800706BA (unmet: WR101, WR102)" in text


def test_json_for_async_workgroup() -> None:
    data = json.loads(
        _run(
            "--client-os",
            "win11",
            "--target-os",
            "2022",
            "--trust",
            "workgroup",
            "--account",
            "local-admin",
            "--call-mode",
            "async",
            "--json",
        )
    )
    assert data["connections"] == ["connection-1", "connection-2"]
    assert data["stages"][-1] == "callback"
    ids = [r["id"] for r in data["requirements"]]
    assert {"WR403", "WR801", "WR804", "WR805"} <= set(ids)
    by_id = {r["id"]: r for r in data["requirements"]}
    assert by_id["WR805"] == by_id["WR805"] | {"side": "client", "failure": "0x8007000E"}
    assert by_id["WR804"]["side"] == "target"
    assert all(r["sources"] for r in data["requirements"])
    assert data["scenario"]["trust"] == "workgroup"
    assert data["defaults"] == {
        "passed": False,
        "stage": "tcp-135",
        "failure": "0x800706BA",
        "unmet": ["WR101", "WR102"],
    }


def test_options_reach_the_scenario() -> None:
    data = json.loads(
        _run(
            "--client-os",
            "10.0.22631",
            "--target-os",
            "Windows Server 2016",
            "--client-domain",
            "corp",
            "--target-domain",
            "emea",
            "--trust",
            "untrusted-domain",
            "--account",
            "domain-user",
            "--account-name",
            "EMEA\\bob",
            "--fixed-port",
            "24158",
            "--auth-level",
            "pkt-privacy",
            "--target-patched",
            "2022-07-01",
            "--client-profile",
            "private",
            "--target-address",
            "10.2.0.9",
            "--other-subnet",
            "--namespace",
            "root\\StandardCimv2",
            "--json",
        )
    )
    s = data["scenario"]
    assert (s["client"]["release"], s["target"]["release"]) == ("win11", "server2016")
    assert (s["trust"], s["account"]["name"], s["fixed_port"]) == (
        "untrusted-domain",
        "EMEA\\bob",
        24158,
    )
    assert (s["auth_level"], s["target"]["patched"], s["same_subnet"]) == (
        "pkt-privacy",
        "2022-07-01",
        False,
    )
    assert s["client"]["profile"] == "private"
    assert "WR504" in [r["id"] for r in data["requirements"]]


@pytest.mark.parametrize("name", ["wr801-async-sink.toml", "wr102-localsubnet-scope.toml"])
def test_scenario_file_toml_and_json(name: str, tmp_path: Path) -> None:
    from_toml = json.loads(_run("--scenario", str(CASES / name), "--json"))
    as_json = tmp_path / "scenario.json"
    as_json.write_text(json.dumps(from_toml["scenario"]), encoding="utf-8")
    assert json.loads(_run("--scenario", str(as_json), "--json")) == from_toml


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--client-os", "win10"], "give --client-os and --target-os"),
        (["--client-os", "win10", "--target-os", "win95"], "unknown Windows release"),
        (
            [
                "--client-os",
                "win10",
                "--target-os",
                "win10",
                "--trust",
                "workgroup",
                "--account",
                "domain-user",
            ],
            "use a local account",
        ),
        (["--client-os", "win10", "--target-os", "2019", "--target-patched", "soon"], "not a date"),
        (["--scenario", "x.json", "--client-os", "win10"], "replaces --client-os"),
        (["--scenario", "/nonexistent/scenario.json"], "cannot read"),
    ],
)
def test_bad_input_raises_scenario_error(argv: list[str], message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        _run(*argv)


@pytest.mark.parametrize(
    ("suffix", "content", "message"),
    [
        (".json", "{not json", "not valid JSON"),
        (".toml", "client = [", "not valid TOML"),
        (".json", "[1, 2]", "one scenario object"),
        (".json", '{"scenario": 3}', "must be an object"),
        (".json", '{"client": {}}', "not a valid scenario"),
    ],
)
def test_bad_scenario_files(tmp_path: Path, suffix: str, content: str, message: str) -> None:
    path = tmp_path / f"s{suffix}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ScenarioError, match=message):
        _run("--scenario", str(path))


def test_static_choices_match_the_model() -> None:
    """register() keeps its choices literal (cheap parser); they must equal the model's."""
    from wmireach import _cli_model as cli
    from wmireach.model import (
        DEFAULT_NAMESPACE,
        DEFAULT_SINK_PROGRAM,
        HARDENING_FLOOR,
        AccountKind,
        AuthLevel,
        CallMode,
        NetworkProfile,
        Trust,
    )

    def values(enum_type: type) -> tuple[str, ...]:
        return tuple(m.value for m in enum_type)  # type: ignore[attr-defined]

    assert values(Trust) == cli.TRUSTS
    assert values(AccountKind) == cli.ACCOUNTS
    assert values(CallMode) == cli.CALL_MODES
    assert values(AuthLevel) == cli.AUTH_LEVELS
    assert values(NetworkProfile) == cli.PROFILES
    assert (
        DEFAULT_NAMESPACE,
        DEFAULT_SINK_PROGRAM,
        HARDENING_FLOOR.value,
    ) == (cli.NAMESPACE, cli.SINK_PROGRAM, cli.AUTH_LEVEL)


def test_registering_the_command_imports_none_of_the_model() -> None:
    import subprocess
    import sys

    probe = (
        "import argparse, sys; from wmireach._cli_model import register; "
        "register(argparse.ArgumentParser().add_subparsers(), summary='s'); "
        "print(' '.join(sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    # attrs is left out: every command loads it through wmireach.hresult anyway.
    heavy = ("wmireach.windows", "wmireach.model", "wmireach.simulation", "cattrs", "json")
    assert not [m for m in out.stdout.split() if m.startswith(heavy)]
    assert "pathlib" not in out.stdout.split()
