"""Properties of the decoder that hold for every value and every text (ARCHITECTURE.md)."""

from __future__ import annotations

import contextlib
import string

from hypothesis import assume, given
from hypothesis import strategies as st

from wmireach import HResult, InvalidCode, candidates, decode, find_codes
from wmireach.hresult import Severity

u32 = st.integers(min_value=0, max_value=2**32 - 1)


def signed(value: int) -> int:
    return value - 2**32 if value >= 2**31 else value


def spellings(value: int) -> list[object]:
    forms: list[object] = [
        value,
        signed(value),
        f"0x{value:X}",
        f"0x{value:08x}",
        f"{value:08X}",
        f"  0X{value:08X}\n",
    ]
    # Eight decimal digits read as hex first (see test_hresult_examples), so a decimal spelling
    # counts only when it has another length.
    forms += [text for text in {str(value), str(signed(value))} if len(text) != 8]
    return forms


@given(u32)
def test_every_spelling_of_a_value_decodes_to_the_same_value(value: int) -> None:
    expected = decode(value).value
    for spelling in spellings(value):
        assert decode(spelling).value == expected, spelling


@given(u32)
def test_every_32_bit_value_decodes_completely(value: int) -> None:
    hr = HResult(value)
    assert hr.value == value
    assert hr.hex == f"0x{value:08X}"
    assert hr.signed & 0xFFFFFFFF == value
    assert isinstance(hr.severity, Severity)
    assert 0 <= hr.facility.value <= 0x7FF and 0 <= hr.code <= 0xFFFF
    assert (hr.facility.value << 16 | hr.code) == value & 0x07FFFFFF
    assert hr.name is None or hr.name == hr.names[0]
    assert hr.message is None or hr.message.strip()
    assert hr.win32 is None or hr.value in (0, 0x80070000 | hr.win32)
    assert hr.ntstatus is None or hr.ntstatus & ~0x10000000 == hr.ntstatus
    assert str(hr).startswith(hr.hex)


@given(u32)
def test_large_values_read_as_themselves_small_ones_as_win32(value: int) -> None:
    hr = decode(value)
    if 0 < value <= 0xFFFF:
        assert hr.value == 0x80070000 | value
        assert [c.value for c in candidates(value)] == [0x80070000 | value, value]
    else:
        assert hr.value == value


@given(u32)
def test_names_round_trip(value: int) -> None:
    hr = HResult(value)
    # An HRESULT that carries an NTSTATUS (N set: 0x10000000 is HRESULT_FROM_NT(STATUS_SUCCESS),
    # 0xD0000022 carries STATUS_ACCESS_DENIED) is also named by that status, and the name reads
    # as the status itself.
    carried = hr.ntstatus if hr.n else None
    for name in hr.names:
        readings = [c.value for c in candidates(name)]
        assert value in readings or decode(name).value == value or carried in readings, name


def test_a_carried_ntstatus_name_reads_as_the_status() -> None:
    assert "STATUS_SUCCESS" in HResult(0x10000000).names
    assert decode("STATUS_SUCCESS").value == 0
    assert "STATUS_ACCESS_DENIED" in HResult(0xD0000022).names
    assert decode("STATUS_ACCESS_DENIED").value == 0xC0000022


@given(st.text())
def test_arbitrary_text_raises_nothing_but_invalid_code(text: str) -> None:
    with contextlib.suppress(InvalidCode):
        decode(text)
    find_codes(text)


@given(st.binary())
def test_arbitrary_bytes_raise_nothing_but_invalid_code(data: bytes) -> None:
    with contextlib.suppress(InvalidCode):
        decode(data)


# Filler that can never spell a code: no hex digits, no digits, no underscores.
filler = st.text(alphabet="ghijklmnopqrstuvwxyz GHIJKLMNOPQRSTUVWXYZ.,;!?", max_size=30)


@st.composite
def embedded_codes(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, int]]]:
    values = draw(st.lists(u32.filter(lambda v: v > 0xFFFF), max_size=5))
    parts: list[str] = []
    expected: list[tuple[int, int, int]] = []
    position = 0
    for value in values:
        before = draw(filler)
        forms = [f"0x{value:08X}", f"0x{value:08x}"]
        if value >= 2**31:  # ten-digit decimals in the failure range (signed < 0) are codes
            forms += [d for d in (str(value), str(signed(value))) if len(d.lstrip("-")) == 10]
        spelled = draw(st.sampled_from(forms))
        text = f"{before} {spelled} "
        start = position + len(before) + 1
        expected.append((start, start + len(spelled), value))
        parts.append(text)
        position += len(text)
    parts.append(draw(filler))
    return "".join(parts), expected


@given(embedded_codes())
def test_codes_embedded_in_text_are_found_with_their_spans(
    case: tuple[str, list[tuple[int, int, int]]],
) -> None:
    text, expected = case
    found = [(m.start, m.end, m.hresult.value) for m in find_codes(text)]
    assert found == expected
    for m in find_codes(text):
        assert text[m.start : m.end] == m.text


ordinary_numbers = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.times().map(lambda t: t.isoformat()),
    st.integers(0, 65535).map(lambda p: f"port {p}"),
    st.integers(0, 4_000_000).map(lambda p: f"pid {p}"),
    st.integers(0, 4_000_000).map(lambda p: f"PID={p}"),
    st.tuples(*[st.integers(0, 255)] * 4).map(lambda ip: ".".join(map(str, ip))),
    st.tuples(st.integers(0, 255), st.integers(0, 65535)).map(lambda t: f"127.0.0.{t[0]}:{t[1]}"),
    st.integers(0, 99_999_999).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(str),
    st.uuids().map(str),
)


@given(st.lists(ordinary_numbers, max_size=6), filler)
def test_ordinary_numbers_are_not_codes(numbers: list[str], words: str) -> None:
    text = f"{words} " + " ".join(numbers)
    assume(not any(ch in string.ascii_letters for ch in "".join(numbers) if ch in "xX"))
    assert find_codes(text) == []
