"""Rendered plans parse, and hostile user strings stay inside literals, for every scenario."""

from __future__ import annotations

import json
import re

import attrs
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from wmireach.errors import ScenarioError
from wmireach.model import Account, AccountKind, CallMode, Scenario, Side
from wmireach.planning import check_account_name, plan
from wmireach.render import Format, render
from wmireach.render._quoting import cmd_quote, ps_quote, reg_quote
from wmireach.testing import scenarios

tree_sitter = pytest.importorskip("tree_sitter")
tsp = pytest.importorskip("tree_sitter_powershell")
_PARSER = tree_sitter.Parser(tree_sitter.Language(tsp.language()))

# Everything Windows allows in a user name that scripts treat specially.
_HOSTILE = st.lists(
    st.sampled_from([*"ab $`'\u2018\u2019\u201c\u201d&%!^()@{};#~.-é漢", "$(calc)", "%PATH%"]),
    min_size=1,
    max_size=12,
).map("".join)


def _ps_errors(text: str) -> list[str]:
    tree = _PARSER.parse(text.encode("utf-8"))
    found = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            found.append(text.encode("utf-8")[node.start_byte : node.end_byte].decode()[:80])
        stack.extend(node.children)
    return found


def _ps_strings(text: str) -> list[str]:
    tree = _PARSER.parse(text.encode("utf-8"))
    out, stack = [], [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "verbatim_string_characters":
            out.append(text.encode("utf-8")[node.start_byte : node.end_byte].decode())
        stack.extend(node.children)
    return out


_REG_LINE = re.compile(
    r'(;.*|\[HKEY_[A-Z_]+(\\[^\]\r\n]+)*\]|"([^"\\]|\\.)*"=(-|dword:[0-9a-f]{8}|"([^"\\]|\\.)*"|hex\(7\):[0-9a-f,]+))'
)


def _reg_parses(text: str) -> bool:
    lines = text.split("\r\n")
    assert lines[0] == "Windows Registry Editor Version 5.00"
    assert lines[-1] == ""
    return all(line == "" or _REG_LINE.fullmatch(line) for line in lines[1:-1])


def _sides(scenario_plan: object) -> list[Side]:
    return list(scenario_plan.sides) or [Side.TARGET]  # type: ignore[attr-defined]


@settings(max_examples=60)
@given(scenarios())
def test_every_format_renders_and_scripts_parse(scenario: Scenario) -> None:
    p = plan(scenario)
    for candidate in (p, p.rollback()):
        assert json.loads(render(candidate, Format.JSON))["steps"] is not None
        assert render(candidate, Format.MARKDOWN).startswith("# ")
        for side in _sides(candidate):
            ps = render(candidate, Format.POWERSHELL, side=side)
            assert _ps_errors(ps) == []
            assert _reg_parses(render(candidate, Format.REG, side=side))
            cmd = render(candidate, Format.NETSH, side=side)
            assert cmd.startswith("@echo off\r\n")
            # netsh advfirewall only where Windows has it (Vista+), netsh firewall only before
            release = candidate.scenario.computer(side).release
            assert ("netsh advfirewall" in cmd) <= (release.firewall.value == "wfas")
            assert ("netsh firewall " in cmd) <= (release.firewall.value == "windows-firewall")


def _outside_ps_literals(text: str) -> str:
    """The script with every string literal and comment cut out."""
    data = text.encode("utf-8")
    tree = _PARSER.parse(data)
    cuts, stack = [], [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in ("verbatim_string_characters", "expandable_string_literal", "comment"):
            cuts.append((node.start_byte, node.end_byte))
            continue
        stack.extend(node.children)
    kept, last = [], 0
    for start, end in sorted(cuts):
        kept.append(data[last:start])
        last = max(last, end)
    kept.append(data[last:])
    return b"".join(kept).decode("utf-8", "replace")


@settings(max_examples=60)
@given(scenarios(), _HOSTILE)
def test_hostile_account_names_stay_inside_literals(scenario: Scenario, hostile: str) -> None:
    name = "zq" + hostile
    try:
        check_account_name(name)
    except ScenarioError:
        assume(False)
    kind = (
        AccountKind.DOMAIN_USER if scenario.target.membership.is_domain else AccountKind.LOCAL_USER
    )
    scenario = attrs.evolve(scenario, account=Account(kind=kind, name=name))
    p = plan(scenario)
    for candidate in (p, p.rollback()):
        for side in _sides(candidate):
            ps = render(candidate, Format.POWERSHELL, side=side)
            assert _ps_errors(ps) == []
            assert "zq" not in _outside_ps_literals(ps)
            cmd = render(candidate, Format.NETSH, side=side)
            for line in cmd.split("\r\n"):
                if line.startswith(("rem ", "echo ")):
                    assert not set(line) & set('&|<>^"'), line
                elif "zq" in line:
                    assert "zq" not in line.replace(cmd_quote(name), ""), line


@given(st.text())
def test_ps_quote_never_breaks_out(text: str) -> None:
    assume("\x00" not in text)
    quoted = ps_quote(text)
    inner = quoted[1:-1]
    assert re.sub("['\u2018\u2019\u201a\u201b]{2}", "", inner).count("'") == 0
    assert not re.search(
        "['\u2018\u2019\u201a\u201b]", re.sub("(['\u2018\u2019\u201a\u201b])\\1", "", inner)
    )


@given(st.text())
def test_ps_quote_parses_as_one_verbatim_string(text: str) -> None:
    assume("\x00" not in text and "\r" not in text)
    script = f"$x = {ps_quote(text)}\n"
    assert _ps_errors(script) == []


@given(st.text())
def test_cmd_quote_refuses_or_keeps_specials_inside_quotes(text: str) -> None:
    try:
        quoted = cmd_quote(text)
    except ScenarioError:
        assert '"' in text or any(c in text for c in "\r\n\x00\x1a\u2028\u2029\x85")
        return
    inner = quoted[1:-1]
    assert '"' not in inner
    assert re.sub("%%", "", inner).count("%") == 0


@given(st.text())
def test_reg_quote_escapes_quotes_and_backslashes(text: str) -> None:
    try:
        quoted = reg_quote(text)
    except ScenarioError:
        return
    assert re.fullmatch(r'"([^"\\]|\\.)*"', quoted, flags=re.S)


def test_script_formats_ask_for_a_side_when_both_computers_have_steps() -> None:
    from wmireach.model import Computer, Membership

    wg = Membership.workgroup()
    s = Scenario(
        client=Computer(name="A", release="win10", membership=wg),
        target=Computer(name="B", release="win10", membership=wg),
        account=Account(kind=AccountKind.LOCAL_ADMIN, name="x"),
        call_mode=CallMode.ASYNC,
    )
    with pytest.raises(ScenarioError, match="both computers"):
        render(plan(s), Format.POWERSHELL)


def test_netsh_scripts_are_ascii_unless_a_command_needs_utf8() -> None:
    from wmireach.model import Account, AccountKind, Computer, Membership, Scenario, Side
    from wmireach.planning import plan
    from wmireach.render import Format, render

    wg = Membership.workgroup()

    def script(name: str) -> str:
        s = Scenario(
            client=Computer(name="A", release="win10", membership=wg),
            target=Computer(name="B", release="server2019", membership=wg),
            account=Account(kind=AccountKind.LOCAL_USER, name=name),
        )
        return render(plan(s), Format.NETSH, side=Side.TARGET)

    plain = script("reader")
    assert plain.isascii()
    assert "chcp" not in plain
    assert "sec. " in plain  # the fact-sheet citations, without the section sign
    accented = script("J\u00fcrgen")
    assert accented.splitlines()[1] == "chcp 65001 >nul"
    assert "J\u00fcrgen" in accented
