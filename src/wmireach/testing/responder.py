"""A scripted MS-RPC peer that plays each stage of a remote WMI call, for tests.

Owns: :class:`Script` (what the peer answers: its NTLM identity and build, its accounts, the
addresses it advertises, a fault or a stall at one stage), :class:`Responder` (an asyncio
server on an endpoint-mapper port and a WMI port), the context manager
:func:`scripted_responder` (runs one on a background thread) and the pytest fixture factory
:func:`responder_factory`. Every DCOM answer and NTLM message is built and read with
impacket's own structures (``impacket.dcerpc.v5.rpcrt``, ``dcomrt``, ``dcom.wmi``, ``ntlm``;
the 16-byte PDU headers are packed by hand, for speed); NTLMv2 logons are checked against the
script's accounts and PKT_PRIVACY is sealed with the keys the logon derives, so a client talks
to it as to Windows as far as the stages go (impacket's own ``DCOMConnection`` logs on,
activates and calls ``NTLMLogin`` against it).

What it plays, per port:

- endpoint-mapper port (135 by default): anonymous ``IObjectExporter::ServerAlive2`` (the
  addresses it advertises) and authenticated ``IRemoteSCMActivator::RemoteCreateInstance``
  (an ``IWbemLevel1Login`` pointer whose OXID bindings name the WMI port);
- WMI port: ``IWbemLevel1Login::NTLMLogin`` and ``IWbemServices::ExecQuery``.

It does not return rows from a query (the enumerator it hands back answers no call), and it does
not implement Kerberos.

Must not: be imported by the core or the probe (it is their test peer), or listen beyond
loopback or a test network namespace: it is a test peer, never to be exposed on a real network.

>>> from wmireach.model import Stage
>>> with scripted_responder(Script(fault_at=Stage.NAMESPACE_LOGIN)) as peer:
...     peer.port > 0 and peer.wmi_port > 0
True
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import struct
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

import attrs
from Cryptodome.Cipher import ARC4
from impacket import ntlm
from impacket.dcerpc.v5 import dcomrt, rpcrt
from impacket.dcerpc.v5.dcom import wmi
from impacket.dcerpc.v5.dtypes import NULL
from impacket.uuid import generate, uuidtup_to_bin

from wmireach.model import Stage

__all__ = [
    "DEFAULT_ACCOUNTS",
    "E_ACCESSDENIED",
    "RPC_ACCESS_DENIED",
    "WBEM_E_ACCESS_DENIED",
    "Responder",
    "Script",
    "responder_factory",
    "scripted_responder",
]

#: The RPC fault status Windows answers a failed NTLM logon with (rpc_s_access_denied).
RPC_ACCESS_DENIED: Final = 0x00000005
E_ACCESSDENIED: Final = 0x80070005
WBEM_E_ACCESS_DENIED: Final = 0x80041003
#: user -> password: the account a test logs on with unless it scripts its own.
DEFAULT_ACCOUNTS: Final[Mapping[str, str]] = {"wmiuser": "Probe-Passw0rd"}

_NDR: Final = uuidtup_to_bin(("8a885d04-1ceb-11c9-9fe8-08002b104860", "2.0"))
_IREMUNKNOWN: Final = uuidtup_to_bin(("00000131-0000-0000-C000-000000000046", "0.0"))
_IENUM: Final = uuidtup_to_bin(("027947e1-d731-11ce-a357-000000000001", "0.0"))
_FAULTABLE: Final = (
    Stage.ENDPOINT_MAPPER,
    Stage.AUTHENTICATE,
    Stage.DCOM_ACTIVATION,
    Stage.NAMESPACE_LOGIN,
    Stage.QUERY,
)
_STALLABLE: Final = (
    Stage.ENDPOINT_MAPPER,
    Stage.AUTHENTICATE,
    Stage.DCOM_ACTIVATION,
    Stage.WMI_PORT,
    Stage.NAMESPACE_LOGIN,
    Stage.QUERY,
)


def _default_code(stage: Stage | None) -> int:
    if stage is Stage.NAMESPACE_LOGIN:
        return WBEM_E_ACCESS_DENIED
    if stage in (Stage.AUTHENTICATE, Stage.ENDPOINT_MAPPER):
        return RPC_ACCESS_DENIED
    return E_ACCESSDENIED


@attrs.frozen(kw_only=True)
class Script:
    """What the responder answers.

    ``fault_at`` makes one stage fail with ``fault_code`` (default: rpc_s_access_denied for the
    endpoint mapper and the logon, E_ACCESSDENIED for activation and query,
    WBEM_E_ACCESS_DENIED for the namespace login). ``stall_at`` makes it read a stage's request
    and never answer. ``advertise`` replaces the addresses it hands out (a NAT or multi-homed
    host hands out ones the client cannot use); by default it advertises its NetBIOS name and
    the address the client reached it on, as Windows does.

    >>> Script(fault_at=Stage.DCOM_ACTIVATION).fault_code == E_ACCESSDENIED
    True
    >>> Script(fault_at=Stage.TCP_135)
    Traceback (most recent call last):
    ...
    ValueError: the responder can fault at endpoint-mapper, ...; not tcp-135 (a firewall does ...
    """

    netbios_name: str = "TARGET"
    #: The domain's NetBIOS name, or ``None`` for a workgroup host.
    domain: str | None = None
    dns_domain: str | None = None
    #: (major, minor, build) of the OS in the NTLM VERSION field.
    version: tuple[int, int, int] = (10, 0, 20348)
    accounts: Mapping[str, str] = attrs.field(factory=lambda: dict(DEFAULT_ACCOUNTS), repr=False)
    fault_at: Stage | None = attrs.field(default=None)
    fault_code: int = attrs.field(
        default=attrs.Factory(lambda self: _default_code(self.fault_at), takes_self=True)
    )
    stall_at: Stage | None = attrs.field(default=None)
    advertise: tuple[str, ...] | None = None
    #: Activations below this RPC_C_AUTHN_LEVEL get E_ACCESSDENIED (DCOM hardening).
    min_activation_level: int = rpcrt.RPC_C_AUTHN_LEVEL_PKT_INTEGRITY
    #: Refuse binds to IWbemServices until an NTLMLogin has handed it out, as a COM server
    #: that registers an interface when it first marshals it does.
    lazy_services: bool = False

    @fault_at.validator
    def _check_fault(self, attribute: object, value: Stage | None) -> None:
        if value is not None and value not in _FAULTABLE:
            names = ", ".join(s.value for s in _FAULTABLE)
            raise ValueError(
                f"the responder can fault at {names}; not {value.value} "
                "(a firewall does that: REJECT or DROP)"
            )

    @stall_at.validator
    def _check_stall(self, attribute: object, value: Stage | None) -> None:
        if value is not None and value not in _STALLABLE:
            names = ", ".join(s.value for s in _STALLABLE)
            raise ValueError(f"the responder can stall at {names}; not {value.value}")


# -- NTLM, server side ---------------------------------------------------------------------------

_CHALLENGE_FLAGS: Final = (
    ntlm.NTLMSSP_NEGOTIATE_UNICODE
    | ntlm.NTLMSSP_REQUEST_TARGET
    | ntlm.NTLMSSP_NEGOTIATE_SIGN
    | ntlm.NTLMSSP_NEGOTIATE_SEAL
    | ntlm.NTLMSSP_NEGOTIATE_NTLM
    | ntlm.NTLMSSP_NEGOTIATE_ALWAYS_SIGN
    | ntlm.NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY
    | ntlm.NTLMSSP_NEGOTIATE_TARGET_INFO
    | ntlm.NTLMSSP_NEGOTIATE_VERSION
    | ntlm.NTLMSSP_NEGOTIATE_128
    | ntlm.NTLMSSP_NEGOTIATE_KEY_EXCH
    | ntlm.NTLMSSP_NEGOTIATE_56
)


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


class _Ntlm:
    """One NTLM logon on one association: the challenge, the check, the sealing keys."""

    def __init__(self, script: Script, template: bytes) -> None:
        self.script = script
        self.template = template
        self.server_challenge = os.urandom(8)
        self.flags = 0
        self.level = rpcrt.RPC_C_AUTHN_LEVEL_NONE
        self.user: str | None = None
        self._client_sign = self._server_sign = b""
        self._client_handle: Any = None
        self._server_handle: Any = None
        self._sequence = 0

    def challenge(self) -> bytes:
        """The CHALLENGE message: the responder's template with this logon's server challenge
        (offset 24, MS-NLMP 2.2.1.2)."""
        return self.template[:24] + self.server_challenge + self.template[32:]

    @staticmethod
    def template_for(script: Script) -> bytes:
        """A CHALLENGE message for ``script`` (built once per responder)."""
        s = script
        workgroup = s.domain is None
        domain = s.netbios_name if workgroup else str(s.domain)
        av = ntlm.AV_PAIRS()
        av[ntlm.NTLMSSP_AV_HOSTNAME] = _utf16(s.netbios_name)
        av[ntlm.NTLMSSP_AV_DOMAINNAME] = _utf16(domain)
        dns_domain = s.dns_domain or (None if workgroup else domain.lower())
        host = s.netbios_name.lower() + ("" if dns_domain is None else f".{dns_domain}")
        av[ntlm.NTLMSSP_AV_DNS_HOSTNAME] = _utf16(host)
        av[ntlm.NTLMSSP_AV_DNS_DOMAINNAME] = _utf16(dns_domain or s.netbios_name.lower())
        if dns_domain is not None:
            av[ntlm.NTLMSSP_AV_DNS_TREENAME] = _utf16(dns_domain)
        av[ntlm.NTLMSSP_AV_TIME] = struct.pack("<q", int((time.time() + 11644473600) * 1e7))
        message = ntlm.NTLMAuthChallenge()
        message["flags"] = _CHALLENGE_FLAGS | (
            ntlm.NTLMSSP_TARGET_TYPE_SERVER if workgroup else ntlm.NTLMSSP_TARGET_TYPE_DOMAIN
        )
        message["challenge"] = b"\0" * 8
        message["domain_name"] = _utf16(domain)
        major, minor, build = s.version
        message["Version"] = struct.pack("<BBH3sB", major, minor, build, b"\0" * 3, 15)
        message["domain_offset"] = 56
        raw_av = av.getData()
        message["TargetInfoFields"] = raw_av
        message["TargetInfoFields_offset"] = 56 + len(message["domain_name"])
        return bytes(message.getData())

    def authenticate(self, data: bytes, level: int) -> bool:
        """Check an AUTHENTICATE message against the accounts; derive the keys when it passes."""
        # AUTHENTICATE (MS-NLMP 2.2.1.3): (length, max, offset) of the LM, NT, domain, user,
        # workstation and session-key fields from offset 12, then the flags.
        if len(data) < 64 or data[:8] != b"NTLMSSP\0":
            return False

        def field(index: int) -> bytes:
            length, _, offset = struct.unpack_from("<HHL", data, 12 + 8 * index)
            return data[offset : offset + length]

        nt_response, domain_raw, user_raw = field(1), field(2), field(3)
        encrypted_key = field(5)
        user = user_raw.decode("utf-16-le", errors="replace")
        domain = domain_raw.decode("utf-16-le", errors="replace")
        accounts = {k.casefold(): v for k, v in self.script.accounts.items()}
        password = accounts.get(user.casefold())
        if password is None or len(nt_response) <= 24:
            return False
        key = ntlm.hmac_md5(ntlm.compute_nthash(password), _utf16(user.upper() + domain))
        proof = ntlm.hmac_md5(key, self.server_challenge + nt_response[16:])
        if proof != nt_response[:16]:
            return False
        session_key = ntlm.hmac_md5(key, proof)  # the session base key (NTLMv2)
        self.flags = struct.unpack_from("<L", data, 60)[0]
        if self.flags & ntlm.NTLMSSP_NEGOTIATE_KEY_EXCH and encrypted_key:
            # RC4 both ways: decrypting the client's random session key is encrypting it.
            session_key = ntlm.generateEncryptedSessionKey(session_key, encrypted_key)
        self._client_sign = ntlm.SIGNKEY(self.flags, session_key)
        self._server_sign = ntlm.SIGNKEY(self.flags, session_key, b"Server")
        self._client_handle = ARC4.new(ntlm.SEALKEY(self.flags, session_key)).encrypt
        self._server_handle = ARC4.new(ntlm.SEALKEY(self.flags, session_key, b"Server")).encrypt
        self.level = level
        self.user = user
        return True

    def open(self, body: bytes, level: int) -> bytes:
        if level == rpcrt.RPC_C_AUTHN_LEVEL_PKT_PRIVACY:
            body, _ = ntlm.SEAL(
                self.flags, self._client_sign, b"", body, body, self._sequence, self._client_handle
            )
        elif level == rpcrt.RPC_C_AUTHN_LEVEL_PKT_INTEGRITY:
            ntlm.SIGN(self.flags, self._client_sign, body, self._sequence, self._client_handle)
        self._sequence += 1
        return bytes(body)

    def seal(self, call_id: int, stub: bytes) -> bytes:
        """A RESPONSE PDU carrying ``stub``, signed (and sealed at PKT_PRIVACY)."""
        head = struct.pack("<LHBB", len(stub), 0, 0, 0)
        pad = (4 - (len(head) + len(stub)) % 4) % 4
        plain = stub + b"\xbb" * pad
        trailer = struct.pack("<BBBBL", rpcrt.RPC_C_AUTHN_WINNT, self.level, pad, 0, 79231)
        unsigned = _pdu(rpcrt.MSRPC_RESPONSE, call_id, head + plain + trailer + b" " * 16, 16)
        to_sign = unsigned[:-16]
        if self.level == rpcrt.RPC_C_AUTHN_LEVEL_PKT_PRIVACY:
            sealed, signature = ntlm.SEAL(
                self.flags,
                self._server_sign,
                b"",
                to_sign,
                plain,
                self._sequence,
                self._server_handle,
            )
        else:
            sealed = plain
            signature = ntlm.SIGN(
                self.flags, self._server_sign, to_sign, self._sequence, self._server_handle
            )
        return bytes(to_sign[:24] + sealed + trailer + signature.getData())


def _pdu(kind: int, call_id: int, body: bytes, auth_len: int = 0) -> bytes:
    """The 16-byte common header (MS-RPCE 2.2.2.1), first and last fragment, then ``body``."""
    return (
        struct.pack(
            "<BBBB4sHHL", 5, 0, kind, 0x03, b"\x10\0\0\0", 16 + len(body), auth_len, call_id
        )
        + body
    )


# -- DCOM answers ---------------------------------------------------------------------------------
# Each distinct answer is built once (impacket's NDR classes cost milliseconds): the OXIDs and
# IPIDs in it then repeat across calls, which a test peer can afford and a fleet benchmark needs.


def _string_array(bindings: tuple[str, ...]) -> tuple[list[int], int]:
    raw = b"".join(struct.pack("<H", 0x07) + _utf16(b + "\0") for b in bindings) + b"\0\0"
    security_offset = len(raw) // 2
    # NTLM (10), reserved 0xffff, empty principal name; then the array's terminator.
    raw += struct.pack("<HH", 10, 0xFFFF) + b"\0\0" + b"\0\0"
    return list(struct.unpack(f"<{len(raw) // 2}H", raw)), security_offset


def _dual(bindings: tuple[str, ...]) -> Any:
    words, offset = _string_array(bindings)
    array = dcomrt.DUALSTRINGARRAY()
    array["wNumEntries"] = len(words)
    array["wSecurityOffset"] = offset
    array["aStringArray"] = words
    return array


def _objref(iid: bytes, ipid: bytes, bindings: tuple[str, ...]) -> bytes:
    objref = dcomrt.OBJREF_STANDARD()
    objref["iid"] = iid[:16]
    objref["std"]["flags"] = 0
    objref["std"]["cPublicRefs"] = 5
    objref["std"]["oxid"] = os.urandom(8)
    objref["std"]["oid"] = os.urandom(8)
    objref["std"]["ipid"] = ipid
    words, offset = _string_array(bindings)
    objref["saResAddr"] = struct.pack(f"<HH{len(words)}H", len(words), offset, *words)
    return bytes(objref.getData())


def _interface_pointer(target: Any, objref: bytes) -> None:
    target["ulCntData"] = len(objref)
    target["abData"] = list(objref)


def _orpc_that() -> Any:
    that = dcomrt.ORPCTHAT()
    that["flags"] = 0
    that["extensions"] = NULL
    return that


@functools.lru_cache(maxsize=256)
def _activation_answer(wmi_bindings: tuple[str, ...], hresult: int) -> bytes:
    answer = dcomrt.RemoteCreateInstanceResponse()
    answer["ORPCthat"] = _orpc_that()
    if hresult:
        answer["ppActProperties"] = NULL
        answer["ErrorCode"] = hresult
        return bytes(answer.getData())
    props = dcomrt.PropsOutInfo()
    props["cIfs"] = 1
    iid = dcomrt.IID()
    iid["Data"] = wmi.IID_IWbemLevel1Login[:16]
    props["piid"].append(iid)
    ok = dcomrt.HRESULT()
    ok["Data"] = 0
    props["phresults"].append(ok)
    pointer = dcomrt.PMInterfacePointer()
    _interface_pointer(pointer, _objref(wmi.IID_IWbemLevel1Login, generate(), wmi_bindings))
    props["ppIntfData"].append(pointer)
    scm = dcomrt.ScmReplyInfoData()
    scm["pdwReserved"] = 0
    reply = scm["remoteReply"]
    reply["Oxid"] = os.urandom(8)
    reply["pdsaOxidBindings"] = _dual(wmi_bindings)
    reply["ipidRemUnknown"] = generate()
    reply["authnHint"] = rpcrt.RPC_C_AUTHN_LEVEL_PKT_INTEGRITY
    reply["serverVersion"]["MajorVersion"] = 5
    reply["serverVersion"]["MinorVersion"] = 7
    parts = []
    for structure in (props, scm):
        marshaled = structure.getData() + structure.getDataReferents()
        parts.append(bytes(marshaled) + b"\xfa" * ((8 - len(marshaled) % 8) % 8))
    blob = dcomrt.ACTIVATION_BLOB()
    blob["CustomHeader"]["destCtx"] = 2
    blob["CustomHeader"]["cIfs"] = 2
    blob["CustomHeader"]["pdwReserved"] = NULL
    for class_id, part in zip(
        (dcomrt.CLSID_PropsOutInfo, dcomrt.CLSID_ScmReplyInfo), parts, strict=True
    ):
        clsid = dcomrt.CLSID()
        clsid["Data"] = class_id
        blob["CustomHeader"]["pclsid"].append(clsid)
        size = dcomrt.DWORD()
        size["Data"] = len(part)
        blob["CustomHeader"]["pSizes"].append(size)
    blob["Property"] = b"".join(parts)
    objref = dcomrt.OBJREF_CUSTOM()
    objref["iid"] = dcomrt.IID_IActivationPropertiesOut[:-4]
    objref["clsid"] = dcomrt.CLSID_ActivationPropertiesOut
    objref["pObjectData"] = blob.getData()
    objref["ObjectReferenceSize"] = len(objref["pObjectData"]) + 8
    _interface_pointer(answer["ppActProperties"], bytes(objref.getData()))
    answer["ErrorCode"] = 0
    return bytes(answer.getData())


@functools.lru_cache(maxsize=256)
def _pointer_answer(
    kind: Any, field: str, iid: bytes, bindings: tuple[str, ...], hresult: int
) -> bytes:
    answer = kind()
    answer["ORPCthat"] = _orpc_that()
    if hresult:
        answer[field] = NULL
    else:
        _interface_pointer(answer[field], _objref(iid, generate(), bindings))
    answer["ErrorCode"] = hresult
    return bytes(answer.getData())


@functools.lru_cache(maxsize=256)
def _alive_answer(bindings: tuple[str, ...]) -> bytes:
    answer = dcomrt.ServerAlive2Response()
    answer["pComVersion"]["MajorVersion"] = 5
    answer["pComVersion"]["MinorVersion"] = 7
    answer["ppdsaOrBindings"] = _dual(bindings)
    answer["pReserved"] = 0
    answer["ErrorCode"] = 0
    return bytes(answer.getData())


# -- the server ----------------------------------------------------------------------------------

#: interface -> (port kind, needs a logon)
_INTERFACES: Final[Mapping[bytes, tuple[str, bool]]] = {
    dcomrt.IID_IObjectExporter: ("epm", False),
    dcomrt.IID_IRemoteSCMActivator: ("epm", True),
    wmi.IID_IWbemLevel1Login: ("wmi", True),
    wmi.IID_IWbemServices: ("wmi", True),
    _IREMUNKNOWN: ("wmi", True),
}


class _Stalled(Exception):
    """The script says: read the request, never answer."""


class Responder:
    """The scripted peer: an endpoint-mapper port and a WMI port on one address.

    Use :func:`scripted_responder` (a thread) or, inside a running loop, ``await start()`` and
    ``await stop()``.
    """

    def __init__(
        self,
        script: Script,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        wmi_port: int = 0,
        reuse_port: bool = False,
    ):
        self.script = script
        self.host = host
        self.port = port
        self.wmi_port = wmi_port
        #: Let several processes share the ports (SO_REUSEPORT): the kernel spreads the
        #: connections, as a fleet of hosts spreads the work.
        self.reuse_port = reuse_port
        #: (port kind, opnum) of every call answered, in order: ``("epm", 4)``, ``("wmi", 6)``.
        self.calls: list[tuple[str, int]] = []
        #: Connections accepted per port kind (``"epm"``, ``"wmi"``).
        self.connections: dict[str, int] = {"epm": 0, "wmi": 0}
        self._servers: list[asyncio.Server] = []
        self._closing = asyncio.Event()
        self._challenge: bytes | None = None
        #: An NTLMLogin has handed out IWbemServices (see ``Script.lazy_services``).
        self.services_marshalled = False

    def challenge_template(self) -> bytes:
        """The NTLM CHALLENGE this responder sends, built once (its server challenge varies)."""
        if self._challenge is None:
            self._challenge = _Ntlm.template_for(self.script)
        return self._challenge

    def __repr__(self) -> str:
        return f"Responder({self.host}:{self.port}, wmi port {self.wmi_port}, {self.script!r})"

    async def start(self) -> None:
        """Listen on both ports (0: any free port, read back into ``port`` / ``wmi_port``)."""
        # A fleet benchmark opens hundreds of connections at once: a deep accept queue.
        options: dict[str, Any] = {"backlog": 4096, "reuse_port": self.reuse_port or None}
        epm = await asyncio.start_server(self._serve_epm, self.host, self.port, **options)
        wmi_server = await asyncio.start_server(
            self._serve_wmi, self.host, self.wmi_port, **options
        )
        self.port = epm.sockets[0].getsockname()[1]
        self.wmi_port = wmi_server.sockets[0].getsockname()[1]
        self._servers = [epm, wmi_server]

    async def stop(self) -> None:
        """Stop listening and drop every connection."""
        self._closing.set()
        for server in self._servers:
            server.close()
            with contextlib.suppress(AttributeError):  # Python < 3.12
                server.close_clients()  # type: ignore[attr-defined]
        for server in self._servers:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(server.wait_closed(), 1.0)

    def _bindings(self, local: str, port: int | None) -> tuple[str, ...]:
        suffix = "" if port is None else f"[{port}]"
        names = self.script.advertise or (self.script.netbios_name, local)
        return tuple(n + suffix for n in names)

    async def _serve_epm(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self._serve(reader, writer, "epm")

    async def _serve_wmi(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await self._serve(reader, writer, "wmi")

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, kind: str
    ) -> None:
        local = writer.get_extra_info("sockname")[0]
        self.connections[kind] += 1
        session = _Session(self, kind, local)
        try:
            while True:
                head = await reader.readexactly(16)
                frag_len = struct.unpack_from("<H", head, 8)[0]
                pdu = head + await reader.readexactly(max(frag_len - 16, 0))
                answer = session.handle(pdu)
                if answer:
                    writer.write(answer)
                    await writer.drain()
        except _Stalled:
            await self._closing.wait()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


class _Session:
    """One association: the bound interface and the logon on it."""

    def __init__(self, responder: Responder, kind: str, local: str) -> None:
        self.responder = responder
        self.script = responder.script
        self.kind = kind
        self.local = local
        self.iface: bytes | None = None
        self.ifaces: dict[int, bytes] = {}
        self.auth: _Ntlm | None = None
        self.logged_on = False

    def _stall(self, stage: Stage) -> None:
        if self.script.stall_at is stage:
            raise _Stalled

    def handle(self, pdu: bytes) -> bytes:
        kind = pdu[2]
        if kind == rpcrt.MSRPC_BIND:
            return self._bind(pdu)
        if kind == rpcrt.MSRPC_AUTH3:
            self._auth3(pdu)
            return b""
        if kind == rpcrt.MSRPC_REQUEST:
            return self._request(pdu)
        return self._fault(struct.unpack_from("<L", pdu, 12)[0], 0x1C010002)  # proto error

    def _bind(self, pdu: bytes) -> bytes:
        call_id, auth_len = (
            struct.unpack_from("<L", pdu, 12)[0],
            struct.unpack_from("<H", pdu, 10)[0],
        )
        # bind body (MS-RPCE 2.2.2.13): max_xmit, max_recv, assoc_group, n_context_elem, then
        # per element: context id, n_transfer_syn, abstract syntax (20), transfer syntaxes.
        max_xmit, max_recv, _, count = struct.unpack_from("<HHLB", pdu, 16)
        if self.kind == "epm" and not auth_len:
            self._stall(Stage.ENDPOINT_MAPPER)
        elif self.kind == "epm":
            self._stall(Stage.AUTHENTICATE)
        else:
            self._stall(Stage.WMI_PORT)
        results = b""
        offset = 28
        self.ifaces = {}
        for _ in range(count):
            context, transfers = struct.unpack_from("<HB", pdu, offset)
            iface = pdu[offset + 4 : offset + 24]
            syntaxes = [pdu[offset + 24 + 20 * i : offset + 44 + 20 * i] for i in range(transfers)]
            offset += 24 + 20 * transfers
            known = _INTERFACES.get(iface)
            reason = 0 if known is not None and known[0] == self.kind else 1
            if iface == wmi.IID_IWbemServices and self.script.lazy_services:
                reason = 0 if self.responder.services_marshalled else 1
            if _NDR not in syntaxes:
                reason = 2
            if reason == 0:
                self.ifaces[context] = iface
            result = 0 if reason == 0 else rpcrt.MSRPC_CONT_RESULT_PROV_REJECT
            results += struct.pack("<HH", result, reason) + _NDR
        address = str(self.responder.port if self.kind == "epm" else 0).encode() + b"\0"
        body = struct.pack("<HHLH", max_xmit, max_recv, 0x5A5A, len(address))
        body += address
        body += b"\0" * ((4 - (16 + len(body)) % 4) % 4)
        body += struct.pack("<BBH", count, 0, 0) + results
        if not auth_len:
            return _pdu(rpcrt.MSRPC_BINDACK, call_id, body)
        trailer = pdu[len(pdu) - auth_len - 8 :]
        self.auth = _Ntlm(self.script, self.responder.challenge_template())
        self.auth.level = trailer[1]
        challenge = self.auth.challenge()
        reply = struct.pack("<BBBBL", rpcrt.RPC_C_AUTHN_WINNT, trailer[1], 0, 0, 79231)
        return _pdu(rpcrt.MSRPC_BINDACK, call_id, body + reply + challenge, len(challenge))

    def _auth3(self, pdu: bytes) -> None:
        if self.auth is None:
            return
        auth_len = struct.unpack_from("<H", pdu, 10)[0]
        token = pdu[len(pdu) - auth_len :]
        level = pdu[len(pdu) - auth_len - 7]
        ok = self.auth.authenticate(token, level)
        scripted = self.script.fault_at is Stage.AUTHENTICATE and self.kind == "epm"
        self.logged_on = ok and not scripted

    def _fault(self, call_id: int, status: int) -> bytes:
        return _pdu(rpcrt.MSRPC_FAULT, call_id, struct.pack("<LHBBLL", 0, 0, 0, 0, status, 0))

    def _request(self, pdu: bytes) -> bytes:
        flags = pdu[3]
        auth_len = struct.unpack_from("<H", pdu, 10)[0]
        call_id = struct.unpack_from("<L", pdu, 12)[0]
        context, opnum = struct.unpack_from("<HH", pdu, 20)
        start = 24 + (16 if flags & rpcrt.PFC_OBJECT_UUID else 0)
        body = pdu[start : len(pdu) - (auth_len + 8 if auth_len else 0)]
        self.iface = self.ifaces.get(context)
        if auth_len:
            if self.auth is None or not self.logged_on:
                return self._fault(call_id, self._denied())
            trailer = pdu[len(pdu) - auth_len - 8 :]
            body = self.auth.open(body, trailer[1])
            if trailer[2]:
                body = body[: -trailer[2]]
        needs_logon = _INTERFACES.get(self.iface or b"", ("", True))[1]
        if needs_logon and not self.logged_on:
            return self._fault(call_id, self._denied())
        self.responder.calls.append((self.kind, opnum))
        stub = self._answer(opnum)
        if isinstance(stub, int):
            return self._fault(call_id, stub)
        if auth_len and self.auth is not None:
            return self.auth.seal(call_id, stub)
        return _pdu(rpcrt.MSRPC_RESPONSE, call_id, struct.pack("<LHBB", len(stub), 0, 0, 0) + stub)

    def _denied(self) -> int:
        if self.script.fault_at is Stage.AUTHENTICATE:
            return self.script.fault_code
        return RPC_ACCESS_DENIED

    def _code(self, stage: Stage) -> int:
        return self.script.fault_code if self.script.fault_at is stage else 0

    def _answer(self, opnum: int) -> bytes | int:
        script = self.script
        iface = self.iface
        if iface == dcomrt.IID_IObjectExporter and opnum == 5:
            self._stall(Stage.ENDPOINT_MAPPER)
            if script.fault_at is Stage.ENDPOINT_MAPPER:
                return script.fault_code
            return _alive_answer(self._bindings(None))
        if iface == dcomrt.IID_IRemoteSCMActivator and opnum == 4:
            self._stall(Stage.DCOM_ACTIVATION)
            level = self.auth.level if self.auth is not None else 1
            code = self._code(Stage.DCOM_ACTIVATION)
            if not code and level < script.min_activation_level:
                code = E_ACCESSDENIED
            return _activation_answer(self._bindings(self.responder.wmi_port), code)
        if iface == wmi.IID_IWbemLevel1Login and opnum == 6:
            self._stall(Stage.NAMESPACE_LOGIN)
            self.responder.services_marshalled |= not self._code(Stage.NAMESPACE_LOGIN)
            return _pointer_answer(
                wmi.IWbemLevel1Login_NTLMLoginResponse,
                "ppNamespace",
                wmi.IID_IWbemServices,
                self._bindings(self.responder.wmi_port),
                self._code(Stage.NAMESPACE_LOGIN),
            )
        if iface == wmi.IID_IWbemServices and opnum == 20:
            self._stall(Stage.QUERY)
            return _pointer_answer(
                wmi.IWbemServices_ExecQueryResponse,
                "ppEnum",
                _IENUM,
                self._bindings(self.responder.wmi_port),
                self._code(Stage.QUERY),
            )
        return (
            0x1C010002 if iface is None else 0x000006D1
        )  # proto error / RPC_S_PROCNUM_OUT_OF_RANGE

    def _bindings(self, port: int | None) -> tuple[str, ...]:
        return self.responder._bindings(self.local, port)


# -- running it ----------------------------------------------------------------------------------


@contextlib.contextmanager
def scripted_responder(
    script: Script | None = None, *, host: str = "127.0.0.1", port: int = 0, wmi_port: int = 0
) -> Iterator[Responder]:
    """Run a :class:`Responder` on a background thread for the ``with`` block.

    ``port`` is the endpoint-mapper port (0: any free port; 135 needs root); probe it as
    ``f"{host}:{peer.port}"``.

    >>> from wmireach.model import Stage
    >>> with scripted_responder(Script(stall_at=Stage.QUERY), port=0) as peer:
    ...     peer.script.stall_at.value
    'query'
    """
    responder = Responder(script or Script(), host=host, port=port, wmi_port=wmi_port)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(responder.start())
        except BaseException as exc:  # reported in the caller's thread
            failure.append(exc)
            started.set()
            return
        started.set()
        loop.run_forever()
        loop.run_until_complete(responder.stop())
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()

    thread = threading.Thread(target=run, name="wmireach-responder", daemon=True)
    thread.start()
    started.wait()
    if failure:
        thread.join()
        loop.close()
        raise failure[0]
    try:
        yield responder
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


def responder_factory() -> Iterator[Callable[..., Responder]]:
    """A pytest fixture body for several responders in one test: yields
    ``start(script=None, **kwargs) -> Responder``.

    Every responder started through it stops when the test ends. Register it in a conftest
    with ``pytest.fixture(responder_factory)``; for one responder per test, wmireach's pytest
    plugin already has ``wmi_responder`` (parametrised indirectly with
    ``{"script": Script(...)}``)::

        responders = pytest.fixture(responder_factory)

        def test_my_client_reports_namespace_denied(responders):
            peer = responders(Script(fault_at=Stage.NAMESPACE_LOGIN))
            ...  # point the client at f"127.0.0.1:{peer.port}"
    """
    with contextlib.ExitStack() as stack:

        def start(script: Script | None = None, **kwargs: Any) -> Responder:
            return stack.enter_context(scripted_responder(script, **kwargs))

        yield start


def _main(argv: list[str] | None = None) -> int:
    """Serve until killed (tests start it inside a network namespace)."""
    parser = argparse.ArgumentParser(prog="python -m wmireach.testing.responder")
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=135)
    parser.add_argument("--wmi-port", type=int, default=0)
    parser.add_argument("--fault-at", choices=[s.value for s in _FAULTABLE])
    parser.add_argument("--fault-code", type=lambda v: int(v, 0))
    parser.add_argument("--stall-at", choices=[s.value for s in _STALLABLE])
    parser.add_argument("--advertise", action="append")
    parser.add_argument("--domain")
    parser.add_argument("--build", type=int, default=20348)
    parser.add_argument("--reuse-port", action="store_true", help="share the ports (SO_REUSEPORT)")
    args = parser.parse_args(argv)
    fields: dict[str, Any] = {"version": (10, 0, args.build), "domain": args.domain}
    if args.fault_at:
        fields["fault_at"] = Stage(args.fault_at)
    if args.fault_code is not None:
        fields["fault_code"] = args.fault_code
    if args.stall_at:
        fields["stall_at"] = Stage(args.stall_at)
    if args.advertise:
        fields["advertise"] = tuple(args.advertise)
    responder = Responder(
        Script(**fields),
        host=args.host,
        port=args.port,
        wmi_port=args.wmi_port,
        reuse_port=args.reuse_port,
    )

    async def serve() -> None:
        await responder.start()
        print(f"ready {responder.port} {responder.wmi_port}", flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
