"""The DCOM and WMI calls of the probe, as stub bytes in and parsed values out.

Owns: the requests (ServerAlive2, RemoteCreateInstance of WbemLevel1Login, NTLMLogin,
ExecQuery) built with impacket's NDR structures, their answers read back the same way, and the
NTLM CHALLENGE fingerprint (OS build, names, domain or workgroup). No I/O: bytes only.

Must not: open connections (:mod:`wmireach.probe._rpc` does), or judge what a value means
(:mod:`wmireach.probe._run` does).
"""

from __future__ import annotations

import functools
import os
import struct
from typing import Any, Final

import attrs
from impacket import ntlm
from impacket.dcerpc.v5 import dcomrt
from impacket.dcerpc.v5.dcom import wmi
from impacket.dcerpc.v5.dtypes import NULL
from impacket.uuid import generate

__all__ = [
    "IID_IOBJECT_EXPORTER",
    "IID_IREMOTE_SCM_ACTIVATOR",
    "IID_IWBEM_LEVEL1_LOGIN",
    "IID_IWBEM_SERVICES",
    "Activation",
    "Binding",
    "Fingerprint",
    "exec_query",
    "fingerprint",
    "ntlm_login",
    "read_activation",
    "read_bindings",
    "read_interface",
    "remote_create_instance",
    "server_alive2",
]

IID_IOBJECT_EXPORTER: Final = dcomrt.IID_IObjectExporter
IID_IREMOTE_SCM_ACTIVATOR: Final = dcomrt.IID_IRemoteSCMActivator
IID_IWBEM_LEVEL1_LOGIN: Final = wmi.IID_IWbemLevel1Login
IID_IWBEM_SERVICES: Final = wmi.IID_IWbemServices
#: ncacn_ip_tcp, the only tower the probe follows (MS-DCOM 2.2.19.3).
TOWER_TCP: Final = 0x07


@attrs.frozen(kw_only=True)
class Binding:
    """One string binding a server advertises: tower, network address, port (if any)."""

    tower: int
    address: str
    port: int | None

    @property
    def text(self) -> str:
        """As the server spells it: ``host[port]``."""
        return self.address if self.port is None else f"{self.address}[{self.port}]"


@attrs.frozen(kw_only=True)
class Fingerprint:
    """What an NTLM CHALLENGE says about the server before any logon."""

    netbios_name: str | None
    netbios_domain: str | None
    dns_name: str | None
    dns_domain: str | None
    dns_forest: str | None
    version: str | None
    build: int | None

    @property
    def workgroup(self) -> bool | None:
        """True when the server is in a workgroup: its domain name is its own computer name."""
        if self.netbios_domain is None or self.netbios_name is None:
            return None
        return self.netbios_domain.casefold() == self.netbios_name.casefold()


@attrs.frozen(kw_only=True)
class Activation:
    """The useful parts of a RemoteCreateInstance answer."""

    hresult: int
    bindings: tuple[Binding, ...]
    ipid: bytes | None
    auth_hint: int | None


def _text(av: Any, key: int) -> str | None:
    field = av[key]
    return None if field is None else bytes(field[1]).decode("utf-16-le", errors="replace")


def fingerprint(challenge: bytes) -> Fingerprint:
    """Read an NTLM CHALLENGE message (bytes of the bind_ack's auth_data)."""
    message = ntlm.NTLMAuthChallenge()
    message.fromString(challenge)
    av = ntlm.AV_PAIRS(message["TargetInfoFields"]) if message["TargetInfoFields"] else None
    version = build = None
    if message["flags"] & ntlm.NTLMSSP_NEGOTIATE_VERSION and len(message["Version"]) == 8:
        major, minor, build = struct.unpack_from("<BBH", message["Version"])
        version = f"{major}.{minor}.{build}"
    return Fingerprint(
        netbios_name=None if av is None else _text(av, ntlm.NTLMSSP_AV_HOSTNAME),
        netbios_domain=None if av is None else _text(av, ntlm.NTLMSSP_AV_DOMAINNAME),
        dns_name=None if av is None else _text(av, ntlm.NTLMSSP_AV_DNS_HOSTNAME),
        dns_domain=None if av is None else _text(av, ntlm.NTLMSSP_AV_DNS_DOMAINNAME),
        dns_forest=None if av is None else _text(av, ntlm.NTLMSSP_AV_DNS_TREENAME),
        version=version,
        build=build,
    )


