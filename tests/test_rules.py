"""wmireach.rules: the registry's invariants (IDs, stages, sides, codes, sources)."""

from __future__ import annotations

import importlib.util
import re

import attrs
import pytest

from wmireach.model import CallMode, Side, Stage, _example
from wmireach.rules import (
    E_ACCESSDENIED,
    E_OUTOFMEMORY,
    RETIRED_RULE_IDS,
    RPC_S_SERVER_UNAVAILABLE,
    RULES,
    WBEM_E_ACCESS_DENIED,
    Rule,
    applicable_rules,
    rule,
)
from wmireach.state import default_state

#: Connection 2 is configured on Computer A, except these (AllowAnonymousCallback on B, §7.3).
CALLBACK_RULES_ON_TARGET = frozenset({"WR804"})
#: The failures the fact sheet documents for the stages rules guard (facts §9.1).
DOCUMENTED = {RPC_S_SERVER_UNAVAILABLE, E_ACCESSDENIED, E_OUTOFMEMORY, WBEM_E_ACCESS_DENIED}


def test_ids_are_unique_well_formed_and_never_retired() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"WR\d{3}", i) for i in ids)
    assert not set(ids) & set(RETIRED_RULE_IDS)


def test_the_first_digit_of_an_id_is_the_stage_position() -> None:
    for r in RULES:
        assert int(r.id[2]) == r.stage.order, r.id


def test_rules_are_in_stage_order() -> None:
    stages = [r.stage for r in RULES]
    assert stages == sorted(stages)


def test_every_rule_has_sources_a_title_and_a_documented_failure() -> None:
    for r in RULES:
        assert r.sources and all(s.strip() for s in r.sources), r.id
        assert any(re.search(r"\[S\d+\]|Microsoft|MSDN|KB\d+", s) for s in r.sources), r.id
        assert r.title and r.explanation
        assert r.failure in DOCUMENTED, r.id


def test_client_side_rules_guard_only_the_callback() -> None:
    """Sync and semisync need nothing on Computer A (ARCHITECTURE.md invariants)."""
    for r in RULES:
        if r.side is Side.CLIENT:
            assert r.stage is Stage.CALLBACK, r.id
    on_target = {r.id for r in RULES if r.stage is Stage.CALLBACK and r.side is Side.TARGET}
    assert on_target == CALLBACK_RULES_ON_TARGET


def test_issue_statements_are_each_expressed_by_a_rule() -> None:
    """The seeds' statements listed in issue 3, each mapped to the rule that carries it."""
    expected = {
        "WR801": (Side.CLIENT, Stage.CALLBACK, RPC_S_SERVER_UNAVAILABLE),  # sink exception on A
        "WR805": (Side.CLIENT, Stage.CALLBACK, E_OUTOFMEMORY),  # ANONYMOUS LOGON on A
        "WR804": (Side.TARGET, Stage.CALLBACK, E_ACCESSDENIED),  # AllowAnonymousCallback on B
        "WR403": (Side.TARGET, Stage.DCOM_ACTIVATION, E_ACCESSDENIED),  # UAC filtering
        "WR404": (Side.TARGET, Stage.DCOM_ACTIVATION, E_ACCESSDENIED),  # launch/activation
        "WR601": (Side.TARGET, Stage.NAMESPACE_LOGIN, WBEM_E_ACCESS_DENIED),  # Remote Enable
        "WR103": (Side.TARGET, Stage.TCP_135, RPC_S_SERVER_UNAVAILABLE),  # XP SP2 / 2003 SP1
        "WR504": (Side.TARGET, Stage.WMI_PORT, RPC_S_SERVER_UNAVAILABLE),  # fixed port
        "WR402": (Side.TARGET, Stage.DCOM_ACTIVATION, E_ACCESSDENIED),  # PKT_INTEGRITY floor
        "WR102": (Side.TARGET, Stage.TCP_135, RPC_S_SERVER_UNAVAILABLE),  # LocalSubnet scope
    }
    for rule_id, (side, stage, failure) in expected.items():
        r = rule(rule_id)
        assert (r.side, r.stage, r.failure) == (side, stage, failure), rule_id


def test_connection_2_rules_apply_only_to_async_calls() -> None:
    s = _example()
    for mode in CallMode:
        ids = {r.id for r in applicable_rules(attrs.evolve(s, call_mode=mode))}
        has_callback = any(rule(i).stage is Stage.CALLBACK for i in ids)
        assert has_callback is (mode is CallMode.ASYNC)


def test_lookup() -> None:
    assert rule("wr101") is RULES[0]
    with pytest.raises(KeyError, match="no rule 'WR999'"):
        rule("WR999")


def test_rule_records_validate() -> None:
    base = RULES[0]
    with pytest.raises(ValueError, match="WR"):
        attrs.evolve(base, id="R101")
    with pytest.raises(ValueError, match="sources"):
        attrs.evolve(base, sources=())
    with pytest.raises(ValueError, match="failure"):
        attrs.evolve(base, failure=-1)
    assert isinstance(base, Rule)
    assert base.connection.value == "connection-1"


@pytest.mark.skipif(importlib.util.find_spec("wmireach.hresult") is None, reason="no hresult yet")
def test_hresult_property_decodes_the_failure() -> None:
    assert rule("WR101").hresult.value == 0x800706BA
    assert rule("WR601").hresult.name == "WBEM_E_ACCESS_DENIED"


def test_fulfil_and_violate_witnesses_flip_met_on_defaults() -> None:
    """Each witness does what it says on a default state, where it can."""
    s = attrs.evolve(_example(), call_mode=CallMode.ASYNC)
    state = default_state("win10")
    for r in applicable_rules(s):
        fulfilled = r.fulfil(s, state)
        if fulfilled is not None:
            assert r.met(s, fulfilled), r.id
        broken = r.violate(s, state if fulfilled is None else fulfilled)
        if broken is not None:
            assert not r.met(s, broken), r.id


def test_docs_rules_md_is_up_to_date() -> None:
    """docs/rules.md is generated by tools/gen_rules_doc.py; regenerate it after rule changes."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location(
        "gen_rules_doc", root / "tools" / "gen_rules_doc.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    current = (root / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == module.render(), "docs/rules.md is stale: run python tools/gen_rules_doc.py"
    assert all(f"### {r.id}" in current for r in RULES)
