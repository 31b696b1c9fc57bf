"""find_codes' fast candidate scan finds exactly what a plain scan of its pattern finds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from wmireach import hresult
from wmireach.hresult import CodeMatch, find_codes


def _scan_reference(text: str) -> Iterator[CodeMatch]:
    """The obvious algorithm: search the pattern from each position, left to right."""
    search = hresult._finder().search
    position = 0
    while match := search(text, position):
        start, group = match.start(), match.lastgroup
        assert group is not None
        kind = "ctx" if match.group("ctx") else group
        if start and text[start - 1] in hresult._NOT_BEFORE[kind]:
            position = start + 1
            continue
        position = match.end()
        token = match.group(group)
        found = hresult._match_readings(group, token)
        if found is not None:
            yield CodeMatch(match.start(group), match.end(group), token, found)


FRAGMENTS = [
    "0x800706BA",
    "0x80070005",
    "0X8004100e",
    "0x5",
    "0x6ba",
    "800706BA",
    "c0000022",
    "D0000022",
    "-2147024891",
    "2147749891",
    "1234567890",
    "4294967295",
    "-999999999",
    "80070005",
    "error",
    "Error",
    "ERROR",
    "code",
    "CODE:",
    "status",
    "hr=",
    "HRESULT",
    "fault",
    "rc",
    "WinError",
    "winerror",
    "result",
    "suberror",
    "source",
    "three",
    "E_ACCESSDENIED",
    "WBEM_E_ACCESS_DENIED",
    "RPC_S_SERVER_UNAVAILABLE",
    "S_OK",
    "FOO_BAR",
    "rpc_s_access_denied",
    "nca_s_op_rng_error",
    "ept_s_not_registered",
    "wmi_client",
    "Win32_Service",
    "XERROR_ACCESS_DENIED",
    "ERROR_ACCESS_DENIED_",
    "_E_FAIL",
    "8BC3F05E-D86B-11D0-A075-00C04FB68820",
    "deadbeefcafe",
    "2026-11-22",
    "10:01:02.123",
    "127.0.0.1:135",
    "pid=4312",
    "5",
    "1722",
    "00000721",
    ": ",
    " ",
    "  ",
    "\n",
    "(",
    ")",
    "[",
    "]",
    "#",
    "=",
    "-",
    ".",
    "/",
    ":",
    ",",
    "_",
    "é",
    "日本",
    "\t",
]

texts = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)


def _spans(matches: list[CodeMatch] | Iterator[CodeMatch]) -> list[tuple[int, int, int]]:
    return [(m.start, m.end, m.hresult.value) for m in matches]


@example("CODE:CODE:5")  # a keyword trigger must not swallow the start of the next one
@example("error error: 0x5")
@given(texts)
def test_fast_scan_equals_reference_scan(text: str) -> None:
    assert _spans(find_codes(text)) == _spans(_scan_reference(text))


@settings(max_examples=150)
@example("CODE:CODE:0x5", 7)
@given(texts, st.sampled_from([1, 7, 13, 64, 100]))
def test_window_boundaries_change_nothing(text: str, chunk: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hresult, "_CHUNK", chunk)
        found = _spans(find_codes(text))
    assert found == _spans(_scan_reference(text))


@given(st.text(max_size=200))
def test_fast_scan_equals_reference_scan_on_any_text(text: str) -> None:
    assert _spans(find_codes(text)) == _spans(_scan_reference(text))
