"""The live probe: how far does a real WMI call get from here to that host, and why does it stop?

The only I/O of the library (sockets, asyncio, impacket's protocol structures). It runs the
stages of :class:`wmireach.model.Stage` in order against one host or thousands, each stage
bounded by a timeout and each host by a budget, and reports every stage as passed (with timing
and facts), failed (with the HResult decoded from the raw fault status), timed out, or skipped
(with why). The report speaks the model's language: :meth:`ProbeReport.scenario_facts` fills a
scenario, and :func:`wmireach.diagnose` accepts a report directly.

Owns: :func:`probe`, :func:`probe_async`, :func:`probe_many`, :func:`probe_many_async` and
the values they use
(:class:`Credentials`, :class:`Budget`, :class:`Target`, :class:`ProbeReport`,
:class:`StageResult`, :class:`StageStatus`). Foreign exceptions (socket, impacket) never escape
it; malformed input raises :class:`InvalidTarget`.

Must not: let a foreign exception, a secret or global state out; nothing in the core imports
it (it sits above :mod:`wmireach.diagnosis`, which reads its reports through
:class:`wmireach.diagnosis.Observation`).

Defaults that work on today's Windows: NTLM at PKT_PRIVACY (DCOM hardening, facts §8.4), the
address the user gave even when the server advertises another (the NAT / multi-homed check
says so instead of failing), and no state shared between targets.

>>> from wmireach.model import Stage
>>> from wmireach.testing.responder import DEFAULT_ACCOUNTS, Script, scripted_responder
>>> user, password = next(iter(DEFAULT_ACCOUNTS.items()))
>>> with scripted_responder(Script(fault_at=Stage.NAMESPACE_LOGIN)) as peer:
...     report = probe(f"127.0.0.1:{peer.port}", Credentials.with_password(user, password))
>>> report.failure.stage.value, report.failure.hresult.name
('namespace-login', 'WBEM_E_ACCESS_DENIED')
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Final

from wmireach.model import DEFAULT_NAMESPACE, AuthLevel, Stage
from wmireach.probe._report import (
    PROBE_STAGES,
    Budget,
    Credentials,
    InvalidTarget,
    ProbeReport,
    StageResult,
    StageStatus,
    Target,
    parse_target,
)
from wmireach.probe._run import DEFAULT_QUERY, run_probe

__all__ = [
    "DEFAULT_QUERY",
    "PROBE_STAGES",
    "Budget",
    "Credentials",
    "InvalidTarget",
    "ProbeReport",
    "StageResult",
    "StageStatus",
    "Target",
    "parse_target",
    "probe",
    "probe_async",
    "probe_many",
    "probe_many_async",
]

#: How many hosts one process probes at once unless told otherwise.
DEFAULT_CONCURRENCY: Final = 256


def _last_stage(stages: Stage | Iterable[Stage] | None) -> Stage:
    if stages is None:
        return Stage.QUERY
    wanted = (stages,) if isinstance(stages, Stage) else tuple(stages)
    if not wanted or not all(isinstance(s, Stage) for s in wanted):
        raise InvalidTarget(
            "stages must be one Stage or several (the probe runs through the last one); got "
            f"{stages!r}"
        )
    if Stage.CALLBACK in wanted:
        raise InvalidTarget("the probe cannot test the callback (Connection 2) stage")
    return max(wanted)


def _namespace(namespace: str) -> str:
    path = namespace.replace("/", "\\").strip("\\")
    return "//./" + path.replace("\\", "/")


async def probe_async(
    target: str | Target,
    credentials: Credentials | None = None,
    *,
    budget: Budget | None = None,
    stages: Stage | Iterable[Stage] | None = None,
    auth_level: AuthLevel = AuthLevel.PKT_PRIVACY,
    namespace: str = DEFAULT_NAMESPACE,
    query: str = DEFAULT_QUERY,
) -> ProbeReport:
    """Probe one target from a running event loop; see :func:`probe`.

    Raises :class:`InvalidTarget` for a malformed target (``probe_many`` reports it instead).
    """
    parsed = parse_target(target)
    last = _last_stage(stages)
    return await run_probe(
        parsed if isinstance(target, Target) else target,
        credentials,
        budget=budget or Budget(),
        last=last,
        auth_level=auth_level,
        namespace=_namespace(namespace),
        query=query,
    )


def probe(
    target: str | Target,
    credentials: Credentials | None = None,
    *,
    budget: Budget | None = None,
    stages: Stage | Iterable[Stage] | None = None,
    auth_level: AuthLevel = AuthLevel.PKT_PRIVACY,
    namespace: str = DEFAULT_NAMESPACE,
    query: str = DEFAULT_QUERY,
) -> ProbeReport:
    """Run the stages against ``target`` (``host``, ``host:port``, ``[v6]:port``) and report.

    Without ``credentials`` only the anonymous stages run (name, TCP 135, endpoint mapper, and
    the NTLM fingerprint); the rest are skipped with the reason. ``stages`` stops after the
    last stage given. ``budget`` bounds each connect, each RPC exchange and the whole host.
    Call :func:`probe_async` from inside an event loop.

    >>> report = probe("no-such-host.invalid", stages=Stage.TCP_135)
    >>> report.failure.stage.value, report.failure.hresult.hex
    ('resolve-name', '0x80072AF9')
    """
    return asyncio.run(
        probe_async(
            target,
            credentials,
            budget=budget,
            stages=stages,
            auth_level=auth_level,
            namespace=namespace,
            query=query,
        )
    )


async def _bounded(
    targets: list[str | Target],
    credentials: Credentials | None,
    concurrency: int,
    options: dict[str, object],
) -> list[asyncio.Task[ProbeReport]]:
    gate = asyncio.Semaphore(concurrency)

    async def one(target: str | Target) -> ProbeReport:
        async with gate:
            return await run_probe(target, credentials, **options)  # type: ignore[arg-type]

    return [asyncio.ensure_future(one(t)) for t in targets]


def _chunk(
    targets: list[str | Target],
    credentials: Credentials | None,
    concurrency: int,
    options: dict[str, object],
) -> list[ProbeReport]:
    """Probe a batch in a worker (a process, a Dask or Ray worker): picklable in and out."""

    async def run() -> list[ProbeReport]:
        tasks = await _bounded(targets, credentials, concurrency, options)
        return list(await asyncio.gather(*tasks))

    return asyncio.run(run())


def _options(
    *,
    budget: Budget | None,
    stages: Stage | Iterable[Stage] | None,
    auth_level: AuthLevel,
    namespace: str,
    query: str,
    concurrency: int,
) -> dict[str, object]:
    if concurrency < 1:
        raise InvalidTarget(f"concurrency must be at least 1, not {concurrency}")
    return {
        "budget": budget or Budget(),
        "last": _last_stage(stages),
        "auth_level": auth_level,
        "namespace": _namespace(namespace),
        "query": query,
    }


async def probe_many_async(
    targets: Iterable[str | Target],
    credentials: Credentials | None = None,
    *,
    budget: Budget | None = None,
    stages: Stage | Iterable[Stage] | None = None,
    auth_level: AuthLevel = AuthLevel.PKT_PRIVACY,
    namespace: str = DEFAULT_NAMESPACE,
    query: str = DEFAULT_QUERY,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> AsyncIterator[ProbeReport]:
    """:func:`probe_many` for code that already runs an event loop: an async iterator of
    reports, in the order the hosts finish.

    >>> async def main():
    ...     return [r.error async for r in probe_many_async([""], stages=Stage.TCP_135)]
    >>> asyncio.run(main())
    ["target '': empty; give a host name or address, optionally :port"]
    """
    options = _options(
        budget=budget,
        stages=stages,
        auth_level=auth_level,
        namespace=namespace,
        query=query,
        concurrency=concurrency,
    )
    tasks = await _bounded(list(targets), credentials, concurrency, options)
    try:
        for finished in asyncio.as_completed(tasks):
            yield await finished
    finally:
        for task in tasks:
            task.cancel()


def probe_many(
    targets: Iterable[str | Target],
    credentials: Credentials | None = None,
    *,
    budget: Budget | None = None,
    stages: Stage | Iterable[Stage] | None = None,
    auth_level: AuthLevel = AuthLevel.PKT_PRIVACY,
    namespace: str = DEFAULT_NAMESPACE,
    query: str = DEFAULT_QUERY,
    concurrency: int = DEFAULT_CONCURRENCY,
    executor: concurrent.futures.Executor | None = None,
    chunk_size: int | None = None,
) -> Iterator[ProbeReport]:
    """Probe many targets, at most ``concurrency`` at once, yielding reports as they finish.

    Total wall time is close to the slowest host's (bounded by ``budget.host``), not the sum.
    A malformed target yields a report whose ``error`` says why; the others go on.

    With ``executor`` (any :class:`concurrent.futures.Executor`: a process pool, a Dask
    ``client.get_executor()``, a Ray-backed executor), the targets are split into chunks of
    ``chunk_size`` (default: ``concurrency``); each chunk runs on the executor with up to
    ``concurrency`` hosts at once, and its reports are yielded when the chunk finishes.

    >>> reports = probe_many(["", "10.0.0.1:0"], stages=Stage.TCP_135)
    >>> for error in sorted(str(r.error) for r in reports):
    ...     print(error)
    target '': empty; give a host name or address, optionally :port
    target '10.0.0.1:0': port 0 is out of range 1-65535
    """
    options = _options(
        budget=budget,
        stages=stages,
        auth_level=auth_level,
        namespace=namespace,
        query=query,
        concurrency=concurrency,
    )
    items = list(targets)
    if executor is not None:
        size = chunk_size or concurrency
        futures = [
            executor.submit(_chunk, items[i : i + size], credentials, concurrency, options)
            for i in range(0, len(items), size)
        ]
        for future in concurrent.futures.as_completed(futures):
            yield from future.result()
        return
    loop = asyncio.new_event_loop()
    try:
        pending: set[asyncio.Future[ProbeReport]] = set(
            loop.run_until_complete(_bounded(items, credentials, concurrency, options))
        )
        while pending:
            done, pending = loop.run_until_complete(
                asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            )
            for task in done:
                yield task.result()
    finally:
        for task in asyncio.all_tasks(loop):
            task.cancel()
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()
