"""The pytest plugin, used the way users use it: from a separate throwaway project (pytester).

The inner runs load the plugin through its ``pytest11`` entry point, exactly as an installed
wmireach does for a user's test suite. They run in subprocesses: an in-process run would unload
the wmireach modules it imported afterwards, leaving this process with two copies of them.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]


def test_default_scenario_outcome_and_plan(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_defaults(wmireach_scenario, simulated_outcome, wmireach_plan, wmireach_states):
            assert wmireach_scenario.client.release.identifier == "win10"
            assert wmireach_scenario.target.release.identifier == "server2019"
            assert (simulated_outcome.stage.value, simulated_outcome.hresult.hex) == (
                "tcp-135", "0x800706BA")
            assert wmireach_plan.outcome().passed
            assert (wmireach_plan.client_state, wmireach_plan.target_state) == wmireach_states
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_marker_with_options_or_a_scenario(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from wmireach import Scenario, Computer, Membership, Account, AccountKind

        @pytest.mark.wmireach_scenario(target_os="2022", trust="workgroup",
                                       account="local-admin", call_mode="async")
        def test_options(wmireach_scenario, simulated_outcome):
            assert wmireach_scenario.target.release.identifier == "server2022"
            assert wmireach_scenario.trust.value == "workgroup"
            assert wmireach_scenario.connections[-1].value == "connection-2"
            assert not simulated_outcome.passed

        WG = Membership.workgroup()
        S = Scenario(client=Computer(name="ops", release="win11", membership=WG),
                     target=Computer(name="db", release="win10", membership=WG),
                     account=Account(kind=AccountKind.LOCAL_ADMIN, name="wmiadmin"))

        @pytest.mark.wmireach_scenario(S)
        def test_scenario_object(wmireach_scenario, wmireach_plan):
            assert wmireach_scenario is S
            assert "wmiadmin" in " ".join(step.title for step in wmireach_plan.steps)

        @pytest.mark.wmireach_scenario(call_mode="sync")
        class TestClassMarker:
            def test_inherits(self, wmireach_scenario):
                assert wmireach_scenario.call_mode.value == "sync"
        """
    )
    result = pytester.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_indirect_parametrisation_names_the_scenarios(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from wmireach.testing.scenario_options import scenario_from_options

        @pytest.mark.parametrize(
            "wmireach_scenario",
            [scenario_from_options(target_os="server2025", account="domain-user"),
             scenario_from_options(client_os="winxp-sp2", target_os="server2003-sp1",
                                   trust="workgroup", account="local-admin")],
            indirect=True,
        )
        def test_objects(wmireach_scenario, wmireach_plan):
            assert wmireach_plan.outcome().passed

        @pytest.mark.parametrize(
            "wmireach_scenario",
            [{"call_mode": "async"}, pytest.param({"trust": "untrusted-domain"}, id="untrusted")],
            indirect=True,
        )
        def test_mappings(wmireach_scenario):
            assert wmireach_scenario.client.release.identifier == "win10"
        """
    )
    result = pytester.runpytest_subprocess("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        [
            "*test_objects?win10-server2025-same-domain-domain-user-semisync? PASSED*",
            "*test_objects?winxp-sp2-server2003-sp1-workgroup-local-admin-semisync? PASSED*",
            "*test_mappings?untrusted? PASSED*",
        ]
    )


def test_bad_options_are_errors_naming_what_is_accepted(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.wmireach_scenario(client="win10")
        def test_unknown_option(wmireach_scenario):
            pass

        @pytest.mark.wmireach_scenario(call_mode="sometimes")
        def test_bad_value(wmireach_scenario):
            pass

        @pytest.mark.parametrize("wmireach_scenario", ["win10"], indirect=True)
        def test_bad_param(wmireach_scenario):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=3)
    result.stdout.fnmatch_lines(
        [
            "*ScenarioError: @pytest.mark.wmireach_scenario: unknown option client; "
            "accepted: client_os, target_os*",
            "*ScenarioError: call_mode 'sometimes' is not one of: sync, semisync, async*",
            "*ScenarioError: indirect parameter of wmireach_scenario: expected a wmireach "
            "Scenario or a mapping of options, got str 'win10'*",
        ]
    )


def test_simulated_failure_breaks_the_rule_it_is_given(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("simulated_failure", ["WR101", "WR404", "WR601"], indirect=True)
        def test_fault(simulated_failure, wmireach_scenario):
            f = simulated_failure
            assert f.scenario is wmireach_scenario
            assert f.fault in f.outcome.unmet
            assert (f.fault, f.stage.value, f.hresult.hex) in {
                ("WR101", "tcp-135", "0x800706BA"),
                ("WR404", "dcom-activation", "0x80070005"),
                ("WR601", "namespace-login", "0x80041003"),
            }

        @pytest.mark.parametrize("simulated_failure", ["WR403"], indirect=True)
        def test_rule_that_does_not_apply(simulated_failure):
            pass

        def test_no_rule_given(simulated_failure):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(
        [
            "*test_fault?WR404? PASSED*",
            "*ScenarioError: WR403 does not apply to this scenario; its breakable rules: WR101*",
            "*ScenarioError: simulated_failure needs the rule to break, as an indirect parameter*",
        ]
    )


def test_the_plugin_comes_from_the_entry_point_and_can_be_disabled(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile("def test_uses(wmireach_scenario):\n    pass\n")
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
    off = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:wmireach")
    off.assert_outcomes(errors=1)
    off.stdout.fnmatch_lines(["*fixture 'wmireach_scenario' not found*"])


def test_fixtures_and_marker_are_listed(pytester: pytest.Pytester) -> None:
    fixtures = pytester.runpytest_subprocess("--fixtures", "-p", "no:cacheprovider")
    names = ("wmireach_scenario", "wmireach_states", "simulated_outcome", "wmireach_plan")
    for name in (*names, "simulated_failure"):
        fixtures.stdout.fnmatch_lines([f"{name}*"])
    responder = importlib.util.find_spec("wmireach.testing.responder") is not None
    assert ("wmi_responder" in fixtures.stdout.str()) is responder
    markers = pytester.runpytest_subprocess("--markers", "-p", "no:cacheprovider")
    markers.stdout.fnmatch_lines(["@pytest.mark.wmireach_scenario(scenario=None, **options)*"])


def test_an_unrelated_test_run_loads_neither_the_model_nor_hypothesis_from_the_plugin(
    pytester: pytest.Pytester,
) -> None:
    # The plugin module alone, in a fresh interpreter.
    code = (
        "import sys, json, wmireach.testing.plugin;"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('wmireach', 'hyp')))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [
        "wmireach",
        "wmireach._version",
        "wmireach.testing",
        "wmireach.testing.plugin",
    ]
    # A whole pytest run of a test that uses no fixture of ours.
    pytester.makepyfile(
        """
        import sys

        def test_unrelated():
            loaded = [m for m in sys.modules if m.startswith("wmireach.")]
            assert sorted(loaded) == ["wmireach._version", "wmireach.testing",
                                      "wmireach.testing.plugin"], loaded
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def _page_file(title: str) -> str:
    """The code block of docs/testing.md titled ``title``, as written."""
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "testing.md").read_text("utf-8")
    found = re.search(rf'^```python title="{re.escape(title)}"\n(.*?)^```$', page, re.M | re.S)
    assert found, title
    return found.group(1)


def test_the_documented_test_file_runs_as_written(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_my_tool=_page_file("test_my_tool.py"))
    result = pytester.runpytest_subprocess("-v", "--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=7)
    result.stdout.fnmatch_lines(
        [
            "*test_every_plan_works?win10-server2025-*PASSED*",
            "*test_my_tool_names_the_fault?WR403? PASSED*",
        ]
    )


def test_the_documented_conftest_runs_as_written(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(_page_file("conftest.py"))
    pytester.makepyfile(
        """
        def test_firewall_off(simulated_outcome, wmireach_plan):
            assert simulated_outcome.passed  # a domain admin needs only the firewall opened
            assert wmireach_plan.steps == ()
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
