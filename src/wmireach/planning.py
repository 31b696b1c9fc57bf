"""Remediation plans: what to change, on which computer, why, how to check it and how to undo it.

Owns: :class:`Step`, :class:`Plan`, :func:`plan` and the validation of every user-supplied
string a plan can carry into a script (:func:`check_account_name`, :func:`check_address`,
:func:`check_program`, :func:`check_namespace`).

How a plan is built: run the model (:mod:`wmireach.rules`) against the two states, take the first
unmet requirement, and fix it with the least-privileged remedy that works *in the model* (each
candidate is applied and re-checked before it is chosen); repeat until the call passes. So a plan
is checked by the same rules that :func:`~wmireach.simulation.simulate` runs, and every step's
rollback is recorded against the state it was built on.

Least privilege, in the order the fact sheet supports (§11):

- firewall: enable only the built-in rule for the computer's active profile; with the peer's
  address known, add a rule scoped to exactly that address instead; never turn a firewall off
  (a release that cannot admit the traffic any other way gets a manual step saying why);
- accounts: Distributed COM Users membership (or a direct DCOM grant where the group does not
  exist) plus namespace Remote Enable, never LocalAccountTokenFilterPolicy=1 (§3.1-3.4);
- DCOM hardening: raise the client's authentication level, never switch the hardening off (§8);
- Connection 2: only for asynchronous calls, with the advice to prefer semisync (§0.1, §7.7);
  AllowAnonymousCallback and ANONYMOUS LOGON Remote Access only without trust, flagged risky.

Must not: do I/O, or render (that is :mod:`wmireach.render`).

>>> from wmireach.model import _example
>>> p = plan(_example())
>>> [(s.id, s.on.value, s.rules) for s in p.steps]
[('s1', 'target', ('WR101', 'WR102')), ('s2', 'target', ('WR501', 'WR502'))]
>>> p.outcome().passed, p.rollback().outcome(*p.apply()).passed
(True, False)
"""

from __future__ import annotations

import contextvars
import functools
import ipaddress
import ntpath
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Final

import attrs

from wmireach.actions import (
    Action,
    AddGroupMember,
    GrantDcomRights,
    GrantNamespaceRights,
    SetAuthenticationLevel,
    SetFirewallRule,
    SetRegistryValue,
    SetWmiHosting,
    apply_all,
    inverse_all,
)
from wmireach.errors import ScenarioError
from wmireach.matrix import client_stand_in
from wmireach.model import (
    HARDENING_FLOOR,
    AuthLevel,
    CallMode,
    NetworkProfile,
    Scenario,
    Side,
    Stage,
)
from wmireach.rules import Rule, rule
from wmireach.simulation import Outcome, default_states, requirements, simulate
from wmireach.state import (
    ALLOW_ANONYMOUS_CALLBACK,
    ANONYMOUS_LOGON,
    DISTRIBUTED_COM_USERS,
    ENABLE_DCOM,
    REMOTE_ADMIN,
    SVCHOST,
    WBEM_ENABLE,
    WBEM_REMOTE_ACCESS,
    WMI_RULES,
    DcomRight,
    Direction,
    FirewallRule,
    HostState,
    NamespaceAce,
    RuleKind,
    WmiHosting,
    normalize_program,
)
from wmireach.windows import FirewallKind

if TYPE_CHECKING:
    from wmireach.hresult import HResult

__all__ = [
    "Plan",
    "Step",
    "check_account_name",
    "check_address",
    "check_namespace",
    "check_program",
    "plan",
]

_UNSECAPP: Final = normalize_program("%systemroot%\\system32\\wbem\\unsecapp.exe")
#: Prefix of the firewall rules wmireach adds (so they are easy to find and remove).
RULE_PREFIX: Final = "wmireach-"


# Validation of user strings ------------------------------------------------------------------

_ACCOUNT_FORBIDDEN: Final = frozenset('"/\\[]:;|=,+*?<>')
_DOMAIN_FORBIDDEN: Final = frozenset('\\/:*?"<>|')
_PATH_FORBIDDEN: Final = frozenset('"<>|?*')
_ENV_REFERENCE: Final = re.compile(
    r"%(windir|systemroot|systemdrive|programfiles|programfiles\(x86\)|programdata)%", re.I
)


def _control(text: str) -> bool:
    return any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029" for c in text)


def check_account_name(name: str) -> str:
    """Return ``name`` if Windows accepts it as an account (``user``, ``DOMAIN\\\\user``,
    ``user@dns.domain``), else raise :class:`~wmireach.errors.ScenarioError` saying why.

    Windows refuses ``" / \\ [ ] : ; | = , + * ? < >`` and control characters in user names;
    quotes of other kinds, ``$``, backticks, ``%``, ``&`` and ``'`` are legal, so every renderer
    must still quote (facts: account names reach scripts only as quoted literals).

    >>> check_account_name("CORP\\\\o'brien & co")
    "CORP\\\\o'brien & co"
    >>> check_account_name('bad"name')
    Traceback (most recent call last):
    ...
    wmireach.errors.ScenarioError: account name 'bad"name' contains '"', which Windows ...
    """
    if not name or not name.strip() or len(name) > 256:
        raise ScenarioError(f"account name {name!r} must be 1-256 characters and not blank")
    if _control(name):
        raise ScenarioError(f"account name {name!r} contains a control character or line break")
    domain, user = "", name
    if "\\" in name:
        domain, user = name.split("\\", 1)
    elif "@" in name:
        user, domain = name.rsplit("@", 1)
    if "\\" in name or "@" in name:
        bad = sorted(set(domain) & _DOMAIN_FORBIDDEN)
        if not domain.strip() or bad:
            raise ScenarioError(
                f"account name {name!r} has an invalid domain part {domain!r}"
                + (f" (contains {bad[0]!r})" if bad else "")
            )
    bad = sorted(set(user) & _ACCOUNT_FORBIDDEN)
    if bad:
        raise ScenarioError(
            f"account name {name!r} contains {bad[0]!r}, which Windows does not allow in a "
            "user name"
        )
    if not user.strip(" ."):
        raise ScenarioError(f"account name {name!r} has an empty user part")
    return name


def check_address(text: str) -> str:
    """The canonical spelling of an IPv4/IPv6 address or network, for firewall scopes.

    Host names are refused: firewall rules take addresses (facts §2.2.1).

    >>> check_address("10.0.0.5"), check_address("10.1.0.0/16"), check_address("FE80::1")
    ('10.0.0.5', '10.1.0.0/16', 'fe80::1')
    >>> check_address("10.0.0.5; calc")
    Traceback (most recent call last):
    ...
    wmireach.errors.ScenarioError: '10.0.0.5; calc' is not an IP address or network ...
    """
    value = text.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        pass
    try:
        if "/" in value:
            return str(ipaddress.ip_network(value, strict=False))
    except ValueError:
        pass
    raise ScenarioError(f"{text!r} is not an IP address or network (like 10.0.0.5 or 10.1.0.0/16)")


