"""DCOM and WMI event IDs as sourced data, linked to the causes the diagnosis ranks.

Owns: :class:`Event` (one event ID: source, log, the computer that logs it, meaning, the stage
and codes it goes with, the rule and cause IDs it points to, sources), :data:`EVENTS`,
:func:`event` and :func:`decode_event` (event IDs in free text: "event 10036", "Event ID: 10036",
``<EventID>10036</EventID>``).

Must not: do I/O, or import from wmireach above :mod:`wmireach.model`. Cause IDs are plain
strings here (``WR4xx`` rules, ``WX0x`` causes outside configuration, see
:mod:`wmireach.diagnosis`) so that this table stays data.

>>> event(10036).causes
('WR402', 'WX08')
>>> [e.id for e in decode_event("System log, Event ID: 10016, DistributedCOM")]
[10016]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

import attrs

from wmireach.errors import WmiReachError
from wmireach.model import Side, Stage

__all__ = ["EVENTS", "Event", "UnknownEvent", "decode_event", "event", "event_ids_in"]

#: RPC_S_SERVER_UNAVAILABLE and E_ACCESSDENIED, the codes these events go with (facts §9.1).
_UNAVAILABLE: Final = 0x800706BA
_DENIED: Final = 0x80070005

_DCOM: Final = "Microsoft-Windows-DistributedCOM"


class UnknownEvent(WmiReachError, LookupError):
    """An event ID the table does not know.

    >>> isinstance(UnknownEvent("x"), LookupError)
    True
    """


@attrs.frozen(kw_only=True)
class Event:
    """One event ID and what it says about a remote WMI call.

    >>> e = event(10009)
    >>> (e.logged_on.value, e.stage.value if e.stage else None, hex(e.codes[0]))
    ('client', 'tcp-135', '0x800706ba')
    """

    id: int
    source: str
    log: str
    #: The computer whose log holds it.
    logged_on: Side
    title: str
    meaning: str
    #: The stage of the call it reports, when it reports one.
    stage: Stage | None
    #: Codes the failing call gets when this event is logged (unsigned).
    codes: tuple[int, ...]
    #: Rule IDs (WRxxx) and causes outside configuration (WXxx) it points to.
    causes: tuple[str, ...]
    sources: tuple[str, ...]

    def __str__(self) -> str:
        return f"event {self.id} ({self.source}, {self.log} log on {self.logged_on.value}): " + (
            self.meaning
        )


#: Every event the diagnosis reads, by ID (facts §8.5, §9.2).
EVENTS: Final[Mapping[int, Event]] = {
    e.id: e
    for e in (
        Event(
            id=10009,
            source=_DCOM,
            log="System",
            logged_on=Side.CLIENT,
            title="DCOM could not communicate with the computer",
            meaning="DCOM could not communicate with computer B using any configured protocol: "
            "B is down, its name resolves wrongly, or a firewall blocks TCP 135 or the WMI port.",
            stage=Stage.TCP_135,
            codes=(_UNAVAILABLE,),
            causes=("WR101", "WR102", "WR103", "WR501", "WR502", "WR503", "WX02", "WX03"),
            sources=("facts §9.2 [S66][S93]: 10009, client side, target unreachable or blocked",),
        ),
        Event(
            id=10015,
            source=_DCOM,
            log="System",
            logged_on=Side.TARGET,
            title="Machine-wide limits deny launch or activation",
            meaning="The computer-wide limit settings do not grant permission for a CLSID to the "
            "user (SID) from an address: the caller lacks Remote Launch/Activation in B's "
            "machine launch limits.",
            stage=Stage.DCOM_ACTIVATION,
            codes=(_DENIED,),
            causes=("WR403", "WR404"),
            sources=("facts §9.2 [S94]: 10015, computer-wide limit settings",),
        ),
        Event(
            id=10016,
            source=_DCOM,
            log="System",
            logged_on=Side.TARGET,
            title="Launch or activation permission not granted",
            meaning="The machine-default or application-specific settings do not grant local or "
            "remote launch/activation permission for a CLSID to the user (SID) from an address.",
            stage=Stage.DCOM_ACTIVATION,
            codes=(_DENIED,),
            causes=("WR403", "WR404"),
            sources=("facts §9.2 [S94]: 10016, launch/activation permission",),
        ),
        Event(
            id=10017,
            source=_DCOM,
            log="System",
            logged_on=Side.TARGET,
            title="Access permission not granted (machine default)",
            meaning="The machine-default settings do not grant access (not launch) permission to "
            "the user: Remote Access is missing in B's machine access limits.",
            stage=Stage.DCOM_ACTIVATION,
            codes=(_DENIED,),
            causes=("WR405",),
            sources=("facts §9.2 [S94]: 10017/10018, access permission",),
        ),
        Event(
            id=10018,
            source=_DCOM,
            log="System",
            logged_on=Side.TARGET,
            title="Access permission not granted (application-specific)",
            meaning="The application-specific settings do not grant access (not launch) "
            "permission to the user.",
            stage=Stage.DCOM_ACTIVATION,
            codes=(_DENIED,),
            causes=("WR405",),
            sources=("facts §9.2 [S94]: 10017/10018, access permission",),
        ),
        Event(
            id=10028,
            source=_DCOM,
            log="System",
            logged_on=Side.CLIENT,
            title="DCOM was unable to communicate with the computer",
            meaning="DCOM was unable to communicate with computer B using any of the configured "
            "protocols (a newer form of 10009): B unreachable, blocked, or not at the address "
            "it advertises.",
            stage=Stage.TCP_135,
            codes=(_UNAVAILABLE,),
            causes=("WR101", "WR102", "WR103", "WR501", "WR502", "WR503", "WX02", "WX03"),
            sources=("facts §9.2 [S95] (Med: exact text UNVERIFIED): newer variant of 10009",),
        ),
        Event(
            id=10036,
            source=_DCOM,
            log="System",
            logged_on=Side.TARGET,
            title="Activation refused by the server-side authentication level policy",
            meaning="B's DCOM hardening refused an activation below "
            "RPC_C_AUTHN_LEVEL_PKT_INTEGRITY from the user at the client's address; the client "
            "must raise its activation authentication level.",
            stage=Stage.DCOM_ACTIVATION,
            codes=(_DENIED,),
            causes=("WR402", "WX08"),
            sources=(
                "facts §8.5 [S17][S18]: 10036 on the server, hardening refused activation",
                "facts §8.6 [S18]: symptoms 0x80070005 and 0x800706BA",
            ),
        ),
        Event(
            id=10037,
            source=_DCOM,
            log="System",
            logged_on=Side.CLIENT,
            title="Activation with an explicitly set level below PKT_INTEGRITY",
            meaning="An application on A activated a CLSID on B with an explicitly set "
            "authentication level below 5 (PKT_INTEGRITY): a hardened B refuses it.",
            stage=Stage.DCOM_ACTIVATION,
            codes=(_DENIED,),
            causes=("WR402", "WX08"),
            sources=("facts §8.5 [S17][S18]: 10037 on the client, explicit level below 5",),
        ),
        Event(
            id=10038,
            source=_DCOM,
            log="System",
            logged_on=Side.CLIENT,
            title="Activation with a default level below PKT_INTEGRITY",
            meaning="An application on A activated a CLSID on B with the default authentication "
            "level, below 5 (PKT_INTEGRITY): a hardened B refuses it.",
            stage=Stage.DCOM_ACTIVATION,
            codes=(_DENIED,),
            causes=("WR402", "WX08"),
            sources=("facts §8.5 [S17][S18]: 10038 on the client, default level below 5",),
        ),
        Event(
            id=4662,
            source="Microsoft-Windows-Security-Auditing",
            log="Security",
            logged_on=Side.TARGET,
            title="An operation was performed on an object (WMI namespace audit)",
            meaning="A WMI namespace access was audited (only when the namespace has a SACL): "
            "shows who used which namespace right.",
            stage=Stage.NAMESPACE_LOGIN,
            codes=(),
            causes=("WR601",),
            sources=("facts §9.2 [S7]: 4662, WMI namespace audit when a SACL is configured",),
        ),
    )
}


def event(event_id: int | str) -> Event:
    """The record of ``event_id``; raises :class:`UnknownEvent` (a ``LookupError``) otherwise.

    >>> event("10016").title
    'Launch or activation permission not granted'
    """
    try:
        number = int(event_id)
    except (TypeError, ValueError):
        raise UnknownEvent(f"not an event ID: {event_id!r}") from None
    found = EVENTS.get(number)
    if found is None:
        known = ", ".join(str(i) for i in sorted(EVENTS))
        raise UnknownEvent(f"no record of event {number}; known event IDs: {known}")
    return found


# "event 10036", "Event ID: 10036", "EVENT ID 10036", "EventID=10036", "event id 10036",
# "<EventID Qualifiers='0'>10036</EventID>", "ID: 10036" after "Event".
_EVENT_TEXT: Final = re.compile(
    r"(?i)\bevent[ _-]?(?:id|code)?\s*[:#=]?\s*(\d{3,5})\b"
    r"|<EventID[^>]*>\s*(\d{3,5})\s*</EventID>"
    r"|\bDistributedCOM\b[^\n]{0,40}?\bID\s*[:#=]?\s*(\d{3,5})\b"
)


def decode_event(text: str) -> tuple[Event, ...]:
    """The known events named in ``text``, in order of first mention.

    IDs the table does not know are left out (``wmireach explain`` reports those as unknown).

    >>> [e.id for e in decode_event("Log Name: System  Source: DistributedCOM  Event ID: 10036")]
    [10036]
    >>> [e.id for e in decode_event("saw event 10009, then EventID=10028 and event 9999")]
    [10009, 10028]
    """
    found: dict[int, Event] = {}
    for match in _EVENT_TEXT.finditer(text):
        digits = next(g for g in match.groups() if g is not None)
        record = EVENTS.get(int(digits))
        if record is not None:
            found.setdefault(record.id, record)
    return tuple(found.values())


def event_ids_in(text: str) -> tuple[int, ...]:
    """Every event ID named in ``text`` (known or not), in order of first mention.

    >>> event_ids_in("event 9999 and Event ID: 10036")
    (9999, 10036)
    """
    ids: dict[int, None] = {}
    for match in _EVENT_TEXT.finditer(text):
        digits = next(g for g in match.groups() if g is not None)
        ids.setdefault(int(digits), None)
    return tuple(ids)
