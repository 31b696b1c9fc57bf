"""A probe report in a notebook: the stages coloured by how they ended, the diagram, and
everything the server or the user said escaped (no network)."""

from __future__ import annotations

import html.parser
import io
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

import wmireach
from wmireach.hresult import decode
from wmireach.model import Stage
from wmireach.probe import ProbeReport, StageResult, StageStatus


def _report(target: str = "b.corp.example", detail: str = "", server: str = "B") -> ProbeReport:
    return ProbeReport(
        target=target,
        address="10.0.0.7",
        port=135,
        identity=(("netbios_name", server), ("build", "20348")),
        results=(
            StageResult(stage=Stage.RESOLVE_NAME, status=StageStatus.PASSED, elapsed=0.001),
            StageResult(stage=Stage.TCP_135, status=StageStatus.PASSED, elapsed=0.002),
            StageResult(stage=Stage.ENDPOINT_MAPPER, status=StageStatus.PASSED),
            StageResult(stage=Stage.AUTHENTICATE, status=StageStatus.PASSED),
            StageResult(
                stage=Stage.DCOM_ACTIVATION,
                status=StageStatus.FAILED,
                hresult=decode(0x80070005),
                detail=detail or "the activation call was refused",
            ),
            StageResult(stage=Stage.WMI_PORT, status=StageStatus.SKIPPED, detail="after a failure"),
        ),
    )


def test_the_probe_status_is_the_one_the_displays_colour() -> None:
    assert StageStatus is wmireach.StageStatus


def test_the_display_shows_each_stage_coloured_and_the_diagram() -> None:
    markup = _report()._repr_html_()
    assert "dcom-activation" in markup and "0x80070005" in markup
    assert StageStatus.FAILED.fill in markup and StageStatus.PASSED.fill in markup
    assert StageStatus.SKIPPED.value in markup
    assert "<svg" in markup and "stops at dcom-activation" in markup
    assert "20348" in markup


def test_the_diagram_is_well_formed_and_rasterises_with_ink() -> None:
    import resvg_py

    svg = _report().diagram()
    ET.fromstring(svg)
    png = bytes(resvg_py.svg_to_bytes(svg_string=svg))
    picture = Image.open(io.BytesIO(png)).convert("RGB")
    background = picture.getpixel((0, 0))
    colours = picture.getcolors(maxcolors=1 << 24) or []
    inked = sum(n for n, colour in colours if colour != background)
    assert any(colour == (0xC6, 0x28, 0x28) for _, colour in colours)  # the failure red
    assert inked > picture.width * picture.height * 0.03


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]


hostile = st.text(alphabet=st.sampled_from(list("<>&\"'`/ =ascript\n\x00")), max_size=40)


@given(hostile, hostile, hostile)
def test_whatever_the_server_or_the_user_sent_stays_text(
    target: str, detail: str, server: str
) -> None:
    markup = _report(target=target or "b", detail=detail, server=server)._repr_html_()
    parser = _Tags()
    parser.feed(markup)
    assert parser.tags <= {
        "div",
        "strong",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "span",
        "code",
        "svg",
        "g",
        "rect",
        "line",
        "path",
        "text",
        "tspan",
        "circle",
        "polygon",
        "polyline",
        "defs",
        "marker",
        "title",
        "p",
        "br",
    }
    assert parser.handlers == []
    assert "<script" not in markup