def check_program(path: str) -> str:
    """Return ``path`` if it can name a sink program for a firewall exception, else raise.

    Windows paths cannot hold ``" < > | ? *`` or control characters; ``:`` only after a drive
    letter; ``%`` only in the environment references firewall rules expand (``%windir%``,
    ``%systemroot%``, ``%programfiles%`` ...). The program must be an ``.exe``.

    >>> check_program("%ProgramFiles%\\\\Acme (x86)\\\\sink.exe")
    '%ProgramFiles%\\\\Acme (x86)\\\\sink.exe'
    >>> check_program("C:\\\\a.exe & calc")
    Traceback (most recent call last):
    ...
    wmireach.errors.ScenarioError: program path 'C:\\\\a.exe & calc' must end in .exe
    """
    if not path.strip() or len(path) > 260:
        raise ScenarioError(f"program path {path!r} must be 1-260 characters")
    if _control(path):
        raise ScenarioError(f"program path {path!r} contains a control character or line break")
    bad = sorted(set(path) & _PATH_FORBIDDEN)
    if bad:
        raise ScenarioError(f"program path {path!r} contains {bad[0]!r}, which Windows refuses")
    bare = _ENV_REFERENCE.sub("", path)
    if "%" in bare:
        raise ScenarioError(
            f"program path {path!r}: '%' is allowed only in %windir%, %systemroot%, "
            "%systemdrive%, %programfiles%, %programfiles(x86)% or %programdata%"
        )
    colons = [i for i, c in enumerate(path) if c == ":"]
    if colons and (colons != [1] or not path[0].isascii() or not path[0].isalpha()):
        raise ScenarioError(f"program path {path!r}: ':' may only follow a drive letter")
    if not path.casefold().endswith(".exe"):
        raise ScenarioError(f"program path {path!r} must end in .exe")
    return path


_NAMESPACE_PART: Final = re.compile(r"\w+")


def check_namespace(namespace: str) -> str:
    """Return ``namespace`` if every part is a WMI name (letters, digits, underscores).

    >>> check_namespace("root\\\\virtualization\\\\v2")
    'root\\\\virtualization\\\\v2'
    >>> check_namespace("root\\\\cimv2'; calc")
    Traceback (most recent call last):
    ...
    wmireach.errors.ScenarioError: namespace "root\\\\cimv2'; calc": each part may hold ...
    """
    parts = namespace.replace("/", "\\").split("\\")
    if parts[0].casefold() != "root" or not all(_NAMESPACE_PART.fullmatch(p) for p in parts):
        raise ScenarioError(
            f"namespace {namespace!r}: each part may hold only letters, digits and underscores"
        )
    return namespace


def _validate(scenario: Scenario) -> None:
    if scenario.account.name is not None:
        check_account_name(scenario.account.name)
    for computer in (scenario.client, scenario.target):
        if computer.address is not None:
            check_address(computer.address)
    check_namespace(scenario.namespace)
    if scenario.call_mode is CallMode.ASYNC:
        check_program(scenario.sink_program)


# Plans -----------------------------------------------------------------------------------------


@attrs.frozen(kw_only=True, cache_hash=True)
class Step:
    """What a person runs on one computer: the actions, why, how to check, how to undo.

    ``rollback`` was recorded against the state the step was planned on: applied after
    ``actions`` it restores that state exactly. A step with no actions is manual: ``why`` says
    what no script can do.

    >>> from wmireach.model import _example
    >>> s = plan(_example()).steps[0]
    >>> (s.title, s.risk)
    ("Admit TCP 135 (RPC endpoint mapper) on Computer B's firewall (domain profile)", None)
    """

    id: str
    on: Side
    title: str
    why: str
    rules: tuple[str, ...]
    sources: tuple[str, ...]
    actions: tuple[Action, ...]
    rollback: tuple[Action, ...]
    verify: str
    #: How the step widens the attack surface, when it does.
    risk: str | None = None
    #: The cheaper or stricter alternative and what it costs.
    trade_off: str | None = None
    #: Where to do it by hand (dcomcnfg, wmimgmt.msc, Group Policy).
    gui: str | None = None
    #: Restarts and other things to know.
    notes: tuple[str, ...] = ()

    @property
    def manual(self) -> bool:
        """True when no action can be scripted (nothing to apply)."""
        return not self.actions


@attrs.frozen(kw_only=True)
class Plan:
    """An ordered tuple of :class:`Step` s that makes a scenario's call pass.

    >>> from wmireach.model import _example
    >>> p = plan(_example())
    >>> client, target = p.apply()
    >>> p.rollback().apply(client, target) == p.scenario and False or (
    ...     p.rollback().apply(client, target) == default_states(p.scenario))
    True
    """

    scenario: Scenario
    steps: tuple[Step, ...]
    #: The states the plan was built against (its rollback restores these).
    client_state: HostState
    target_state: HostState
    #: Rule IDs no step could meet (their manual steps say why).
    unresolved: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    #: The failure the plan was focused on (hex code, stage or ``None``), if any.
    focus: tuple[str, str | None] | None = None
    #: True for the plan :meth:`rollback` returns.
    is_rollback: bool = False

    @property
    def scenario_after(self) -> Scenario:
        """The scenario once the client program's changes (authentication level) are made."""
        scenario = self.scenario
        for step in self.steps:
            for action in step.actions:
                if isinstance(action, SetAuthenticationLevel):
                    scenario = action.apply_to(scenario)
        return scenario

    def apply(
        self, client: HostState | None = None, target: HostState | None = None
    ) -> tuple[HostState, HostState]:
        """The (client, target) states after every step (default: the states planned on)."""
        states = {
            Side.CLIENT: self.client_state if client is None else client,
            Side.TARGET: self.target_state if target is None else target,
        }
        for step in self.steps:
            states[step.on] = apply_all(step.actions, states[step.on])
        return states[Side.CLIENT], states[Side.TARGET]

    def outcome(self, client: HostState | None = None, target: HostState | None = None) -> Outcome:
        """:func:`~wmireach.simulation.simulate` after the plan (default: on the planned states)."""
        return simulate(self.scenario_after, *self.apply(client, target))

    def rollback(self) -> Plan:
        """The inverse plan: every step's recorded rollback, last step first.

        Applied to the states this plan produces, it restores the states the plan was built on
        exactly; its own rollback is this plan again.
        """
        client, target = self.apply()
        steps = _undo_steps(self.steps, self.is_rollback)
        return Plan(
            scenario=self.scenario_after,
            steps=steps,
            client_state=client,
            target_state=target,
            notes=() if self.is_rollback else (_ROLLBACK_NOTE,),
            focus=self.focus,
            is_rollback=not self.is_rollback,
        )

    def on(self, side: Side) -> Plan:
        """This plan with only the steps on ``side`` (one script per computer)."""
        steps = tuple(s for s in self.steps if s.on is side)
        if type(self) is not Plan:  # a subclass may add fields: the general path
            return attrs.evolve(self, steps=steps)
        # What attrs.evolve does (Plan has no converters or validators), without its overhead.
        new = object.__new__(Plan)
        for name in _PLAN_FIELDS:
            _SETATTR(new, name, steps if name == "steps" else getattr(self, name))
        return new

    @property
    def sides(self) -> tuple[Side, ...]:
        """The computers that have steps, target first (the order to run them in)."""
        return tuple(
            side for side in (Side.TARGET, Side.CLIENT) if any(s.on is side for s in self.steps)
        )

    def __repr__(self) -> str:
        # The states and actions would fill pages; the steps and computers say which plan it is.
        s = self.scenario
        steps = ", ".join(f"{st.id} on {st.on.value}" for st in self.steps) or "no steps"
        kind = "rollback plan" if self.is_rollback else "plan"
        return (
            f"<{kind} {s.client.name} ({s.client.release.identifier}) -> {s.target.name} "
            f"({s.target.release.identifier}): {steps}>"
        )

    def _repr_html_(self) -> str:
        """The notebook display: before and after, the diagram and the steps per computer."""
        from wmireach.display import plan_html  # above this layer: only when displayed

        return plan_html(self)

    def _repr_markdown_(self) -> str:
        """The Markdown display: the runbook of ``wmireach plan --format markdown``."""
        from wmireach.display import plan_markdown

        return plan_markdown(self)


