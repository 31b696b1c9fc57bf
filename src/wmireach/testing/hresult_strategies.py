"""Hypothesis strategies for Windows error codes: values, and the ways people write them.

Owns: :func:`hresults` and :func:`spellings`, for other projects' tests of code that parses or
reports Windows errors (and for wmireach's own).

Must not: be imported by the core (only :mod:`wmireach.testing` imports Hypothesis).
"""

from __future__ import annotations

from hypothesis import strategies as st

from wmireach.hresult import HResult, from_win32

__all__ = ["REMOTE_WMI_CODES", "hresults", "spellings"]

#: The codes remote WMI fails with most (facts §9.1).
REMOTE_WMI_CODES = (
    0x800706BA, 0x80070005, 0x8007000E, 0x80041003, 0x80070776, 0x800706BE, 0x80070721,
    0x800706B5, 0x80080005, 0x8007052E, 0x80041064, 0x8004100E, 0x80041010, 0x80041013,
    0x80041033, 0x80041015, 0x80041002, 0x80041004, 0x80041062, 0x80041087, 0x800706D9,
    0x8001011B,
)  # fmt: skip


def hresults(*, known: bool | None = None) -> st.SearchStrategy[HResult]:
    """Codes: remote-WMI ones, Win32 errors as HRESULTs, NTSTATUS values, and any 32-bit value.

    ``known=True`` keeps only codes some table names, ``known=False`` only unknown ones.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20)
    ... @given(hresults(known=True))
    ... def check(hr):
    ...     assert hr.name is not None
    >>> check()
    """
    values = st.one_of(
        st.sampled_from(REMOTE_WMI_CODES),
        st.integers(1, 15999).map(from_win32),
        st.sampled_from((0xC0000022, 0xC000006D, 0xD0000022, 0x00000000, 0x00000001)),
        st.integers(0, 0xFFFFFFFF),
    )
    codes = values.map(HResult)
    if known is None:
        return codes
    return codes.filter(lambda hr: hr.known is known)


def spellings(hresult: HResult) -> st.SearchStrategy[object]:
    """Ways a person or a tool writes ``hresult``; each decodes back to it.

    >>> from wmireach import decode
    >>> from hypothesis import given, settings
    >>> @settings(max_examples=20)
    ... @given(spellings(HResult(0x800706BA)))
    ... def check(spelled):
    ...     assert decode(spelled).value == 0x800706BA
    >>> check()
    """
    value = hresult.value
    # Every number from 1 to 0xFFFF reads as a Win32 error, however it is padded ("fault status
    # code: 00000721" is Win32 error 1825): such a raw value is spelled only by itself and by
    # its names.
    forms: list[object] = [hresult]
    if value == 0 or value > 0xFFFF:
        forms += [f"0x{value:08X}", f"0x{value:08x}", f"{value:08X}", f"0X{value:08X}"]
        forms += [value, hresult.signed]
        forms += [d for d in (str(value), str(hresult.signed)) if len(d) != 8]
        forms += [
            f"(Exception from HRESULT: 0x{value:08X})",
            f"Error: 0x{value:08X}",
            f"code: 0x{value:08x} - failed",
        ]
    if hresult.win32 and value & 0xFFFF0000 == 0x80070000:
        forms += [hresult.win32, str(hresult.win32), f"error {hresult.win32}"]
    # A name spells the value only when it decodes back to it (S_FALSE is 1, a Win32 error).
    from wmireach.hresult import decode

    forms += [name for name in hresult.names if decode(name).value == value]
    return st.sampled_from(forms)
