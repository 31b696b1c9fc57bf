"""Build a scenario from the options the command line takes, for tests and fixtures.

Owns: :func:`scenario_from_options` and :data:`SCENARIO_OPTIONS`, the keyword form of a
scenario that the pytest plugin's ``wmireach_scenario`` marker and indirect parameters accept.

Must not: import Hypothesis (the pytest plugin uses this module), or do I/O.
"""

from __future__ import annotations

import datetime
import enum
from typing import Final, TypeVar

from wmireach.errors import ScenarioError
from wmireach.model import (
    DEFAULT_NAMESPACE,
    Account,
    AccountKind,
    AuthLevel,
    CallMode,
    Computer,
    Scenario,
    Trust,
)

__all__ = ["SCENARIO_OPTIONS", "scenario_from_options"]

_E = TypeVar("_E", bound=enum.Enum)

#: The keyword names :func:`scenario_from_options` accepts (those of ``wmireach model``).
SCENARIO_OPTIONS: Final = (
    "client_os",
    "target_os",
    "trust",
    "account",
    "call_mode",
    "account_name",
    "auth_level",
    "namespace",
    "fixed_port",
    "target_patched",
    "client_address",
    "same_subnet",
)


def scenario_from_options(
    *,
    client_os: str = "win10",
    target_os: str = "server2019",
    trust: Trust | str = "same-domain",
    account: AccountKind | str = "domain-admin",
    call_mode: CallMode | str = "semisync",
    account_name: str | None = None,
    auth_level: AuthLevel | str = "pkt-integrity",
    namespace: str = DEFAULT_NAMESPACE,
    fixed_port: int | None = None,
    target_patched: datetime.date | str | None = None,
    client_address: str | None = None,
    same_subnet: bool = True,
) -> Scenario:
    """The scenario ``wmireach model`` builds from the same options (defaults as there).

    Memberships follow ``trust`` as on the command line: ``same-domain`` puts both computers in
    domain ``corp``, the two cross-domain trusts in ``corp`` and ``other``, ``workgroup`` both
    in ``WORKGROUP``. Raises :class:`~wmireach.errors.ScenarioError` for a value the model does
    not accept, naming it and what is accepted.

    >>> s = scenario_from_options(target_os="2022", trust="workgroup", account="local-admin")
    >>> (s.target.release.identifier, s.trust.value, s.account.kind.value, s.call_mode.value)
    ('server2022', 'workgroup', 'local-admin', 'semisync')
    >>> scenario_from_options(call_mode="sometimes")
    Traceback (most recent call last):
    ...
    wmireach.errors.ScenarioError: call_mode 'sometimes' is not one of: sync, semisync, async
    """
    from wmireach.matrix import MEMBERSHIPS

    trust_value = _member(Trust, trust, "trust")
    a, b = MEMBERSHIPS[trust_value]
    patched = target_patched
    if isinstance(patched, str):
        try:
            patched = datetime.date.fromisoformat(patched)
        except ValueError:
            raise ScenarioError(
                f"target_patched {target_patched!r} is not a date (use YYYY-MM-DD)"
            ) from None
    return Scenario(
        client=Computer(name="A", release=client_os, membership=a, address=client_address),
        target=Computer(name="B", release=target_os, membership=b, patched=patched),
        account=Account(kind=_member(AccountKind, account, "account"), name=account_name),
        call_mode=_member(CallMode, call_mode, "call_mode"),
        trust=trust_value,
        auth_level=_member(AuthLevel, auth_level, "auth_level"),
        namespace=namespace,
        fixed_port=fixed_port,
        same_subnet=same_subnet,
    )


def _member(enum_type: type[_E], value: object, option: str) -> _E:
    """``value`` as a member of ``enum_type`` (a member already, or its value)."""
    if isinstance(value, enum_type):
        return value
    try:
        return enum_type(value)
    except ValueError:
        accepted = ", ".join(str(m.value) for m in enum_type)
        raise ScenarioError(f"{option} {value!r} is not one of: {accepted}") from None