_PLAN_FIELDS: Final = tuple(a.name for a in attrs.fields(Plan))
_SETATTR: Final = object.__setattr__

_ROLLBACK_NOTE: Final = (
    "This undoes the plan: run it on the computers the plan changed. It puts back the values "
    "recorded when the plan was made; a setting someone changed since then is overwritten."
)


@functools.lru_cache(maxsize=1024)  # pure; plans of many scenarios share their steps
def _undo_steps(steps: tuple[Step, ...], is_rollback: bool) -> tuple[Step, ...]:
    """The steps of the inverse plan: every step's recorded rollback, last step first."""
    return tuple(
        Step(
            id=s.id.removeprefix("undo-") if is_rollback else f"undo-{s.id}",
            on=s.on,
            title=_undo_title(s.title, undo=not is_rollback),
            why=f"Reverts step {s.id}: puts back what was there before it ran."
            if not is_rollback
            else s.why,
            rules=s.rules,
            sources=s.sources,
            actions=s.rollback,
            rollback=s.actions,
            verify=s.verify,
            gui=s.gui,
            notes=s.notes,
        )
        for s in reversed(steps)
        if s.actions
    )


def _undo_title(title: str, *, undo: bool) -> str:
    return f"Undo: {title}" if undo else title.removeprefix("Undo: ")


@attrs.frozen(kw_only=True)
class _Draft:
    """A step before it has an id, its rules and its rollback."""

    on: Side
    title: str
    why: str
    actions: tuple[Action, ...]
    verify: str
    sources: tuple[str, ...] = ()
    risk: str | None = None
    trade_off: str | None = None
    gui: str | None = None
    notes: tuple[str, ...] = ()


_States = dict[Side, HostState]


class _Memo:
    """What one :func:`plan` call has already worked out, by object identity.

    The plan builder asks the same rule about the same (scenario, state) pair several times
    (first unmet, candidate check, newly met) and applies the chosen candidate's actions twice;
    rules' predicates and actions are pure, so the first answer is reused. Keys are ``id()`` s;
    every keyed object is kept alive in the entry, so an id cannot be reused while the memo
    lives (it lives for one :func:`plan` call).
    """

    __slots__ = ("applied", "met")

    def __init__(self) -> None:
        self.met: dict[tuple[int, int, int], tuple[bool, Rule, Scenario, HostState]] = {}
        self.applied: dict[tuple[int, int], tuple[HostState, tuple[Action, ...], HostState]] = {}

    def check(self, r: Rule, scenario: Scenario, state: HostState) -> bool:
        key = (id(r), id(scenario), id(state))
        entry = self.met.get(key)
        if entry is None:
            entry = (r.met(scenario, state), r, scenario, state)
            self.met[key] = entry
        return entry[0]

    def apply(self, actions: tuple[Action, ...], state: HostState) -> HostState:
        key = (id(actions), id(state))
        entry = self.applied.get(key)
        if entry is None:
            entry = (apply_all(actions, state), actions, state)
            self.applied[key] = entry
        return entry[0]


_MEMO: Final[contextvars.ContextVar[_Memo | None]] = contextvars.ContextVar(
    "wmireach_plan_memo", default=None
)


def _met(r: Rule, scenario: Scenario, state: HostState) -> bool:
    memo = _MEMO.get()
    return r.met(scenario, state) if memo is None else memo.check(r, scenario, state)


def _apply(actions: tuple[Action, ...], state: HostState) -> HostState:
    memo = _MEMO.get()
    return apply_all(actions, state) if memo is None else memo.apply(actions, state)


def plan(
    scenario: Scenario,
    *,
    client_state: HostState | None = None,
    target_state: HostState | None = None,
    failure: HResult | int | str | None = None,
    stage: Stage | None = None,
) -> Plan:
    """The least-privileged steps that make ``scenario``'s call pass, with their rollback.

    States default to the releases' out-of-the-box settings. ``failure`` (any spelling
    :func:`~wmireach.hresult.decode` reads), optionally with the ``stage`` it was seen at,
    keeps only the steps for requirements whose failure matches it.

    >>> from wmireach.model import *
    >>> wg = Membership.workgroup()
    >>> s = Scenario(
    ...     client=Computer(name="A", release="win11", membership=wg, address="10.0.0.5"),
    ...     target=Computer(name="B", release="win10", membership=wg),
    ...     account=Account(kind=AccountKind.LOCAL_ADMIN, name="wmiadmin"),
    ... )
    >>> [(st.id, st.title) for st in plan(s).steps]  # doctest: +NORMALIZE_WHITESPACE
    [('s1', "Admit TCP 135 (RPC endpoint mapper) on Computer B's firewall, from 10.0.0.5 only"),
     ('s2', 'Add wmiadmin to Distributed COM Users on Computer B'),
     ('s3', "Admit the WMI service (winmgmt) on Computer B's firewall, from 10.0.0.5 only"),
     ('s4', 'Grant wmiadmin Remote Enable on root\\\\cimv2 on Computer B')]
    >>> [st.id for st in plan(s, failure="0x80041003").steps]
    ['s4']
    """
    _validate(scenario)
    if scenario.call_mode is CallMode.ASYNC:
        result = _planned(scenario, client_state, target_state)
    else:
        result = _target_only(scenario, client_state, target_state)
    if failure is not None:
        result = _focus(result, failure, stage)
    return result


