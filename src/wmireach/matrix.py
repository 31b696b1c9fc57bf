"""The scenario matrix, and the part of it a partial description of a call allows.

Owns: :func:`build_matrix` and :func:`scenario_matrix` (every release pair x trust x account kind
x call mode the model accepts, issue 3), :func:`canonical` (a scenario with each release replaced
by the first release that the model cannot tell apart from it) and :func:`consistent_scenarios`
(the canonical scenarios a partial description allows, each with how many matrix scenarios it
stands for). The diagnosis enumerates what the user did not say through these instead of
guessing it.

Must not: do I/O, or import from wmireach above :mod:`wmireach.simulation`.

>>> s = scenario_matrix()[0]
>>> (s.client.release.identifier, s.target.release.identifier, s.trust.value)
('winxp', 'winxp', 'same-domain')
>>> len(consistent_scenarios(account=AccountKind.LOCAL_ADMIN, trust=Trust.WORKGROUP)) > 0
True
"""

from __future__ import annotations

import datetime
import functools
import itertools
from collections.abc import Mapping
from typing import Final

import attrs

from wmireach.errors import ScenarioError
from wmireach.model import (
    HARDENING_FLOOR,
    Account,
    AccountKind,
    AuthLevel,
    CallMode,
    Computer,
    Membership,
    Scenario,
    Trust,
)
from wmireach.windows import RELEASES, Release

__all__ = [
    "MEMBERSHIPS",
    "Weighted",
    "build_matrix",
    "canonical",
    "client_stand_in",
    "consistent_scenarios",
    "representative",
    "scenario_matrix",
]

#: The memberships the matrix gives A and B for each trust (as ``wmireach model`` does).
MEMBERSHIPS: Final[Mapping[Trust, tuple[Membership, Membership]]] = {
    Trust.SAME_DOMAIN: (Membership.domain("corp"), Membership.domain("corp")),
    Trust.TRUSTED_DOMAIN: (Membership.domain("corp"), Membership.domain("other")),
    Trust.UNTRUSTED_DOMAIN: (Membership.domain("corp"), Membership.domain("other")),
    Trust.WORKGROUP: (Membership.workgroup(), Membership.workgroup()),
}

#: A canonical scenario and the weight (number of matrix scenarios, times any prior) it carries.
Weighted = tuple[Scenario, float]


def build_matrix() -> tuple[list[Scenario], int]:
    """Every valid scenario of the matrix, and how many combinations the model rejected.

    >>> scenarios, rejected = build_matrix()
    >>> (len(scenarios), rejected)
    (17496, 1944)
    """
    scenarios: list[Scenario] = []
    rejected = 0
    for a, b, trust, kind, mode in itertools.product(
        RELEASES, RELEASES, Trust, AccountKind, CallMode
    ):
        client_m, target_m = MEMBERSHIPS[trust]
        try:
            scenarios.append(
                Scenario(
                    client=Computer(name="A", release=a, membership=client_m),
                    target=Computer(name="B", release=b, membership=target_m),
                    account=Account(kind=kind),
                    call_mode=mode,
                    trust=trust,
                )
            )
        except ScenarioError:
            rejected += 1
    return scenarios, rejected


@functools.cache
def scenario_matrix() -> tuple[Scenario, ...]:
    """The valid scenarios of :func:`build_matrix`, built once per process.

    >>> len(scenario_matrix())
    17496
    """
    return tuple(build_matrix()[0])


def _capabilities(rel: Release) -> tuple[object, ...]:
    # Every Release field that wmireach.state, wmireach.rules and wmireach.simulation read (the
    # rest, names, builds, editions, are for people and for validation). tests/test_diagnosis.py
    # checks that canonical scenarios simulate exactly as the originals do.
    return (
        rel.firewall,
        rel.firewall_on_by_default,
        rel.uac,
        rel.dcom_machine_limits,
        rel.distributed_com_users,
        rel.standalone_wmi_host,
    )


@functools.cache
def _representatives() -> Mapping[Release, Release]:
    first: dict[tuple[object, ...], Release] = {}
    return {r: first.setdefault(_capabilities(r), r) for r in RELEASES}


def representative(rel: Release) -> Release:
    """The oldest release the model cannot tell apart from ``rel``.

    >>> from wmireach.windows import release
    >>> representative(release("server2022")).identifier
    'vista'
    """
    return _representatives()[rel]


def _canonical_computer(computer: Computer) -> Computer:
    rep = representative(computer.release)
    if rep is computer.release:
        return computer
    return Computer(
        name=computer.name,
        release=rep,
        membership=computer.membership,
        profile=computer.profile,
        edition=rep.default_edition,
        patched=computer.patched,
        address=computer.address,
    )


_FIRST: Final = RELEASES[0]


