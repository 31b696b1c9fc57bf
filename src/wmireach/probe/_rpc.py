"""One DCE/RPC connection over asyncio, built from impacket's own PDU structures.

Owns: framing (read one PDU by its ``frag_len``), bind with or without NTLM, AUTH3, requests at
any authentication level up to PKT_PRIVACY, and turning the answer into stub bytes or a raw fault
status. impacket's own transport is blocking and folds fault statuses into strings; here the
status stays a number so :func:`wmireach.decode` reads it.

Must not: keep state beyond one connection, log or store the password or hash.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from typing import Any, Final

from Cryptodome.Cipher import ARC4
from impacket import ntlm
from impacket.dcerpc.v5 import rpcrt
from impacket.uuid import uuidtup_to_bin

__all__ = ["BindRejected", "Fault", "NtlmIdentity", "RpcConnection"]

NDR_SYNTAX: Final = ("8a885d04-1ceb-11c9-9fe8-08002b104860", "2.0")
_AUTH_CTX_ID: Final = 79231
_HEADER: Final = 16
#: RPC_S_PROTOCOL_ERROR as an HRESULT: an answer that is no DCE/RPC PDU.
_PROTOCOL_ERROR: Final = 0x800706C0


class Fault(Exception):
    """The peer answered with a fault PDU (or a bind_nak): ``status`` is the raw number."""

    def __init__(self, status: int, where: str) -> None:
        super().__init__(f"{where}: fault status 0x{status:08x}")
        self.status = status
        self.where = where


class BindRejected(Fault):
    """A bind_ack rejected the presentation context (``status`` is the provider reason)."""


class NtlmIdentity:
    """The secrets of one NTLM logon; repr shows the user only.

    ``nthash`` is hex text (empty for none); impacket's NTLM code wants the raw bytes, or the
    empty *string* when there is no hash.
    """

    __slots__ = ("domain", "lmhash", "nthash", "password", "user")

    def __init__(self, user: str, domain: str, password: str, nthash: str) -> None:
        self.user = user
        self.domain = domain
        # The NT hash once per logon instead of once per bind (and no LM hash, which costs
        # DES rounds and which NTLMv2 does not need).
        self.password = ""
        self.nthash: bytes | str = (
            bytes.fromhex(nthash) if nthash else (ntlm.compute_nthash(password) if password else "")
        )
        self.lmhash: bytes | str = b"" if self.nthash else ""

    def __repr__(self) -> str:
        return f"NtlmIdentity(user={self.user!r}, domain={self.domain!r})"


class RpcConnection:
    """A DCE/RPC association on one TCP stream."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._call_id = 1
        self._auth_level = rpcrt.RPC_C_AUTHN_LEVEL_NONE
        self._flags = 0
        self._sequence = 0
        self._client_sign: bytes = b""
        self._client_seal: bytes = b""
        self._server_sign: bytes = b""
        self._server_seal: bytes = b""
        self._client_handle: Any = None
        self._server_handle: Any = None
        self.max_xmit = 4280

    @classmethod
    async def open(cls, host: str, port: int) -> RpcConnection:
        """Connect to ``host:port`` (the caller bounds the time)."""
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def close(self) -> None:
        """Close the stream, ignoring a peer that is already gone."""
        self._writer.close()
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):  # a peer reset
            await self._writer.wait_closed()

    async def _read_pdu(self) -> bytes:
        head = await self._reader.readexactly(_HEADER)
        frag_len = struct.unpack_from("<H", head, 8)[0]
        if head[0] != 5 or frag_len < _HEADER:  # connection-oriented DCE/RPC is version 5
            raise Fault(_PROTOCOL_ERROR, "the peer does not speak DCE/RPC")
        return head + await self._reader.readexactly(frag_len - _HEADER)

    async def _send(self, data: bytes) -> None:
        self._writer.write(data)
        await self._writer.drain()

    async def bind(
        self,
        *ifaces: bytes,
        identity: NtlmIdentity | None = None,
        auth_level: int = rpcrt.RPC_C_AUTHN_LEVEL_NONE,
        on_challenge: Any = None,
    ) -> tuple[bool, ...]:
        """Bind to ``ifaces`` (impacket's 20-byte uuid+version; context IDs 0, 1...); with
        ``identity``, run NTLM.

        ``on_challenge`` is called with the NTLM CHALLENGE message bytes before the logon
        completes, so the pre-auth fingerprint is kept even when the logon then fails.
        Returns which contexts the server accepted; a rejected first context raises
        :class:`BindRejected`.
        """
        items = b"".join(
            struct.pack("<HBB", ctx, 1, 0) + iface + _NDR for ctx, iface in enumerate(ifaces)
        )
        body = struct.pack("<HHLBBH", 4280, 4280, 0, len(ifaces), 0, 0) + items
        negotiate = None
        auth = b""
        if identity is not None:
            negotiate = ntlm.getNTLMSSPType1("", "", signingRequired=True, use_ntlmv2=True)
            token = negotiate.getData()
            auth = _trailer(auth_level, 0) + token
        call_id = self._call_id
        await self._send(_pdu(rpcrt.MSRPC_BIND, call_id, body + auth, len(auth) - 8 if auth else 0))
        answer = await self._read_pdu()
        kind = answer[2]
        if kind == rpcrt.MSRPC_BINDNAK:
            raise Fault(struct.unpack_from("<H", answer, 16)[0], "bind_nak")
        if kind == rpcrt.MSRPC_FAULT:
            raise Fault(struct.unpack_from("<L", answer, 24)[0], "bind fault")
        if kind != rpcrt.MSRPC_BINDACK:
            raise Fault(0x1C010002, f"unexpected PDU type {kind} to a bind")
        max_xmit, _, _, addr_len = struct.unpack_from("<HHLH", answer, 16)
        offset = 26 + addr_len
        offset += (4 - offset % 4) % 4
        count = answer[offset]
        results = [struct.unpack_from("<HH", answer, offset + 4 + 24 * i) for i in range(count)]
        if not results or results[0][0] != 0:
            reason = results[0][1] if results else 0
            raise BindRejected(reason, "bind_ack rejected the interface")
        accepted = tuple(result == 0 for result, _ in results)
        self.max_xmit = max_xmit
        if identity is None or negotiate is None:
            return accepted
        auth_len = struct.unpack_from("<H", answer, 10)[0]
        challenge = answer[len(answer) - auth_len :] if auth_len else b""
        if on_challenge is not None:
            on_challenge(challenge)
        response, session_key = ntlm.getNTLMSSPType3(
            negotiate,
            challenge,
            identity.user,
            identity.password,
            identity.domain,
            identity.lmhash,
            identity.nthash,
            use_ntlmv2=True,
        )
        self._flags = response["flags"]
        if not self._flags & ntlm.NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY:
            raise Fault(0x80090302, "the peer refused NTLM extended session security")
        self._client_sign = ntlm.SIGNKEY(self._flags, session_key)
        self._server_sign = ntlm.SIGNKEY(self._flags, session_key, b"Server")
        self._client_seal = ntlm.SEALKEY(self._flags, session_key)
        self._server_seal = ntlm.SEALKEY(self._flags, session_key, b"Server")
        self._client_handle = ARC4.new(self._client_seal).encrypt
        self._server_handle = ARC4.new(self._server_seal).encrypt
        self._auth_level = auth_level
        token = response.getData()
        # AUTH3: four bytes of padding, then the trailer (MS-RPCE 2.2.2.10).
        await self._send(
            _pdu(rpcrt.MSRPC_AUTH3, call_id, b"    " + _trailer(auth_level, 0) + token, len(token))
        )
        self._call_id += 1
        return accepted

    async def request(
        self, opnum: int, stub: bytes, *, object_uuid: bytes | None = None, context: int = 0
    ) -> bytes:
        """Send one call and return the response stub; a fault raises :class:`Fault`."""
        call_id = self._call_id
        self._call_id += 1
        await self._send(self._secure(call_id, opnum, stub, object_uuid, context))
        answer = b""
        while True:
            pdu = await self._read_pdu()
            kind, flags = pdu[2], pdu[3]
            if kind == rpcrt.MSRPC_FAULT:
                raise Fault(struct.unpack_from("<L", pdu, 24)[0], f"fault to opnum {opnum}")
            if kind != rpcrt.MSRPC_RESPONSE:
                raise Fault(0x1C010002, f"unexpected PDU type {kind} to a request")
            answer += self._open(pdu)
            if flags & rpcrt.PFC_LAST_FRAG:
                return answer

    def _secure(
        self, call_id: int, opnum: int, stub: bytes, object_uuid: bytes | None, context: int
    ) -> bytes:
        flags = rpcrt.PFC_FIRST_FRAG | rpcrt.PFC_LAST_FRAG
        head = struct.pack("<LHH", len(stub), context, opnum)
        if object_uuid is not None:
            flags |= rpcrt.PFC_OBJECT_UUID
            head += object_uuid
        if self._auth_level < rpcrt.RPC_C_AUTHN_LEVEL_PKT_INTEGRITY:
            return _pdu(rpcrt.MSRPC_REQUEST, call_id, head + stub, 0, flags)
        pad = (4 - (len(head) + len(stub)) % 4) % 4
        plain = stub + b"\xbb" * pad
        trailer = _trailer(self._auth_level, pad)
        # The signature covers the whole PDU with the plain stub (NTLM2 session security).
        unsigned = _pdu(rpcrt.MSRPC_REQUEST, call_id, head + plain + trailer + b" " * 16, 16, flags)
        to_sign = unsigned[:-16]
        if self._auth_level == rpcrt.RPC_C_AUTHN_LEVEL_PKT_PRIVACY:
            sealed, signature = ntlm.SEAL(
                self._flags,
                self._client_sign,
                self._client_seal,
                to_sign,
                plain,
                self._sequence,
                self._client_handle,
            )
        else:
            sealed = plain
            signature = ntlm.SIGN(
                self._flags, self._client_sign, to_sign, self._sequence, self._client_handle
            )
        self._sequence += 1
        body_start = _HEADER + len(head)
        return bytes(to_sign[:body_start] + sealed + trailer + signature.getData())

    def _open(self, pdu: bytes) -> bytes:
        auth_len = struct.unpack_from("<H", pdu, 10)[0]
        body = pdu[24:]
        if not auth_len:
            return body
        trailer = body[-(auth_len + 8) :]
        level, pad = trailer[1], trailer[2]
        body = body[: -(auth_len + 8)]
        if level == rpcrt.RPC_C_AUTHN_LEVEL_PKT_PRIVACY:
            body, _ = ntlm.SEAL(
                self._flags,
                self._server_sign,
                self._server_seal,
                body,
                body,
                self._sequence,
                self._server_handle,
            )
        elif level == rpcrt.RPC_C_AUTHN_LEVEL_PKT_INTEGRITY:
            ntlm.SIGN(self._flags, self._server_sign, body, self._sequence, self._server_handle)
        return bytes(body[: len(body) - pad])


_NDR: Final = uuidtup_to_bin(NDR_SYNTAX)


def _pdu(kind: int, call_id: int, body: bytes, auth_len: int, flags: int = 0x03) -> bytes:
    """A connection-oriented PDU: the 16-byte common header, then ``body`` (MS-RPCE 2.2.2)."""
    header = struct.pack(
        "<BBBB4sHHL", 5, 0, kind, flags, b"\x10\x00\x00\x00", _HEADER + len(body), auth_len, call_id
    )
    return header + body


def _trailer(level: int, pad: int) -> bytes:
    """The sec_trailer: NTLM, ``level``, ``pad`` bytes of auth padding, context 79231."""
    return struct.pack("<BBBBL", rpcrt.RPC_C_AUTHN_WINNT, level, pad, 0, _AUTH_CTX_ID)