def _split(raw: bytes) -> tuple[Binding, ...]:
    out: list[Binding] = []
    while len(raw) >= 2 and raw[:2] != b"\x00\x00":
        binding = dcomrt.STRINGBINDING(raw)
        value = binding["aNetworkAddr"]
        if isinstance(value, bytes):  # pragma: no cover - impacket versions differ
            value = value.decode("utf-16-le")
        text = str(value).rstrip("\x00")
        address, port = text, None
        if text.endswith("]") and "[" in text:
            address, _, rest = text[:-1].rpartition("[")
            port = int(rest) if rest.isdigit() else None
        out.append(Binding(tower=binding["wTowerId"], address=address, port=port))
        raw = raw[len(binding) :]
    return tuple(out)


def _dual_string_array(words: Any, security_offset: int) -> tuple[Binding, ...]:
    raw = b"".join(struct.pack("<H", w) for w in words)
    return _split(raw[: security_offset * 2])


def server_alive2() -> bytes:
    """The stub of IObjectExporter::ServerAlive2 (opnum 5): no arguments."""
    return bytes(dcomrt.ServerAlive2().getData())


def read_bindings(stub: bytes) -> tuple[Binding, ...]:
    """The string bindings (every address of the server) a ServerAlive2 answer lists.

    NDR (MS-DCOM 3.1.2.5.1.6): COMVERSION (4), the pointer to a DUALSTRINGARRAY (4), its
    conformance count (4), wNumEntries (2), wSecurityOffset (2), the entries. Read with offsets:
    this runs once per host of a fleet.
    """
    if len(stub) < 16 or struct.unpack_from("<L", stub, 4)[0] == 0:
        return ()
    entries, security_offset = struct.unpack_from("<HH", stub, 12)
    raw = stub[16 : 16 + 2 * entries]
    if len(raw) != 2 * entries or security_offset > entries:
        raise ValueError("a ServerAlive2 answer with a malformed DUALSTRINGARRAY")
    return _split(raw[: security_offset * 2])


def _orpc_this() -> Any:
    this = dcomrt.ORPCTHIS()
    this["version"]["MajorVersion"] = 5
    this["version"]["MinorVersion"] = 7
    this["cid"] = generate()
    this["extensions"] = NULL
    this["flags"] = 0
    return this


def _fresh_cid(template: bytes) -> bytes:
    # ORPCTHIS opens every DCOM request: version (4), flags (4), reserved1 (4), then the
    # causality ID (16), which is new per call (MS-DCOM 2.2.13.3). Building a request with
    # impacket's NDR classes costs milliseconds; a fleet probe builds each kind once.
    return template[:12] + os.urandom(16) + template[28:]


def remote_create_instance(clsid: bytes, iid: bytes) -> bytes:
    """The stub of IRemoteSCMActivator::RemoteCreateInstance (opnum 4), as impacket builds it."""
    return _fresh_cid(_remote_create_instance(clsid, iid))


