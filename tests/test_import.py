"""``import wmireach`` stays light and does no I/O (ARCHITECTURE.md, "Layers")."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import wmireach

FORBIDDEN = ("socket", "ssl", "asyncio", "subprocess", "http", "urllib", "selectors")


def _modules_after(code: str) -> set[str]:
    probe = f"{code}; import sys, json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def test_import_wmireach_pulls_in_no_network_or_protocol_module() -> None:
    modules = _modules_after("import wmireach")
    assert not [m for m in modules if m.split(".")[0] in FORBIDDEN]
    assert not [m for m in modules if m.startswith("impacket")]
    assert "attr" not in modules  # the public names load on first use


def test_decoding_pulls_in_no_network_or_protocol_module() -> None:
    modules = _modules_after(
        "import wmireach; wmireach.decode('0x800706BA').message; "
        "wmireach.find_codes('error 5 rpc_s_access_denied')"
    )
    assert not [m for m in modules if m.split(".")[0] in FORBIDDEN]
    assert not [m for m in modules if m.startswith(("impacket.dcerpc", "impacket.smb"))]


def test_public_api_is_explicit_and_resolvable() -> None:
    for name in wmireach.__all__:
        assert getattr(wmireach, name) is not None
    assert set(wmireach.__all__) <= set(dir(wmireach))


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        wmireach.no_such_thing  # noqa: B018


def test_no_public_name_is_shadowed_by_a_submodule() -> None:
    # Importing a submodule binds it on the package; one named like a public function (a
    # module `simulate` owning `simulate()`) would replace the function, depending on import
    # order. Import every submodule first, then check each public name in a fresh process.
    code = (
        "import importlib, pkgutil, types, wmireach\n"
        "for info in pkgutil.walk_packages(wmireach.__path__, 'wmireach.'):\n"
        "    if not info.name.endswith('__main__'):\n"
        "        importlib.import_module(info.name)\n"
        "M = types.ModuleType\n"
        "bad = [n for n in wmireach.__all__ if isinstance(getattr(wmireach, n), M)]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
