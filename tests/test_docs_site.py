"""The documentation site: generated reference pages up to date and true, nav complete.

(`mkdocs build --strict` itself runs in .ci/run, which installs the ``docs`` extra.)
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from wmireach import RULES, decode, release
from wmireach.testing import REMOTE_WMI_CODES
from wmireach.windows import RELEASES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_reference_docs", ROOT / "tools" / "gen_reference_docs.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("page", "render"), [("hresults.md", "render_hresults"), ("releases.md", "render_releases")]
)
def test_generated_pages_are_up_to_date(page: str, render: str) -> None:
    current = (DOCS / page).read_text(encoding="utf-8")
    assert current == getattr(_generator(), render)(), (
        f"docs/{page} is stale: run python tools/gen_reference_docs.py"
    )


ROW = re.compile(r"^\| `(0x[0-9A-F]{8})` \| (-?\d+) \| ([^|]*) \|", re.MULTILINE)


def test_every_hresult_row_says_what_decode_says() -> None:
    page = (DOCS / "hresults.md").read_text(encoding="utf-8")
    rows = ROW.findall(page)
    assert len(rows) > 500
    for hex_text, signed, names in rows:
        hr = decode(hex_text)
        assert (hr.hex, hr.signed) == (hex_text, int(signed))
        assert re.findall(r"`([^`]+)`", names) == list(hr.names)


def test_the_remote_wmi_codes_and_every_rule_failure_are_listed_with_their_causes() -> None:
    page = (DOCS / "hresults.md").read_text(encoding="utf-8")
    known = page.split("## Codes with a known remote-WMI cause")[1].split("\n## ")[0]
    for code in REMOTE_WMI_CODES:
        assert f"| `0x{code:08X}` |" in known
    for rule in RULES:
        row = next(line for line in known.splitlines() if f"`0x{rule.failure:08X}`" in line)
        assert f"[{rule.id}](rules.md#{rule.id.lower()})" in row


def test_release_matrix_names_every_release_by_what_the_options_accept() -> None:
    page = (DOCS / "releases.md").read_text(encoding="utf-8")
    for r in RELEASES:
        assert f"- Identifier: `{r.identifier}`" in page
        assert release(r.identifier) is r
        for alias in r.aliases:
            assert f"`{alias}`" in page


def test_every_page_is_in_the_nav_and_every_nav_entry_exists() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = re.findall(r"^\s+- [^:]+: (\S+\.md)$", config, re.MULTILINE)
    pages = sorted(p.name for p in DOCS.glob("*.md"))
    # A page another branch adds (probe.md) joins the nav when it lands.
    assert sorted(nav) == pages
