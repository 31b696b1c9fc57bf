"""``wmireach diagram`` through the real command line: the SVG file, stdout, focus, bad input."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from wmireach.cli import EXIT_BAD_INPUT, main

_WG = ("--client-os", "win11", "--target-os", "win10", "--trust", "workgroup")


def _main(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["diagram", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_writes_a_well_formed_svg_file(tmp_path: Path) -> None:
    target = tmp_path / "call.svg"
    code, out, _ = _main(
        *_WG, "--account", "local-admin", "--call-mode", "async", "-o", str(target)
    )
    assert (code, out) == (0, "")
    root = ET.fromstring(target.read_text(encoding="utf-8"))
    texts = [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Computer A \u00b7 client" in texts and "Computer B \u00b7 target" in texts
    assert "callback into unsecapp.exe" in texts
    assert any(t.startswith("tcp-135 fails") for t in texts)


def test_prints_to_stdout_and_focuses_on_a_failure() -> None:
    code, out, _ = _main(*_WG, "--account", "local-admin", "--failure", "0x80070005")
    assert code == 0 and out.startswith("<svg")
    assert "dcom-activation fails: 0x80070005" in out
    assert "focused on 0x80070005" in out


def test_bad_input_exits_2_with_the_reason() -> None:
    code, _, err = _main(*_WG, "--stage", "query")
    assert code == EXIT_BAD_INPUT and "give --failure CODE too" in err
    code, _, err = _main(*_WG, "--account", "local-admin", "--failure", "0x80041010")
    assert code == EXIT_BAD_INPUT and "no requirement of this scenario fails with" in err
    code, _, err = _main("--client-os", "win10")
    assert code == EXIT_BAD_INPUT and "--target-os" in err


def test_the_command_is_listed_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "diagram   draw the call's connection diagram" in capsys.readouterr().out
