"""wmireach.events: the event table, its links to causes, and finding event IDs in text."""

from __future__ import annotations

import pytest

from wmireach.diagnosis import EXTERNAL_CAUSES
from wmireach.events import EVENTS, UnknownEvent, decode_event, event, event_ids_in
from wmireach.rules import RULES


def test_every_event_links_only_known_causes_and_has_sources() -> None:
    known = {r.id for r in RULES} | set(EXTERNAL_CAUSES)
    for record in EVENTS.values():
        assert set(record.causes) <= known, record.id
        assert record.sources
        assert all("facts §" in s for s in record.sources)


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        ("event 10036", [10036]),
        ("Event ID: 10016", [10016]),
        ("EVENT ID 10036\nSOURCE Microsoft-Windows-DistributedCOM", [10036]),
        ("<EventID Qualifiers='0'>10028</EventID>", [10028]),
        ("EventID=10009 then event id 10017", [10009, 10017]),
        ("pid 10036 port 135", []),
    ],
)
def test_decode_event(text: str, ids: list[int]) -> None:
    assert [e.id for e in decode_event(text)] == ids


def test_unknown_events() -> None:
    assert event_ids_in("event 1234") == (1234,)
    assert decode_event("event 1234") == ()
    with pytest.raises(UnknownEvent, match="known event IDs"):
        event(1234)
    with pytest.raises(LookupError):
        event("ten")


def test_hardening_events_point_to_wr402() -> None:
    for number in (10036, 10037, 10038):
        assert "WR402" in event(number).causes
    assert event(10016).causes == ("WR403", "WR404")
    assert "WX02" in event(10009).causes
