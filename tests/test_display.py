"""Notebook displays: every value's ``_repr_html_`` shows what matters, and nothing a user typed
becomes markup (a hypothesis property feeds hostile strings into every user field)."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wmireach.diagnosis import diagnose
from wmireach.display import escape, stage_table_html
from wmireach.drawing import StageStatus
from wmireach.hresult import decode
from wmireach.model import (
    Account,
    AccountKind,
    CallMode,
    Computer,
    Membership,
    Scenario,
    Stage,
    _example,
)
from wmireach.planning import plan
from wmireach.simulation import Outcome, default_states, simulate

#: Every element the displays may produce; anything else would be injected markup.
_ALLOWED_TAGS = frozenset(
    {
        "div", "strong", "em", "p", "span", "code", "br", "ul", "li", "h4", "details", "summary",
        "table", "thead", "tbody", "tr", "th", "td",
        "svg", "title", "rect", "text", "line", "polygon", "circle", "path",
    }
)  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(markup: str) -> _Tags:
    parser = _Tags()
    parser.feed(markup)
    parser.close()
    return parser


def _assert_safe(markup: str) -> _Tags:
    parsed = _parse(markup)
    assert set(parsed.tags) <= _ALLOWED_TAGS, set(parsed.tags) - _ALLOWED_TAGS
    assert not [a for a in parsed.attributes if a.startswith("on")]
    lowered = markup.lower()
    for raw in ("<script", "<img", "<iframe", "<a ", "<style", "<!--", "<![cdata["):
        assert raw not in lowered, raw
    return parsed


def _async_workgroup(account_name: str = "wmiadmin") -> Scenario:
    wg = Membership.workgroup()
    return Scenario(
        client=Computer(name="A", release="win11", membership=wg),
        target=Computer(name="B", release="win10", membership=wg),
        account=Account(kind=AccountKind.LOCAL_ADMIN, name=account_name),
        call_mode=CallMode.ASYNC,
    )


# -- what each display shows -------------------------------------------------------------------


def test_hresult_shows_its_forms_name_and_message() -> None:
    hr = decode("0x800706BA")
    text = " ".join(_assert_safe(hr._repr_html_()).text)
    for part in (
        "0x800706BA",
        "RPC_S_SERVER_UNAVAILABLE",
        "The RPC server is unavailable.",
        "1722",
    ):
        assert part in text
    assert hr._repr_markdown_().startswith("**0x800706BA** `RPC_S_SERVER_UNAVAILABLE`")
    assert repr(hr) == "HResult(value=0x800706BA)"


def test_scenario_shows_both_computers_the_call_and_its_diagram() -> None:
    s = _async_workgroup()
    parsed = _assert_safe(s._repr_html_())
    text = " ".join(parsed.text)
    for part in ("Windows 11", "Windows 10", "wmiadmin", "unsecapp.exe", "connection-2"):
        assert part in text
    assert "svg" in parsed.tags


def test_outcome_colours_the_stages_and_names_the_unmet_rules() -> None:
    s = _example()
    out = simulate(s, *default_states(s))
    markup = out._repr_html_()
    parsed = _assert_safe(markup)
    text = " ".join(parsed.text)
    assert "WR101" in text and "0x800706BA" in text
    assert StageStatus.FAILED.fill in markup and StageStatus.PASSED.fill in markup
    assert "not-reached" in text and "svg" in parsed.tags
    passed = _assert_safe(Outcome(passed=True)._repr_html_())
    assert "failed" not in passed.text


def test_plan_shows_before_after_steps_and_markdown() -> None:
    p = plan(_async_workgroup())
    parsed = _assert_safe(p._repr_html_())
    text = " ".join(parsed.text)
    assert "fails at tcp-135" in text and "passes" in text
    for step in p.steps:
        assert step.title in text
    assert "Widens attack surface" in text  # the anonymous callback steps are flagged risky
    assert p._repr_markdown_().startswith("# Remediation plan: A (Windows 11)")


def test_diagnosis_ranks_the_causes_with_evidence_and_diagram() -> None:
    d = diagnose("0x80070005", account="local-admin", trust="workgroup")
    parsed = _assert_safe(d._repr_html_())
    text = " ".join(parsed.text)
    assert "WR403" in text and "account=local-admin" in text
    assert text.index("WR403") < text.index("WR402")
    assert {"svg", "details"} <= set(parsed.tags)


def test_the_stage_table_takes_any_report_and_refuses_unknown_statuses() -> None:
    markup = stage_table_html(
        [
            (Stage.TCP_135, StageStatus.PASSED, "open in 3 ms"),
            ("wmi-port", StageStatus.TIMED_OUT, "<no answer>"),
            (Stage.QUERY, StageStatus.SKIPPED, ""),
        ]
    )
    text = _assert_safe(markup).text
    assert "<no answer>" in text and "timed-out" in text and "skipped" in text
    with pytest.raises(TypeError, match="statuses are passed, failed, timed-out"):
        stage_table_html([(Stage.TCP_135, "passed", "")])  # type: ignore[list-item]


def test_computer_repr_is_short_and_names_the_release_as_the_converter_reads_it() -> None:
    c = _example().client
    assert "release='win10'" in repr(c)
    assert len(repr(_example())) < 800


# -- hostile input -----------------------------------------------------------------------------

_HOSTILE_PIECES = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "</td></tr></table><iframe src=javascript:alert(1)>",
    "' onmouseover='x",
    "&lt;script&gt;",
    "]]><!--",
    "\x00\x1b[31m\u202e",
)
_HOSTILE = (
    st.lists(
        st.sampled_from(_HOSTILE_PIECES) | st.text(min_size=1, max_size=8), min_size=1, max_size=4
    )
    .map("".join)
    .filter(lambda s: s.strip() != "")
)


@settings(max_examples=40)
@given(_HOSTILE, _HOSTILE, _HOSTILE, _HOSTILE, _HOSTILE)
def test_hostile_user_strings_never_become_markup(
    client_name: str, target_name: str, account: str, sink: str, domain: str
) -> None:
    s = attrs.evolve(
        _async_workgroup(),
        client=Computer(
            name=client_name, release="win11", membership=Membership.workgroup(domain), address=sink
        ),
        target=Computer(name=target_name, release="win10", membership=Membership.workgroup()),
        account=Account(kind=AccountKind.LOCAL_ADMIN, name=account),
        sink_program=sink,
        namespace="root\\" + domain.replace("\\", "/").replace("/", "x"),
    )
    outcome = simulate(s, *default_states(s))
    from wmireach.display import diagnosis_html, outcome_html

    markup = s._repr_html_()
    text = "".join(_assert_safe(markup).text)
    # The name arrives in the computers' table as text (escaped once, control characters shown
    # as spaces) ...
    assert escape(client_name) in markup and html.unescape(escape(client_name)) in text
    # ... and in the diagram, where white space runs become one space.
    drawn = " ".join(html.unescape(escape(client_name)).split())
    assert drawn[:20] in text
    _assert_safe(outcome_html(outcome, s))
    _assert_safe(outcome._repr_html_())
    _assert_safe(diagnosis_html(diagnose(f"{client_name} 0x80070005 {account}"), s))


@settings(max_examples=25)
@given(st.sampled_from(["o'brien & co", "CORP\\x$`%", "a{b}(c)"]), _HOSTILE)
def test_hostile_strings_in_a_plan_never_become_markup(account: str, noise: str) -> None:
    p = plan(_async_workgroup(account))
    _assert_safe(p._repr_html_())
    d = diagnose(f"{noise} 0x800706BA", scenario=p.scenario)
    _assert_safe(d._repr_html_())
    assert html.escape(account) in p._repr_html_()


def test_plan_and_diagnosis_reprs_are_one_short_line() -> None:
    p = plan(_example())
    assert repr(p) == "<plan A (win10) -> B (server2019): s1 on target, s2 on target>"
    assert repr(p.rollback()).startswith("<rollback plan A (win10) -> B (server2019): undo-s2")
    d = diagnose("0x80070005", account="local-admin", trust="workgroup")
    assert repr(d).startswith("<diagnosis of 0x80070005: WR403 4")
    assert len(repr(d)) < 120 and "\n" not in repr(d)
    assert repr(diagnose("0x80070002")) == "<diagnosis of 0x80070002: unexplained>"
