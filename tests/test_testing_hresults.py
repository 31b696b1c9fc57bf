"""The shipped code strategies produce what they promise."""

from __future__ import annotations

from hypothesis import given

from wmireach import HResult, decode
from wmireach.testing import hresults, spellings


@given(hresults(known=True))
def test_known_codes_are_named(hr: HResult) -> None:
    assert hr.name is not None


@given(hresults(known=False))
def test_unknown_codes_are_unnamed(hr: HResult) -> None:
    assert hr.names == ()


@given(hresults().flatmap(lambda hr: spellings(hr).map(lambda s: (hr, s))))
def test_every_spelling_decodes_back(case: tuple[HResult, object]) -> None:
    hr, spelled = case
    assert decode(spelled).value == hr.value
