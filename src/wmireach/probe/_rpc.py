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
        self.password = password
        self.nthash: bytes | str = bytes.fromhex(nthash) if nthash else ""
        self.lmhash = ""

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
        if frag_len < _HEADER:
            raise Fault(0x1C010002, "malformed PDU from the peer")  # nca_s_proto_error
        return head + await self._reader.readexactly(frag_len - _HEADER)

    async def _send(self, data: bytes) -> None:
        self._writer.write(data)
        await self._writer.drain()

    async def bind(
        self,
        iface: bytes,
        *,
        identity: NtlmIdentity | None = None,
        auth_level: int = rpcrt.RPC_C_AUTHN_LEVEL_NONE,
        on_challenge: Any = None,
    ) -> None:
        """Bind to ``iface`` (impacket's 20-byte uuid+version); with ``identity``, run NTLM.

        ``on_challenge`` is called with the NTLM CHALLENGE message bytes before the logon
        completes, so the pre-auth fingerprint is kept even when the logon then fails.
        """
        bind = rpcrt.MSRPCBind()
        item = rpcrt.CtxItem()
        item["AbstractSyntax"] = iface
        item["TransferSyntax"] = uuidtup_to_bin(NDR_SYNTAX)
        item["ContextID"] = 0
        item["TransItems"] = 1
        bind.addCtxItem(item)
        packet = rpcrt.MSRPCHeader()
        packet["type"] = rpcrt.MSRPC_BIND
        packet["pduData"] = bind.getData()
        packet["call_id"] = self._call_id
        negotiate = None
        if identity is not None:
            negotiate = ntlm.getNTLMSSPType1("", "", signingRequired=True, use_ntlmv2=True)
            trailer = rpcrt.SEC_TRAILER()
            trailer["auth_type"] = rpcrt.RPC_C_AUTHN_WINNT
            trailer["auth_level"] = auth_level
            trailer["auth_ctx_id"] = _AUTH_CTX_ID
            pad = (4 - (len(packet.get_packet()) % 4)) % 4
            if pad:
                packet["pduData"] += b"\xff" * pad
                trailer["auth_pad_len"] = pad
            packet["sec_trailer"] = trailer
            packet["auth_data"] = negotiate.getData()
        await self._send(packet.get_packet())
        answer = await self._read_pdu()
        header = rpcrt.MSRPCHeader(answer)
        if header["type"] == rpcrt.MSRPC_BINDNAK:
            nak = rpcrt.MSRPCBindNak(header["pduData"])
            raise Fault(nak["RejectedReason"], "bind_nak")
        if header["type"] == rpcrt.MSRPC_FAULT:
            raise Fault(struct.unpack_from("<L", answer, 24)[0], "bind fault")
        if header["type"] != rpcrt.MSRPC_BINDACK:
            raise Fault(0x1C010002, f"unexpected PDU type {header['type']} to a bind")
        ack = rpcrt.MSRPCBindAck(answer)
        result = ack.getCtxItem(1)
        if result["Result"] != 0:
            raise BindRejected(result["Reason"], "bind_ack rejected the interface")
        self.max_xmit = ack["max_rfrag"]
        if identity is None or negotiate is None:
            return
        challenge = ack["auth_data"]
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
        trailer = rpcrt.SEC_TRAILER()
        trailer["auth_type"] = rpcrt.RPC_C_AUTHN_WINNT
        trailer["auth_level"] = auth_level
        trailer["auth_ctx_id"] = _AUTH_CTX_ID
        auth3 = rpcrt.MSRPCHeader()
        auth3["type"] = rpcrt.MSRPC_AUTH3
        auth3["pduData"] = b"    "
        auth3["sec_trailer"] = trailer
        auth3["auth_data"] = response.getData()
        auth3["call_id"] = self._call_id
        await self._send(auth3.get_packet())
        self._call_id += 1

    async def request(self, opnum: int, stub: bytes, *, object_uuid: bytes | None = None) -> bytes:
        """Send one call and return the response stub; a fault raises :class:`Fault`."""
        packet = rpcrt.MSRPCRequestHeader()
        packet["op_num"] = opnum
        packet["ctx_id"] = 0
        packet["call_id"] = self._call_id
        packet["flags"] = rpcrt.PFC_FIRST_FRAG | rpcrt.PFC_LAST_FRAG
        if object_uuid is not None:
            packet["flags"] |= rpcrt.PFC_OBJECT_UUID
            packet["uuid"] = object_uuid
        packet["pduData"] = stub
        packet["alloc_hint"] = len(stub)
        self._call_id += 1
        await self._send(self._secure(packet))
        answer = b""
        while True:
            pdu = await self._read_pdu()
            header = rpcrt.MSRPCRespHeader(pdu)
            if header["type"] == rpcrt.MSRPC_FAULT:
                raise Fault(struct.unpack_from("<L", pdu, 24)[0], f"fault to opnum {opnum}")
            if header["type"] != rpcrt.MSRPC_RESPONSE:
                raise Fault(0x1C010002, f"unexpected PDU type {header['type']} to a request")
            answer += self._open(pdu, header)
            if header["flags"] & rpcrt.PFC_LAST_FRAG:
                return answer

    def _secure(self, packet: Any) -> bytes:
        if self._auth_level < rpcrt.RPC_C_AUTHN_LEVEL_PKT_INTEGRITY:
            return bytes(packet.get_packet())
        trailer = rpcrt.SEC_TRAILER()
        trailer["auth_type"] = rpcrt.RPC_C_AUTHN_WINNT
        trailer["auth_level"] = self._auth_level
        trailer["auth_ctx_id"] = _AUTH_CTX_ID
        pad = (4 - (len(packet.get_packet()) % 4)) % 4
        if pad:
            packet["pduData"] += b"\xbb" * pad
            trailer["auth_pad_len"] = pad
        packet["sec_trailer"] = trailer.getData()
        packet["auth_data"] = b" " * 16
        plain = packet["pduData"]
        if self._auth_level == rpcrt.RPC_C_AUTHN_LEVEL_PKT_PRIVACY:
            sealed, signature = ntlm.SEAL(
                self._flags,
                self._client_sign,
                self._client_seal,
                packet.get_packet()[:-16],
                plain,
                self._sequence,
                self._client_handle,
            )
            packet["pduData"] = sealed
        else:
            signature = ntlm.SIGN(
                self._flags,
                self._client_sign,
                packet.get_packet()[:-16],
                self._sequence,
                self._client_handle,
            )
        packet["auth_data"] = signature.getData()
        self._sequence += 1
        return bytes(packet.get_packet())

    def _open(self, pdu: bytes, header: Any) -> bytes:
        body = pdu[24:]
        auth_len = header["auth_len"]
        if not auth_len:
            return body
        trailer = rpcrt.SEC_TRAILER(body[-(auth_len + 8) :])
        body = body[: -(auth_len + 8)]
        if trailer["auth_level"] == rpcrt.RPC_C_AUTHN_LEVEL_PKT_PRIVACY:
            body, _ = ntlm.SEAL(
                self._flags,
                self._server_sign,
                self._server_seal,
                body,
                body,
                self._sequence,
                self._server_handle,
            )
        elif trailer["auth_level"] == rpcrt.RPC_C_AUTHN_LEVEL_PKT_INTEGRITY:
            ntlm.SIGN(self._flags, self._server_sign, body, self._sequence, self._server_handle)
        if trailer["auth_pad_len"]:
            body = body[: -trailer["auth_pad_len"]]
        return bytes(body)
