"""Fixtures of the probe tests: the scripted responder factory and the namespace lab."""

from __future__ import annotations

from collections.abc import Iterator

import netlab
import pytest

from wmireach.testing.responder import responder_factory

responders = pytest.fixture(responder_factory)


@pytest.fixture(scope="session")
def lab() -> Iterator[netlab.Lab]:
    why = netlab.unavailable()
    if why is not None:
        pytest.skip(f"no network namespaces here: {why}")
    with netlab.lab() as built:
        yield built