def _planned(
    scenario: Scenario, client_state: HostState | None, target_state: HostState | None
) -> Plan:
    token = _MEMO.set(_Memo())
    try:
        return _plan(scenario, client_state, target_state)
    finally:
        _MEMO.reset(token)


def _target_only(
    scenario: Scenario, client_state: HostState | None, target_state: HostState | None
) -> Plan:
    """The plan of a sync or semisync call, shared by every client release and state.

    Without Connection 2 no requirement reads Computer A's state or release (only the callback
    rules do, facts §0.1), and sync calls need what semisync calls need: the steps are those of
    :func:`wmireach.matrix.client_stand_in`, which :func:`_stand_in_plan` remembers. A property
    test checks this over the scenario matrix against planning each scenario from scratch.
    """
    shared = _stand_in_plan(client_stand_in(scenario), target_state)
    if shared.scenario is scenario and client_state is None:
        return shared
    start = default_states(scenario)[0] if client_state is None else client_state
    new = object.__new__(Plan)
    for name in _PLAN_FIELDS:
        value = getattr(shared, name)
        if name == "scenario":
            value = scenario
        elif name == "client_state":
            value = start
        _SETATTR(new, name, value)
    return new


@functools.lru_cache(maxsize=1024)
def _stand_in_plan(stand_in: Scenario, target_state: HostState | None) -> Plan:
    """:func:`_planned` for a stand-in scenario (pure: the plan is a value of its inputs)."""
    return _planned(stand_in, None, target_state)


def _plan(
    scenario: Scenario, client_state: HostState | None, target_state: HostState | None
) -> Plan:
    defaults = default_states(scenario)
    start: _States = {
        Side.CLIENT: defaults[0] if client_state is None else client_state,
        Side.TARGET: defaults[1] if target_state is None else target_state,
    }
    states = dict(start)
    current = scenario
    steps: list[Step] = []
    waived: set[str] = set()
    for _ in range(4 * len(requirements(scenario)) + 4):
        unmet = _first_unmet(current, states, waived)
        if unmet is None:
            break
        draft = _remedy(unmet, current, states)
        before = states[draft.on]
        after_scenario = current
        for action in draft.actions:
            if isinstance(action, SetAuthenticationLevel):
                after_scenario = action.apply_to(after_scenario)
        after = dict(states)
        after[draft.on] = _apply(draft.actions, before)
        fixed = _newly_met(
            current,
            states,
            after_scenario,
            after,
            None if after_scenario is not current else draft.on,
        )
        if not draft.actions or unmet.id not in fixed:
            waived.add(unmet.id)
            fixed = (unmet.id,)
        steps.append(
            Step(
                id=f"s{len(steps) + 1}",
                on=draft.on,
                title=draft.title,
                why=draft.why,
                rules=fixed,
                sources=_merge(*(rule(r).sources for r in fixed), draft.sources),
                actions=draft.actions,
                rollback=inverse_all(draft.actions, before),
                verify=draft.verify,
                risk=draft.risk,
                trade_off=draft.trade_off,
                gui=draft.gui,
                notes=draft.notes,
            )
        )
        states, current = after, after_scenario
    return Plan(
        scenario=scenario,
        steps=tuple(steps),
        client_state=start[Side.CLIENT],
        target_state=start[Side.TARGET],
        unresolved=tuple(sorted(waived)),
        notes=_plan_notes(scenario, steps),
    )


def _first_unmet(
    scenario: Scenario, states: Mapping[Side, HostState], waived: set[str]
) -> Rule | None:
    client, target = states[Side.CLIENT], states[Side.TARGET]
    for r in requirements(scenario):
        if r.id in waived:
            continue
        if not _met(r, scenario, client if r.side is Side.CLIENT else target):
            return r
    return None


def _newly_met(
    scenario: Scenario,
    states: Mapping[Side, HostState],
    scenario_after: Scenario,
    after: Mapping[Side, HostState],
    changed: Side | None,
) -> tuple[str, ...]:
    """The requirements unmet before and met after; ``changed`` names the only side whose
    state changed when the scenario stayed the same (the other side's rules can't change)."""
    client, target = states[Side.CLIENT], states[Side.TARGET]
    client_after, target_after = after[Side.CLIENT], after[Side.TARGET]
    return tuple(
        r.id
        for r in requirements(scenario)
        if (changed is None or r.side is changed)
        and (
            not _met(r, scenario, client if r.side is Side.CLIENT else target)
            and _met(r, scenario_after, client_after if r.side is Side.CLIENT else target_after)
        )
    )


