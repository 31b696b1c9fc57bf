"""Test hosts behind a real firewall: a network namespace, a veth pair, nftables, responders.

One namespace holds every test host. The host side of a veth pair routes a /20 into it; inside,
a ``local`` route makes every address of that /20 the namespace's own (AnyIP), so a host is just
an address, and nftables decides what each range does:

=================  =======================================================
range              behaviour
=================  =======================================================
``open``           a responder answers every stage
``reject``         TCP 135 refused (``reject with tcp reset``)
``drop``           everything dropped (filtered)
``dynamic_drop``   135 answers; the WMI port is dropped
=================  =======================================================

Scripted hosts (one responder process each, bound to one address) come from :meth:`Lab.host`.
Used by ``tests/probe`` and ``bench/bench_probe.py``; needs root, ``ip`` and ``nft``.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO

WMI_PORT = 49700
_BLOCK = {"open": 0, "reject": 4, "drop": 8, "dynamic_drop": 12, "scripted": 14}


def unavailable() -> str | None:
    """Why namespaces cannot be used here, or ``None`` when they can."""
    if os.geteuid() != 0:
        return "network namespaces need root (run as root, as CI does)"
    for tool in ("ip", "nft"):
        if shutil.which(tool) is None:
            return f"{tool!r} is not installed (apt-get install -y iproute2 nftables)"
    name = f"wrcheck{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True, check=False)
    if made.returncode != 0:
        return f"cannot create a network namespace: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
    return None


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, text=True)


class Lab:
    """The namespace, its firewall and its responders (use :func:`lab`)."""

    def __init__(self, tag: str, subnet: int) -> None:
        self.ns = f"wr{tag}"
        self.veth = f"wrv{tag}"
        self.base = ipaddress.IPv4Address(f"10.{subnet}.0.0")
        self.processes: list[subprocess.Popen[str]] = []
        self._scripted = 0

    def address(self, kind: str, index: int) -> str:
        """The ``index``-th address of a range (``open``, ``reject``, ``drop``...)."""
        return str(self.base + (16 + _BLOCK[kind]) * 256 + 1 + index)

    def _range(self, kind: str, blocks: int) -> str:
        return f"{self.base + (16 + _BLOCK[kind]) * 256}/{24 - (blocks.bit_length() - 1)}"

    def up(self) -> None:
        peer = f"{self.veth}p"
        host_side, ns_side = str(self.base + 1), str(self.base + 2)
        _run("ip", "netns", "add", self.ns)
        _run("ip", "link", "add", self.veth, "type", "veth", "peer", "name", peer)
        _run("ip", "link", "set", peer, "netns", self.ns)
        _run("ip", "addr", "add", f"{host_side}/24", "dev", self.veth)
        _run("ip", "link", "set", self.veth, "up")
        _run("ip", "-n", self.ns, "addr", "add", f"{ns_side}/24", "dev", peer)
        _run("ip", "-n", self.ns, "link", "set", peer, "up")
        _run("ip", "-n", self.ns, "link", "set", "lo", "up")
        hosts = f"{self.base + 16 * 256}/20"
        _run("ip", "route", "add", hosts, "via", ns_side)
        _run("ip", "-n", self.ns, "route", "add", "local", hosts, "dev", "lo")
        _run("ip", "-n", self.ns, "route", "add", "default", "via", host_side)
        rules = f"""
table inet wmireach_lab {{
  chain input {{
    type filter hook input priority 0; policy accept;
    ip daddr {self._range("reject", 4)} tcp dport 135 reject with tcp reset
    ip daddr {self._range("drop", 4)} drop
    ip daddr {self._range("dynamic_drop", 2)} tcp dport {WMI_PORT} drop
  }}
}}
"""
        subprocess.run(
            ["ip", "netns", "exec", self.ns, "nft", "-f", "-"],
            input=rules,
            check=True,
            capture_output=True,
            text=True,
        )

    def down(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()
        subprocess.run(["ip", "link", "del", self.veth], capture_output=True, check=False)
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True, check=False)
        subprocess.run(
            ["ip", "route", "del", f"{self.base + 16 * 256}/20"], capture_output=True, check=False
        )

    def _start(self, args: Sequence[str]) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                self.ns,
                sys.executable,
                "-m",
                "wmireach.testing.responder",
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.processes.append(process)
        return process

    @staticmethod
    def _ready(process: subprocess.Popen[str]) -> None:
        stream: IO[str] | None = process.stdout
        assert stream is not None
        line = stream.readline()
        if not line.startswith("ready"):
            err = process.stderr.read() if process.stderr else ""
            raise RuntimeError(f"responder did not start: {line!r} {err}")

    def serve_ranges(self, processes: int = 1) -> None:
        """Responders on every address of the open, reject, drop and dynamic ranges:
        ``processes`` of them sharing the ports (SO_REUSEPORT)."""
        started = [
            self._start(
                ["--host", "0.0.0.0", "--port", "135", "--wmi-port", str(WMI_PORT), "--reuse-port"]
            )
            for _ in range(processes)
        ]
        for process in started:
            self._ready(process)

    def host(self, *args: str, kind: str = "scripted") -> str:
        """A host with its own address in range ``kind`` and its own responder process
        (``args`` as the responder's command line). Not with :meth:`serve_ranges` (port 135 on
        every address is taken then)."""
        address = self.address(kind, 100 + self._scripted)
        self._scripted += 1
        process = self._start(
            ["--host", address, "--port", "135", "--wmi-port", str(WMI_PORT), *args]
        )
        self._ready(process)
        return address


@contextmanager
def lab() -> Iterator[Lab]:
    """A lab for the ``with`` block, torn down after (even on failure)."""
    pid = os.getpid()
    built = Lab(f"{pid % 100000}", 200 + pid % 50)
    try:
        built.up()
        yield built
    finally:
        built.down()