def canonical(scenario: Scenario) -> Scenario:
    """``scenario`` with representative releases: the client's only matters for asynchronous
    calls (only Connection 2 reads its state), and sync behaves as semisync.

    >>> from wmireach.model import _example
    >>> c = canonical(_example())
    >>> (c.client.release.identifier, c.target.release.identifier, c.call_mode.value)
    ('winxp', 'vista', 'semisync')
    """
    if scenario.call_mode is CallMode.ASYNC:
        client = _canonical_computer(scenario.client)
        mode = CallMode.ASYNC
    else:
        client = _client_placeholder(scenario)
        mode = CallMode.SEMISYNC
    return Scenario(
        client=client,
        target=_canonical_computer(scenario.target),
        account=scenario.account,
        call_mode=mode,
        trust=scenario.trust,
        namespace=scenario.namespace,
        sink_program=scenario.sink_program,
        fixed_port=scenario.fixed_port,
        auth_level=scenario.auth_level,
        same_subnet=scenario.same_subnet,
    )


def client_stand_in(scenario: Scenario) -> Scenario:
    """A sync or semisync ``scenario`` as it is for any client release: the client's release
    replaced by a fixed one and sync by semisync (what :func:`canonical` does to the client,
    leaving the target alone). Planning shares one plan among all the scenarios it maps to.

    >>> from wmireach.model import _example
    >>> s = client_stand_in(_example())
    >>> (s.client.release.identifier, s.target.release.identifier, s.call_mode.value)
    ('winxp', 'server2019', 'semisync')
    """
    if scenario.call_mode is CallMode.ASYNC:
        raise ScenarioError("an async call reads Computer A's state: it has no client stand-in")
    client = _client_placeholder(scenario)
    if client is scenario.client and scenario.call_mode is CallMode.SEMISYNC:
        return scenario
    return attrs.evolve(scenario, client=client, call_mode=CallMode.SEMISYNC)


def _client_placeholder(scenario: Scenario) -> Computer:
    # Sync and semisync calls never read the client's state: any release stands in, as long as
    # the membership (which decides the trust) and the address (firewall scopes) are kept.
    c = scenario.client
    if c.release is _FIRST:
        return c
    return Computer(
        name=c.name, release=_FIRST, membership=c.membership, patched=c.patched, address=c.address
    )


def _key(s: Scenario, auth: AuthLevel, patched: datetime.date | None) -> tuple[object, ...]:
    client = representative(s.client.release) if s.call_mode is CallMode.ASYNC else None
    mode = CallMode.ASYNC if s.call_mode is CallMode.ASYNC else CallMode.SEMISYNC
    return (client, representative(s.target.release), s.trust, s.account.kind, mode, auth, patched)


@functools.lru_cache(maxsize=256)
def consistent_scenarios(
    *,
    client: Release | None = None,
    target: Release | None = None,
    trust: Trust | None = None,
    account: AccountKind | None = None,
    call_mode: CallMode | None = None,
    auth_levels: tuple[AuthLevel, ...] = (HARDENING_FLOOR,),
    patched: datetime.date | None = None,
) -> tuple[tuple[Scenario, int], ...]:
    """The canonical scenarios the matrix holds for what is known, each with the number of
    matrix scenarios (times the number of ``auth_levels``) it stands for.

    Unknown fields (``None``) range over every value the matrix has; ``auth_levels`` and
    ``patched`` (the target's latest update) are set on every scenario. Raises
    :class:`~wmireach.errors.ScenarioError` when nothing in the matrix fits.

    >>> found = consistent_scenarios(account=AccountKind.DOMAIN_USER, call_mode=CallMode.SYNC)
    >>> sum(n for _, n in found) == sum(
    ...     1 for s in scenario_matrix()
    ...     if s.account.kind is AccountKind.DOMAIN_USER and s.call_mode is CallMode.SYNC)
    True
    """
    counts: dict[tuple[object, ...], int] = {}
    examples: dict[tuple[object, ...], Scenario] = {}
    s_auth: dict[tuple[object, ...], AuthLevel] = {}
    for s in scenario_matrix():
        if (
            (client is not None and s.client.release is not client)
            or (target is not None and s.target.release is not target)
            or (trust is not None and s.trust is not trust)
            or (account is not None and s.account.kind is not account)
            or (call_mode is not None and s.call_mode is not call_mode)
        ):
            continue
        for auth in auth_levels:
            key = _key(s, auth, patched)
            counts[key] = counts.get(key, 0) + 1
            examples.setdefault(key, s)
            s_auth[key] = auth
    if not counts:
        raise ScenarioError(
            "no scenario of the matrix fits what is known (a domain account needs a domain-joined "
            "target; trust 'workgroup' means at least one side is in a workgroup)"
        )
    result: list[tuple[Scenario, int]] = []
    for key, count in counts.items():
        s = examples[key]
        auth = s_auth[key]
        target_c = s.target
        if patched is not None:
            target_c = Computer(
                name=target_c.name,
                release=target_c.release,
                membership=target_c.membership,
                patched=patched,
            )
        full = Scenario(
            client=s.client,
            target=target_c,
            account=s.account,
            call_mode=s.call_mode,
            trust=s.trust,
            auth_level=auth,
        )
        result.append((canonical(full), count))
    return tuple(result)