def _merge(*groups: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        for item in group:
            seen.setdefault(item, None)
    return tuple(seen)


def _plan_notes(scenario: Scenario, steps: list[Step]) -> tuple[str, ...]:
    notes = []
    callback = [s.id for s in steps if any(rule(r).stage is Stage.CALLBACK for r in s.rules)]
    if scenario.call_mode is CallMode.ASYNC:
        notes.append(
            "Prefer semisynchronous calls: they need no Connection 2 (B calling back into A), so "
            + (f"steps {', '.join(callback)} become unnecessary" if callback else "nothing on A")
            + "; Microsoft recommends semisync as almost as fast and more secure "
            "(facts §0.1, §7.7 [S2]). Plan again with --call-mode semisync."
        )
    notes.append(
        "Run the steps on Computer B first, then on Computer A; each script records the values "
        "it replaces so the rollback can put them back."
    )
    return tuple(notes)


def _focus(result: Plan, failure: HResult | int | str, stage: Stage | None) -> Plan:
    from wmireach.hresult import HResult, decode

    value = (failure if isinstance(failure, HResult) else decode(failure)).value
    consistent = {
        r.id
        for r in requirements(result.scenario)
        if r.failure == value and (stage is None or r.stage is stage)
    }
    hex_code = f"0x{value:08X}"
    if not consistent:
        possible = sorted({f"0x{r.failure:08X}" for r in requirements(result.scenario)})
        where = f" at stage {stage.value}" if stage is not None else ""
        raise ScenarioError(
            f"no requirement of this scenario fails with {hex_code}{where}; it can fail with "
            + ", ".join(possible)
            + " (run 'wmireach explain' on the code for other causes)"
        )
    steps = tuple(s for s in result.steps if consistent & set(s.rules))
    notes = result.notes
    if not steps:
        notes = (
            *notes,
            f"Every requirement that fails with {hex_code} is already met in the states planned "
            "on; pass the computers' real settings, or look beyond the model's requirements.",
        )
    return attrs.evolve(
        result,
        steps=steps,
        notes=notes,
        focus=(hex_code, None if stage is None else stage.value),
        unresolved=tuple(r for r in result.unresolved if r in consistent),
    )


# Remedies --------------------------------------------------------------------------------------


def _first_working(
    candidates: Iterable[_Draft],
    scenario: Scenario,
    states: Mapping[Side, HostState],
    target_rule: Rule,
) -> _Draft | None:
    """The first candidate that meets ``target_rule`` and its twin (enable + scope rules of one
    stage go together, so one step does both), else the first that meets ``target_rule``."""
    drafts = [d for d in candidates if d.on is target_rule.side]
    applicable = {r.id for r in requirements(scenario)}
    twins = [rule(t) for t in _TWINS.get(target_rule.id, ()) if t in applicable]
    after = [_apply(d.actions, states[d.on]) for d in drafts]
    for draft, state in zip(drafts, after, strict=True):
        if _met(target_rule, scenario, state) and all(_met(t, scenario, state) for t in twins):
            return draft
    for draft, state in zip(drafts, after, strict=True):
        if _met(target_rule, scenario, state):
            return draft
    return None


#: Rules one firewall step meets together: "a rule admits it" and "its scope includes the peer".
_TWINS: Final[Mapping[str, tuple[str, ...]]] = {
    "WR101": ("WR102",),
    "WR102": ("WR101",),
    "WR501": ("WR502",),
    "WR502": ("WR501",),
    "WR801": ("WR802",),
    "WR802": ("WR801",),
}


def _manual(
    side: Side, title: str, why: str, *, gui: str | None = None, sources: tuple[str, ...] = ()
) -> _Draft:
    return _Draft(
        on=side,
        title=title,
        why=why,
        actions=(),
        verify="Run the call again: it should get past this stage.",
        sources=sources,
        gui=gui,
    )


_PROFILE_WORD: Final = {
    NetworkProfile.DOMAIN: "domain",
    NetworkProfile.PRIVATE: "private",
    NetworkProfile.PUBLIC: "public",
}


@attrs.frozen(kw_only=True)
class _Traffic:
    """What one firewall step admits, in words and in rule fields."""

    stem: str
    what: str
    local_port: int | None = None
    service: str | None = None
    program: str | None = None


_EPM_TRAFFIC: Final = _Traffic(
    stem="WMI-RPCSS-In-TCP",
    what="TCP 135 (RPC endpoint mapper)",
    local_port=135,
    service="rpcss",
    program=SVCHOST,
)
_WMI_TRAFFIC: Final = _Traffic(
    stem="WMI-WINMGMT-In-TCP", what="the WMI service (winmgmt)", service="winmgmt", program=SVCHOST
)
_ASYNC_TRAFFIC: Final = _Traffic(
    stem="WMI-ASYNC-In-TCP", what="the callback sink (unsecapp.exe)", program=_UNSECAPP
)

_BUILTIN: Final[Mapping[str, FirewallRule]] = {r.name: r for r in WMI_RULES}
_NAME_CHARS: Final = re.compile(r"[^A-Za-z0-9_.-]")


def _sink_traffic(scenario: Scenario) -> _Traffic:
    program = normalize_program(scenario.sink_program)
    if program == _UNSECAPP:
        return _ASYNC_TRAFFIC
    stem = "sink-" + _NAME_CHARS.sub("_", ntpath.basename(program).removesuffix(".exe"))[:40]
    return _Traffic(
        stem=stem, what=f"the client's own sink {scenario.sink_program}", program=program
    )


def _peer(scenario: Scenario, side: Side) -> str | None:
    address = (scenario.client if side is Side.TARGET else scenario.target).address
    return None if address is None else check_address(address)


def _computer_word(side: Side) -> str:
    return "Computer B" if side is Side.TARGET else "Computer A"


def _admit_wfas(
    scenario: Scenario,
    states: Mapping[Side, HostState],
    side: Side,
    traffic: _Traffic,
    target_rule: Rule,
) -> _Draft:
    """Enable the built-in rule for the active profile, or add one scoped to the peer."""
    computer = scenario.computer(side)
    profile = computer.profile
    state = states[side]
    peer = _peer(scenario, side)
    where = _computer_word(side)
    builtin_name = traffic.stem + ("-NoScope" if profile is NetworkProfile.DOMAIN else "")
    builtin = state.firewall_rule(builtin_name)
    sources = (
        "facts §2.1.3-2.1.4 [S49][S47]: the WMI group @FirewallAPI.dll,-34251 and its rules; "
        "Private/Public twins are LocalSubnet-scoped",
        "facts §2.2, §2.3 [S36][S37][S45][S46]: netsh advfirewall and NetSecurity syntax",
    )
    candidates: list[_Draft] = []
    profile_word = _PROFILE_WORD[profile]
    if peer is None and builtin is not None:
        candidates.append(
            _Draft(
                on=side,
                title=f"Admit {traffic.what} on {where}'s firewall ({profile_word} profile)",
                why=f"The built-in rule {builtin_name} ships disabled; enabling only this rule, "
                f"for the {profile_word} profile the computer is on, opens nothing else of the "
                "WMI group.",
                actions=(SetFirewallRule(rule=attrs.evolve(builtin, enabled=True), created=False),),
                verify=f"Get-NetFirewallRule -Name {builtin_name} shows Enabled True (or netsh "
                "advfirewall firewall show rule name=all shows it enabled).",
                sources=sources,
                trade_off="Give the peer's address (--client-address) to admit it alone instead.",
                gui="wf.msc > Inbound Rules > Windows Management Instrumentation > "
                f"{builtin.display_name} ({profile_word}) > Enable Rule",
            )
        )
    template = builtin or _BUILTIN.get(builtin_name)
    name = RULE_PREFIX + traffic.stem
    scope = frozenset({peer}) if peer is not None else frozenset({"any"})
    custom = FirewallRule(
        name=name,
        enabled=True,
        profiles=frozenset({profile}),
        direction=Direction.IN,
        remote_addresses=scope,
        local_port=traffic.local_port if template is None else template.local_port,
        service=traffic.service if template is None else template.service,
        program=traffic.program if template is None else template.program,
        display_name=f"{template.display_name if template else traffic.what} - wmireach",
    )
    existing = state.firewall_rule(name)
    risk = None
    if peer is None:
        risk = (
            f"Admits {traffic.what} from every address on the {profile_word} network, not only "
            "the local subnet; give the peer's address (--client-address) to scope it."
        )
    candidates.append(
        _Draft(
            on=side,
            title=f"Admit {traffic.what} on {where}'s firewall, "
            + (f"from {peer} only" if peer is not None else "from any address"),
            why=(
                f"A rule of its own, {name}, for the {profile_word} profile only, scoped to "
                + (f"{peer}: tighter than the built-in {builtin_name}" if peer else "any address")
                + "; the built-in rules' scope can only be changed by their localized display "
                "names in netsh (facts §2.2.2-2.2.3, §12.2), a rule of our own is the same in "
                "every language and is removed cleanly."
            ),
            actions=(SetFirewallRule(rule=custom, created=existing is None),),
            verify=f"Get-NetFirewallRule -Name {name} shows Enabled True (netsh advfirewall "
            f"firewall show rule name={name}).",
            sources=(*sources, "facts §2.1.7 [S1][S16]: Microsoft's individual-rule alternative"),
            risk=risk,
            gui=f"wf.msc > Inbound Rules > {name} > Properties > Scope",
        )
    )
    chosen = _first_working(candidates, scenario, states, target_rule)
    if chosen is not None:
        return chosen
    return _manual(
        side,
        f"Admit {traffic.what} on {where}'s firewall",
        f"Neither enabling {builtin_name} nor adding {name} admits the traffic in the given "
        "state (another rule or policy blocks it); check the firewall's policy by hand.",
        sources=sources,
    )


def _legacy_rule(
    state: HostState,
    rule_: FirewallRule,
    profile: NetworkProfile,
    peer: str | None,
    scenario: Scenario,
) -> FirewallRule:
    existing = state.firewall_rule(rule_.name) or rule_
    if peer is not None:
        scope = existing.remote_addresses | {peer} if existing.enabled else frozenset({peer})
    elif existing.in_scope(None, same_subnet=scenario.same_subnet):
        scope = existing.remote_addresses
    else:
        scope = existing.remote_addresses | {"any"}
    return attrs.evolve(
        existing, enabled=True, profiles=existing.profiles | {profile}, remote_addresses=scope
    )


_LEGACY_PROFILES: Final = frozenset({NetworkProfile.DOMAIN, NetworkProfile.PRIVATE})


def _remote_admin(
    scenario: Scenario, states: Mapping[Side, HostState], target_rule: Rule
) -> _Draft:
    state = states[Side.TARGET]
    peer = _peer(scenario, Side.TARGET)
    base = FirewallRule(
        name=REMOTE_ADMIN,
        kind=RuleKind.SERVICE,
        enabled=False,
        profiles=_LEGACY_PROFILES,
        program=SVCHOST,
    )
    new = _legacy_rule(state, base, scenario.target.profile, peer, scenario)
    draft = _Draft(
        on=Side.TARGET,
        title="Enable the Remote Administration exception on Computer B's Windows Firewall"
        + (f", for {peer} only" if peer else ""),
        why="Before Vista there is no WMI rule group: WMI needs the Remote Administration "
        "exception, which opens TCP 135 and the dynamic RPC port winmgmt listens on "
        "(facts §2.4.1 [S2][S38]).",
        actions=(SetFirewallRule(rule=new, created=False),),
        verify="netsh firewall show state lists Remote Administration as enabled.",
        sources=("facts §2.4.1-2.4.3 [S2][S38][S39][S69]",),
        risk="Remote Administration also opens TCP 445 and lets svchost.exe and lsass.exe accept "
        "unsolicited traffic (facts §2.4.1 [S2][S38])"
        + ("" if peer else "; give --client-address to limit it to Computer A"),
        gui="Group Policy: Computer Configuration > Administrative Templates > Network > Network "
        "Connections > Windows Firewall > Domain/Standard Profile > Windows Firewall: Allow "
        "remote administration exception (it cannot be set in the Control Panel UI)",
    )
    chosen = _first_working((draft,), scenario, states, target_rule)
    return chosen or _manual(
        Side.TARGET,
        draft.title,
        "Enabling RemoteAdmin does not admit the "
        "traffic in the given state; check the firewall by hand.",
    )


def _port_opening(
    scenario: Scenario, states: Mapping[Side, HostState], side: Side, target_rule: Rule
) -> _Draft:
    peer = _peer(scenario, side)
    base = FirewallRule(
        name="DCOM_TCP135",
        kind=RuleKind.PORT_OPENING,
        enabled=False,
        profiles=frozenset({scenario.computer(side).profile}),
        local_port=135,
        remote_addresses=frozenset({peer} if peer else {"any"}),
    )
    new = _legacy_rule(states[side], base, scenario.computer(side).profile, peer, scenario)
    where = _computer_word(side)
    draft = _Draft(
        on=side,
        title=f"Open TCP 135 on {where}'s firewall" + (f" for {peer} only" if peer else ""),
        why="The endpoint mapper on TCP 135 must be reachable "
        + (
            "for the callback into A's sink (facts §2.4.4 [S2])."
            if side is Side.CLIENT
            else "before anything else (facts §2.4 [S2])."
        ),
        actions=(
            SetFirewallRule(rule=new, created=states[side].firewall_rule("DCOM_TCP135") is None),
        ),
        verify="netsh firewall show portopening lists TCP 135 (DCOM_TCP135).",
        sources=("facts §2.4.3-2.4.4 [S2][S69]",),
        risk=None
        if peer
        else "TCP 135 is open to any address; give the peer's address to scope it.",
    )
    chosen = _first_working((draft,), scenario, states, target_rule)
    return chosen or _manual(
        side,
        draft.title,
        "A TCP 135 port opening does not admit the "
        "traffic in the given state; check the firewall by hand.",
    )


def _legacy_sink(scenario: Scenario, states: Mapping[Side, HostState], target_rule: Rule) -> _Draft:
    peer = _peer(scenario, Side.CLIENT)
    program = normalize_program(scenario.sink_program)
    name = "UNSECAPP" if program == _UNSECAPP else _sink_traffic(scenario).stem.upper()
    base = FirewallRule(
        name=name,
        kind=RuleKind.ALLOWED_PROGRAM,
        enabled=False,
        profiles=frozenset({scenario.client.profile}),
        program=scenario.sink_program,
        remote_addresses=frozenset({peer} if peer else {"any"}),
    )
    new = _legacy_rule(states[Side.CLIENT], base, scenario.client.profile, peer, scenario)
    draft = _Draft(
        on=Side.CLIENT,
        title=f"Allow the sink program {scenario.sink_program} through Computer A's firewall"
        + (f" for {peer} only" if peer else ""),
        why="Asynchronous results come back on Connection 2 into the sink program on A "
        "(facts §2.4.4, §7.1 [S2]).",
        actions=(
            SetFirewallRule(rule=new, created=states[Side.CLIENT].firewall_rule(name) is None),
        ),
        verify="netsh firewall show allowedprogram lists the sink program.",
        sources=("facts §2.4.4, §7.1-7.2 [S2]",),
        risk=None
        if peer
        else "The sink accepts callbacks from any address; give the target's address to scope it.",
        trade_off="Semisynchronous calls need no callback at all (facts §0.1 [S2]).",
    )
    chosen = _first_working((draft,), scenario, states, target_rule)
    return chosen or _manual(
        Side.CLIENT,
        draft.title,
        "Allowing the program does not admit the "
        "callback in the given state; check the firewall by hand.",
    )


_ICF_WHY: Final = (
    "The Internet Connection Firewall (XP RTM/SP1, Server 2003 RTM) opens ports only, and WMI's "
    "{what} uses a dynamic port it cannot list (facts §1.1, §2.4.1). wmireach never plans "
    "turning a firewall off: install XP SP2 / Server 2003 SP1 (Windows Firewall, with the "
    "Remote Administration exception), or decide yourself to turn ICF off on this connection."
)


def _dcom(scenario: Scenario, states: Mapping[Side, HostState], target_rule: Rule) -> _Draft:
    principal = scenario.account.principal
    access = target_rule.id == "WR405"
    rights = (
        (DcomRight.REMOTE_ACCESS,)
        if access
        else (DcomRight.REMOTE_LAUNCH, DcomRight.REMOTE_ACTIVATION)
    )
    rights_words = "Remote Access" if access else "Remote Launch and Remote Activation"
    uac = target_rule.id == "WR403"
    trade_off = (
        "LocalAccountTokenFilterPolicy=1 would also work, but it gives every local administrator "
        "a full token over the network (pass-the-hash risk); Microsoft calls it a last resort for "
        "workgroups. A domain account in B's Administrators is not filtered at all "
        "(facts §3.1-3.4 [S3][S21][S22])."
        if uac
        else None
    )
    sources = (
        "facts §4.6-4.7 [S16][S27][S33]: Distributed COM Users (S-1-5-32-562) holds remote "
        "launch, activation and access in the default limits",
        "facts §3.4 [S3]: grant the account DCOM and namespace rights rather than disabling "
        "remote UAC",
    )
    candidates = []
    if scenario.target.release.distributed_com_users:
        candidates.append(
            _Draft(
                on=Side.TARGET,
                title=f"Add {principal} to Distributed COM Users on Computer B",
                why=f"The account lacks {rights_words} in B's machine-wide DCOM limits"
                + (" once remote UAC strips its administrator token" if uac else "")
                + "; membership of Distributed COM Users grants exactly the DCOM rights WMI needs "
                "without making it an administrator.",
                actions=(AddGroupMember(group=DISTRIBUTED_COM_USERS, principal=principal),),
                verify='net localgroup "Distributed COM Users" lists the account (the group '
                "name is localized; its SID is S-1-5-32-562).",
                sources=sources,
                risk="Distributed COM Users may launch, activate and access every DCOM server "
                "on B remotely (a machine-wide limit), not only WMI.",
                trade_off=trade_off,
                gui="lusrmgr.msc > Groups > Distributed COM Users > Add",
                notes=("The account must log on again for the membership to count.",),
            )
        )
    candidates.append(
        _Draft(
            on=Side.TARGET,
            title=f"Grant {principal} {rights_words} in Computer B's DCOM machine limits",
            why=f"The account lacks {rights_words} in B's machine-wide DCOM limits"
            + (
                ""
                if scenario.target.release.distributed_com_users
                else " and this release has no Distributed COM Users group"
            )
            + " (facts §4.2, §4.6, §4.10 [S25][S26][S27]).",
            actions=(GrantDcomRights(principal=principal, rights=rights),),
            verify="dcomcnfg > Component Services > Computers > My Computer > Properties > COM "
            "Security > Edit Limits shows the account with the rights.",
            sources=("facts §4.2-4.5 [S25][S26][S27][S28][S73]",),
            trade_off=trade_off,
            gui="dcomcnfg > Component Services > Computers > My Computer > Properties > COM "
            "Security > "
            + ("Access Permissions" if access else "Launch and Activation Permissions")
            + " > Edit Limits",
            notes=(
                "If the Group Policy 'DCOM: Machine ... Restrictions in SDDL syntax' is set, it "
                "overrides these values: change the policy instead (facts §4.3 [S73]).",
            ),
        )
    )
    chosen = _first_working(candidates, scenario, states, target_rule)
    return chosen or _manual(
        Side.TARGET,
        f"Give {principal} DCOM {rights_words} on Computer B",
        "Neither group membership nor a direct grant meets the requirement in the given state.",
        gui=candidates[-1].gui,
    )


def _namespace(scenario: Scenario, states: Mapping[Side, HostState], target_rule: Rule) -> _Draft:
    principal = scenario.account.principal
    ace = NamespaceAce(
        namespace=scenario.namespace,
        principal=principal,
        mask=WBEM_ENABLE | WBEM_REMOTE_ACCESS,
        inherit=False,
    )
    draft = _Draft(
        on=Side.TARGET,
        title=f"Grant {principal} Remote Enable on {scenario.namespace} on Computer B",
        why="Remote Enable is held by Administrators only by default; without it the namespace "
        "login fails with 0x80041003 (facts §5.1-5.3 [S6][S8][S16]). The ACE grants Enable "
        "Account and Remote Enable on this namespace only.",
        actions=(GrantNamespaceRights(ace=ace),),
        verify="wmimgmt.msc > WMI Control > Properties > Security > the namespace > Security "
        "lists the account with Remote Enable.",
        sources=("facts §5.4-5.5 [S10][S11]: __SystemSecurity Get/SetSecurityDescriptor",),
        trade_off="To cover child namespaces too, grant it with 'This namespace and "
        "subnamespaces' (container inherit, facts §5.4 [S10]).",
        gui="wmimgmt.msc > WMI Control > Properties > Security > "
        f"{scenario.namespace} > Security > Add > Remote Enable",
    )
    chosen = _first_working((draft,), scenario, states, target_rule)
    return chosen or _manual(
        Side.TARGET,
        draft.title,
        "The ACE does not meet the requirement in the given state (a deny ACE?).",
        gui=draft.gui,
    )


def _standalone(scenario: Scenario, states: Mapping[Side, HostState], target_rule: Rule) -> _Draft:
    port = scenario.fixed_port
    level = max(scenario.auth_level, AuthLevel.PKT)
    return _Draft(
        on=Side.TARGET,
        title=f"Move WMI to its own host on fixed port {port} on Computer B",
        why="winmgmt /standalonehost runs WMI in its own svchost with a fixed DCOM endpoint, so "
        "the firewall path is TCP 135 plus one port (facts §6.1-6.4 [S4][S5][S30]). Its level "
        f"argument is set to {level.number} ({level.value}), the level the client calls at.",
        actions=(SetWmiHosting(hosting=WmiHosting.STANDALONE, port=port, auth_level=level),),
        verify="sc qc winmgmt shows TYPE 10 WIN32_OWN_PROCESS; netstat -ano shows the port "
        "listening.",
        notes=(
            "Restarts the WMI service (net stop winmgmt, net start winmgmt): services that "
            "depend on it restart too.",
        ),
        sources=("facts §6.2 [S4]: documented procedure", "facts §6.4 [S58][S59]"),
    )


def _auth_level(scenario: Scenario) -> _Draft:
    return _Draft(
        on=Side.CLIENT,
        title=f"Make the client program authenticate at {HARDENING_FLOOR.value} or higher",
        why=f"Computer B has the DCOM hardening (KB5004442): it refuses activations below "
        f"PKT_INTEGRITY, and the client calls at {scenario.auth_level.value} "
        "(facts §8.1-8.4 [S17][S18][S19]).",
        actions=(SetAuthenticationLevel(level=HARDENING_FLOOR, previous=scenario.auth_level),),
        verify="The call succeeds and B's System log has no DistributedCOM event 10036.",
        trade_off="Before March 14, 2023 the target's RequireIntegrityActivationAuthenticationLevel"
        "=0 could postpone the hardening, but that reopens CVE-2021-26414; wmireach never plans "
        "it (facts §8.2).",
        notes=(
            "A change in the client's code or command line, not a setting: e.g. "
            "Get-WmiObject -Authentication PacketIntegrity, VBScript "
            "authenticationLevel=pktIntegrity, impacket/Python clients RPC_C_AUTHN_LEVEL_PKT_"
            "INTEGRITY (facts §8.7).",
        ),
    )


def _remedy(target_rule: Rule, scenario: Scenario, states: Mapping[Side, HostState]) -> _Draft:
    rid = target_rule.id
    target_fw = scenario.target.release.firewall
    client_fw = scenario.client.release.firewall
    handlers: dict[str, Callable[[], _Draft]] = {
        "WR101": lambda: _admit_wfas(scenario, states, Side.TARGET, _EPM_TRAFFIC, target_rule),
        "WR102": lambda: _admit_wfas(scenario, states, Side.TARGET, _EPM_TRAFFIC, target_rule),
        "WR501": lambda: _admit_wfas(scenario, states, Side.TARGET, _WMI_TRAFFIC, target_rule),
        "WR502": lambda: _admit_wfas(scenario, states, Side.TARGET, _WMI_TRAFFIC, target_rule),
        "WR103": lambda: (
            _remote_admin(scenario, states, target_rule)
            if target_fw is FirewallKind.WINDOWS_FIREWALL
            else _port_opening(scenario, states, Side.TARGET, target_rule)
        ),
        "WR503": lambda: (
            _remote_admin(scenario, states, target_rule)
            if target_fw is FirewallKind.WINDOWS_FIREWALL
            else _manual(
                Side.TARGET,
                "Admit WMI's dynamic port on Computer B",
                _ICF_WHY.format(what="service"),
                sources=("facts §1.1, §2.4 [S2][S38]",),
            )
        ),
        "WR504": lambda: _standalone(scenario, states, target_rule),
        "WR401": lambda: _Draft(
            on=Side.TARGET,
            title="Enable DCOM on Computer B (EnableDCOM=Y)",
            why="With EnableDCOM=N no remote client can reach any DCOM server (facts §4.1 [S29]"
            "[S31]).",
            actions=(SetRegistryValue(path=ENABLE_DCOM[0], name=ENABLE_DCOM[1], value="Y"),),
            verify="reg query HKLM\\SOFTWARE\\Microsoft\\Ole /v EnableDCOM shows Y.",
            gui="dcomcnfg > My Computer > Properties > Default Properties > Enable Distributed "
            "COM on this computer",
            notes=("Takes effect after a restart of Computer B (facts §4.1 [S32]).",),
        ),
        "WR402": lambda: _auth_level(scenario),
        "WR403": lambda: _dcom(scenario, states, target_rule),
        "WR404": lambda: _dcom(scenario, states, target_rule),
        "WR405": lambda: _dcom(scenario, states, target_rule),
        "WR601": lambda: _namespace(scenario, states, target_rule),
        "WR801": lambda: (
            _admit_wfas(scenario, states, Side.CLIENT, _sink_traffic(scenario), target_rule)
            if client_fw is FirewallKind.WFAS
            else _legacy_sink(scenario, states, target_rule)
            if client_fw is FirewallKind.WINDOWS_FIREWALL
            else _manual(
                Side.CLIENT,
                "Admit the callback into Computer A's sink",
                _ICF_WHY.format(what="callback sink"),
                sources=("facts §1.1, §7.2 [S2]",),
            )
        ),
        "WR802": lambda: _admit_wfas(
            scenario, states, Side.CLIENT, _sink_traffic(scenario), target_rule
        ),
        "WR803": lambda: _port_opening(scenario, states, Side.CLIENT, target_rule),
        "WR804": lambda: _Draft(
            on=Side.TARGET,
            title="Let Computer B's WMI call back anonymously (AllowAnonymousCallback=1)",
            why="A and B share no trust, so B's callback reaches A as ANONYMOUS LOGON, which WMI "
            "refuses unless AllowAnonymousCallback=1 (facts §7.3-7.4 [S1][S83]).",
            actions=(
                SetRegistryValue(
                    path=ALLOW_ANONYMOUS_CALLBACK[0], name=ALLOW_ANONYMOUS_CALLBACK[1], value=1
                ),
            ),
            verify="reg query HKLM\\SOFTWARE\\Microsoft\\WBEM\\CIMOM /v AllowAnonymousCallback "
            "shows 0x1.",
            risk="RISKY: B's WMI may then call any client back without authentication; the "
            "callback can be spoofed or tampered with. Only for async calls without trust "
            "(facts §7.3 [S1]); semisync avoids it.",
            trade_off="Semisynchronous calls need no callback and no anonymous access "
            "(facts §7.7).",
        ),
        "WR805": lambda: _Draft(
            on=Side.CLIENT,
            title="Grant ANONYMOUS LOGON Remote Access in Computer A's DCOM machine limits",
            why="Without trust the callback arrives as ANONYMOUS LOGON, which the default limits "
            "allow local access only; the callback then fails with 0x8007000E or 0x80070005 "
            "(facts §4.6, §4.8, §7.2 [S2][S6][S16]).",
            actions=(
                GrantDcomRights(principal=ANONYMOUS_LOGON, rights=(DcomRight.REMOTE_ACCESS,)),
            ),
            verify="dcomcnfg on A > COM Security > Access Permissions > Edit Limits shows "
            "ANONYMOUS LOGON with Remote Access.",
            risk="RISKY: any unauthenticated computer may then call DCOM servers on A that "
            "allow it. Only for async calls without trust; semisync avoids it (facts §7.2, §7.7).",
            trade_off="Semisynchronous calls need no callback and no anonymous access.",
            gui="dcomcnfg > Component Services > Computers > My Computer > Properties > COM "
            "Security > Access Permissions > Edit Limits > ANONYMOUS LOGON > Remote Access",
        ),
    }
    handler = handlers.get(rid)
    if handler is None:  # pragma: no cover - every rule has a remedy; a new rule must add one
        return _manual(target_rule.side, target_rule.title, target_rule.explanation)
    draft = handler()
    if not draft.sources and not draft.actions:
        return attrs.evolve(draft, sources=target_rule.sources)
    return draft
