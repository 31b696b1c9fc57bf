"""The probe's offset readers agree with impacket's NDR classes on every answer shape.

The probe reads ServerAlive2, the RemoteCreateInstance wrapper and interface pointers by
offsets (impacket's readers cost milliseconds a host); these properties pin them to impacket's
own reading of answers built with impacket's own structures.
"""

from __future__ import annotations

import struct

from hypothesis import given
from hypothesis import strategies as st
from impacket.dcerpc.v5 import dcomrt
from impacket.dcerpc.v5.dcom import wmi

from wmireach.probe import _dcom
from wmireach.testing import responder

names = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="[]"),
    min_size=1,
    max_size=30,
)
ports = st.integers(1, 65535)
bindings = st.lists(names, min_size=1, max_size=6).map(tuple)


def _impacket_bindings(words: list[int], security_offset: int) -> list[str]:
    raw = b"".join(struct.pack("<H", w) for w in words)[: security_offset * 2]
    out = []
    while len(raw) >= 2 and raw[:2] != b"\0\0":
        binding = dcomrt.STRINGBINDING(raw)
        out.append(str(binding["aNetworkAddr"]).rstrip("\0"))
        raw = raw[len(binding) :]
    return out


@given(bindings)
def test_server_alive2_reads_as_impacket_reads_it(advertised: tuple[str, ...]) -> None:
    stub = responder._alive_answer(advertised)
    theirs = dcomrt.ServerAlive2Response(stub)["ppdsaOrBindings"]
    expected = _impacket_bindings(theirs["aStringArray"], theirs["wSecurityOffset"])
    assert [b.address for b in _dcom.read_bindings(stub)] == expected == list(advertised)


@given(bindings, ports)
def test_activation_reads_as_impacket_reads_it(advertised: tuple[str, ...], port: int) -> None:
    stub = responder._activation_answer(tuple(f"{a}[{port}]" for a in advertised), 0)
    ours = _dcom.read_activation(stub)
    theirs = dcomrt.RemoteCreateInstanceResponse(stub)
    assert ours.hresult == theirs["ErrorCode"] == 0
    data = b"".join(theirs["ppActProperties"]["abData"])
    assert struct.unpack_from("<L", stub, 12)[0] == len(data)
    assert [(b.address, b.port) for b in ours.bindings] == [(a, port) for a in advertised]
    props = dcomrt.ACTIVATION_BLOB(dcomrt.OBJREF_CUSTOM(data)["pObjectData"])["Property"]
    assert ours.ipid is not None and ours.ipid in props


@given(st.integers(0x80000001, 0xFFFFFFFF))
def test_a_refused_activation_reads_its_code(code: int) -> None:
    stub = responder._activation_answer(("B[1]",), code)
    ours = _dcom.read_activation(stub)
    assert ours.hresult == code == dcomrt.RemoteCreateInstanceResponse(stub)["ErrorCode"]
    assert ours.ipid is None


@given(bindings, st.sampled_from([0, 0x80041003, 0x80070005]))
def test_login_reads_as_impacket_reads_it(advertised: tuple[str, ...], code: int) -> None:
    stub = responder._pointer_answer(
        wmi.IWbemLevel1Login_NTLMLoginResponse,
        "ppNamespace",
        wmi.IID_IWbemServices,
        advertised,
        code,
    )
    theirs = wmi.IWbemLevel1Login_NTLMLoginResponse(stub)
    status, ipid = _dcom.read_login(stub)
    assert status == code == theirs["ErrorCode"]
    if code:
        assert ipid is None
    else:
        objref = dcomrt.OBJREF_STANDARD(b"".join(theirs["ppNamespace"]["abData"]))
        assert ipid == bytes(objref["std"]["ipid"])