@functools.lru_cache(maxsize=8)
def _remote_create_instance(clsid: bytes, iid: bytes) -> bytes:
    this = _orpc_this()
    this["flags"] = 1
    request = dcomrt.RemoteCreateInstance()
    request["ORPCthis"] = this
    request["pUnkOuter"] = NULL
    blob = dcomrt.ACTIVATION_BLOB()
    blob["CustomHeader"]["destCtx"] = 2
    blob["CustomHeader"]["pdwReserved"] = NULL
    for class_id in (
        dcomrt.CLSID_InstantiationInfo,
        dcomrt.CLSID_ActivationContextInfo,
        dcomrt.CLSID_ServerLocationInfo,
        dcomrt.CLSID_ScmRequestInfo,
    ):
        item = dcomrt.CLSID()
        item["Data"] = class_id
        blob["CustomHeader"]["pclsid"].append(item)
    properties = b""
    instantiation = dcomrt.InstantiationInfoData()
    instantiation["classId"] = clsid
    instantiation["cIID"] = 1
    wanted = dcomrt.IID()
    wanted["Data"] = iid
    instantiation["pIID"].append(wanted)
    properties += _sized(blob, instantiation, this_size=True)
    context = dcomrt.ActivationContextInfoData()
    context["pIFDClientCtx"] = NULL
    context["pIFDPrototypeCtx"] = NULL
    properties += _sized(blob, context)
    location = dcomrt.LocationInfoData()
    location["machineName"] = NULL
    size = dcomrt.DWORD()
    size["Data"] = len(location.getData())
    blob["CustomHeader"]["pSizes"].append(size)
    properties += location.getData() + location.getDataReferents()
    scm = dcomrt.ScmRequestInfoData()
    scm["pdwReserved"] = NULL
    scm["remoteRequest"]["cRequestedProtseqs"] = 1
    scm["remoteRequest"]["pRequestedProtseqs"].append(TOWER_TCP)
    properties += _sized(blob, scm)
    blob["Property"] = properties
    objref = dcomrt.OBJREF_CUSTOM()
    objref["iid"] = dcomrt.IID_IActivationPropertiesIn[:-4]
    objref["clsid"] = dcomrt.CLSID_ActivationPropertiesIn
    objref["pObjectData"] = blob.getData()
    objref["ObjectReferenceSize"] = len(objref["pObjectData"]) + 8
    data = objref.getData()
    request["pActProperties"]["ulCntData"] = len(data)
    request["pActProperties"]["abData"] = list(data)
    return bytes(request.getData())


def _sized(blob: Any, structure: Any, *, this_size: bool = False) -> bytes:
    marshaled = structure.getData() + structure.getDataReferents()
    pad = (8 - (len(marshaled) % 8)) % 8
    size = dcomrt.DWORD()
    size["Data"] = len(marshaled) + pad
    blob["CustomHeader"]["pSizes"].append(size)
    if this_size:
        structure["thisSize"] = size["Data"]
        marshaled = structure.getData() + structure.getDataReferents()
    return bytes(marshaled) + b"\xfa" * pad


def read_activation(stub: bytes) -> Activation:
    """Read a RemoteCreateInstance answer: its HRESULT, the OXID bindings, the interface IPID."""
    # ORPCTHAT (8), the pointer to an MInterfacePointer (4), ulCntData (4), the conformance
    # count (4), the OBJREF bytes, then the HRESULT (MS-DCOM 3.1.2.5.2.3.3).
    code = _status(stub)
    if code != 0 or len(stub) < 24 or struct.unpack_from("<L", stub, 8)[0] == 0:
        return Activation(hresult=code, bindings=(), ipid=None, auth_hint=None)
    size = struct.unpack_from("<L", stub, 12)[0]
    data = stub[20 : 20 + size]
    if len(data) != size:
        raise ValueError("a RemoteCreateInstance answer shorter than its interface pointer")
    objref = dcomrt.OBJREF_CUSTOM(data)
    blob = dcomrt.ACTIVATION_BLOB(objref["pObjectData"])
    sizes = [s["Data"] for s in blob["CustomHeader"]["pSizes"]]
    props_raw = blob["Property"][: sizes[0]]
    scm_raw = blob["Property"][sizes[0] : sizes[0] + sizes[1]]
    scm = dcomrt.ScmReplyInfoData()
    size = scm.fromString(scm_raw)
    scm.fromStringReferents(scm_raw[size:])
    reply = scm["remoteReply"]
    oxid = reply["pdsaOxidBindings"]
    bindings = _dual_string_array(oxid["aStringArray"], oxid["wSecurityOffset"])
    props = dcomrt.PropsOutInfo()
    size = props.fromString(props_raw)
    props.fromStringReferents(props_raw[size:])
    results = [r["Data"] & 0xFFFFFFFF for r in props["phresults"]]
    if results and results[0] != 0:
        return Activation(
            hresult=results[0], bindings=bindings, ipid=None, auth_hint=reply["authnHint"]
        )
    interface = b"".join(props["ppIntfData"][0]["abData"])
    return Activation(
        hresult=0,
        bindings=bindings,
        ipid=read_interface(interface),
        auth_hint=reply["authnHint"],
    )


def read_interface(objref_bytes: bytes) -> bytes:
    """The IPID of a marshalled interface pointer (OBJREF_STANDARD or _EXTENDED)."""
    flags = dcomrt.OBJREF(objref_bytes)["flags"]
    if flags == dcomrt.FLAGS_OBJREF_EXTENDED:
        return bytes(dcomrt.OBJREF_EXTENDED(objref_bytes)["std"]["ipid"])
    return bytes(dcomrt.OBJREF_STANDARD(objref_bytes)["std"]["ipid"])


def ntlm_login(namespace: str) -> bytes:
    """The stub of IWbemLevel1Login::NTLMLogin (opnum 6) for ``namespace``."""
    return _fresh_cid(_ntlm_login(namespace))


@functools.lru_cache(maxsize=64)
def _ntlm_login(namespace: str) -> bytes:
    request = wmi.IWbemLevel1Login_NTLMLogin()
    request["ORPCthis"] = _orpc_this()
    request["wszNetworkResource"] = namespace + "\x00"
    request["wszPreferredLocale"] = NULL
    request["lFlags"] = 0
    request["pCtx"] = NULL
    return bytes(request.getData())


def read_login(stub: bytes) -> tuple[int, bytes | None]:
    """(HRESULT, IPID of IWbemServices) from an NTLMLogin answer."""
    return _status(stub), _ipid_in(stub)


def _status(stub: bytes) -> int:
    # Every DCOM answer ends with its HRESULT (the NDR of [out] ..., [out, retval] HRESULT).
    if len(stub) < 4:
        raise ValueError("an answer too short to hold its HRESULT")
    return int(struct.unpack_from("<L", stub, len(stub) - 4)[0])


_MEOW: Final = struct.pack("<L", 0x574F454D)


def _ipid_in(stub: bytes) -> bytes | None:
    """The IPID of the one interface pointer in an answer (``None`` when it holds none).

    OBJREF (MS-DCOM 2.2.18): signature 'MEOW', flags, IID (16), then STDOBJREF: flags,
    cPublicRefs, OXID (8), OID (8), IPID (16). Read with offsets: impacket's NDR reader costs
    milliseconds per answer, which a fleet of hosts pays thousands of times.
    """
    at = stub.find(_MEOW)
    if at < 0 or len(stub) < at + 64:
        return None
    flags = struct.unpack_from("<L", stub, at + 4)[0]
    if flags not in (dcomrt.FLAGS_OBJREF_STANDARD, dcomrt.FLAGS_OBJREF_EXTENDED):
        return None
    return stub[at + 48 : at + 64]


def exec_query(query: str) -> bytes:
    """The stub of IWbemServices::ExecQuery (opnum 20), semisynchronous, forward only."""
    return _fresh_cid(_exec_query(query))


@functools.lru_cache(maxsize=64)
def _exec_query(query: str) -> bytes:
    request = wmi.IWbemServices_ExecQuery()
    request["ORPCthis"] = _orpc_this()
    request["strQueryLanguage"]["asData"] = "WQL"
    request["strQuery"]["asData"] = query
    request["lFlags"] = wmi.WBEM_FLAG_RETURN_IMMEDIATELY | wmi.WBEM_FLAG_FORWARD_ONLY
    request["pCtx"] = NULL
    return bytes(request.getData())


def read_query(stub: bytes) -> int:
    """The HRESULT of an ExecQuery answer."""
    return _status(stub)
