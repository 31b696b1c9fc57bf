"""Examples from the fact sheet (../shared/facts/remote-wmi.md §9.1, §10) and the issue text."""

from __future__ import annotations

import pytest

import wmireach
from wmireach import HResult, InvalidCode, Reading, Severity, candidates, decode

# facts §9.1: (HRESULT, signed decimal, a symbolic name the code has)
FACT_SHEET_9_1 = [
    (0x800706BA, -2147023174, "RPC_S_SERVER_UNAVAILABLE"),
    (0x80070005, -2147024891, "E_ACCESSDENIED"),
    (0x8007000E, -2147024882, "E_OUTOFMEMORY"),
    (0x80041003, -2147217405, "WBEM_E_ACCESS_DENIED"),
    (0x80070776, -2147022986, "OR_INVALID_OXID"),
    (0x800706BE, -2147023170, "RPC_S_CALL_FAILED"),
    (0x80070721, -2147023071, "RPC_S_SEC_PKG_ERROR"),
    (0x800706B5, -2147023179, "RPC_S_UNKNOWN_IF"),
    (0x80080005, -2146959355, "CO_E_SERVER_EXEC_FAILURE"),
    (0x8007052E, -2147023570, "ERROR_LOGON_FAILURE"),
    (0x80041064, -2147217308, "WBEM_E_LOCAL_CREDENTIALS"),
    (0x8004100E, -2147217394, "WBEM_E_INVALID_NAMESPACE"),
    (0x80041010, -2147217392, "WBEM_E_INVALID_CLASS"),
    (0x80041013, -2147217389, "WBEM_E_PROVIDER_LOAD_FAILURE"),
    (0x80041033, -2147217357, "WBEM_E_SHUTTING_DOWN"),
    (0x80041015, -2147217387, "WBEM_E_TRANSPORT_FAILURE"),
    (0x80041002, -2147217406, "WBEM_E_NOT_FOUND"),
    (0x80041004, -2147217404, "WBEM_E_PROVIDER_FAILURE"),
    (0x80041062, -2147217310, "WBEM_E_PRIVILEGE_NOT_HELD"),
    (0x80041087, -2147217273, "WBEM_E_ENCRYPTED_CONNECTION_REQUIRED"),
    (0x800706D9, -2147023143, "EPT_S_NOT_REGISTERED"),
    (0x8001011B, -2147417829, "RPC_E_ACCESS_DENIED"),
]


@pytest.mark.parametrize(("value", "signed", "name"), FACT_SHEET_9_1)
def test_fact_sheet_codes_decode_in_every_form(value: int, signed: int, name: str) -> None:
    for spelling in (value, signed, hex(value), f"{value:08x}", str(signed), str(value), name):
        hr = decode(spelling)
        assert hr.value == value, spelling
        assert hr.signed == signed
        assert name in hr.names
    assert decode(name).name == name


@pytest.mark.parametrize(("value", "signed", "name"), FACT_SHEET_9_1)
def test_fact_sheet_codes_have_messages(value: int, signed: int, name: str) -> None:
    assert decode(value).message


@pytest.mark.parametrize(
    ("value", "facility", "code", "facility_name"),
    [  # facts §10.6
        (0x800706BA, 7, 1722, "FACILITY_WIN32"),
        (0x80080005, 8, 5, "FACILITY_WINDOWS"),
        (0x80041003, 4, 4099, "FACILITY_ITF"),
    ],
)
def test_layout_sanity_checks(value: int, facility: int, code: int, facility_name: str) -> None:
    hr = HResult(value)
    assert (hr.facility.value, hr.code, hr.facility.name) == (facility, code, facility_name)
    assert hr.s and not (hr.r or hr.c or hr.n or hr.x)
    assert hr.severity is Severity.ERROR
    assert hr.failed


def test_issue_spellings_of_rpc_server_unavailable() -> None:
    spellings = [
        0x800706BA,
        -2147023174,
        "0x800706BA",
        "800706ba",
        "0x6BA",
        "-2147023174",
        "2147944122",
        "RPC_S_SERVER_UNAVAILABLE",
        "rpc_s_server_unavailable",
        "1722",
    ]
    assert {decode(s).value for s in spellings} == {0x800706BA}


@pytest.mark.parametrize(
    ("text", "value", "name"),
    [
        ("E_ACCESSDENIED", 0x80070005, "E_ACCESSDENIED"),
        ("e_accessdenied", 0x80070005, "E_ACCESSDENIED"),
        ("WBEM_E_ACCESS_DENIED", 0x80041003, "WBEM_E_ACCESS_DENIED"),
        ("rpc_s_access_denied", 0x80070005, "rpc_s_access_denied"),
        ("STATUS_ACCESS_DENIED", 0xC0000022, "STATUS_ACCESS_DENIED"),
        (
            'Exception calling "Get": "The RPC server is unavailable. (Exception from HRESULT: '
            '0x800706BA)"',
            0x800706BA,
            "RPC_S_SERVER_UNAVAILABLE",
        ),
        (
            "(-2147352567, 'Exception occurred.', (0, 'SWbemLocator', 'Access is denied. ', None, "
            "0, -2147024891), None)",
            0x80070005,
            "E_ACCESSDENIED",
        ),
        (
            "DCOM SessionError: code: 0x80041003 - WBEM_E_ACCESS_DENIED - Access denied",
            0x80041003,
            "WBEM_E_ACCESS_DENIED",
        ),
        ("DCERPC Runtime Error: code: 0x5 - rpc_s_access_denied", 0x80070005, "E_ACCESSDENIED"),
        ("Unknown DCE RPC fault status code: 00000721", 0x80070721, "RPC_S_SEC_PKG_ERROR"),
        (
            "ERROR: Login failed for Administrator. NT code 0x80010111",
            0x80010111,
            "RPC_E_INVALID_HEADER",
        ),
        ("WBEM_E_ACCESS_DENIED (2147749891)", 0x80041003, "WBEM_E_ACCESS_DENIED"),
        ("SWbemLocator: The RPC server is unavailable.", 0x800706BA, "RPC_S_SERVER_UNAVAILABLE"),
        (
            "Error 0x80041003: Access denied\r\nSource: SWbemServicesEx",
            0x80041003,
            "WBEM_E_ACCESS_DENIED",
        ),
        ("[WinError 5] Access is denied", 0x80070005, "E_ACCESSDENIED"),
        ("Description = Access is denied.", 0x80070005, "E_ACCESSDENIED"),
        ("System error 1722 has occurred.", 0x800706BA, "RPC_S_SERVER_UNAVAILABLE"),
    ],
)
def test_messages_as_tools_print_them(text: str, value: int, name: str) -> None:
    hr = decode(text)
    assert (hr.hex, hr.name) == (f"0x{value:08X}", name)


def test_small_numbers_are_win32_first_and_say_so() -> None:
    hr = decode(5)
    assert hr.value == 0x80070005
    assert hr.reading is Reading.WIN32
    assert "Win32 error 5" in hr.note
    assert [c.value for c in candidates("5")] == [0x80070005, 5]
    assert decode("0x6BA").win32 == 1722


def test_eight_decimal_digits_read_as_hex_first_with_decimal_among_candidates() -> None:
    readings = candidates("80070005")
    assert readings[0].value == 0x80070005
    assert 80070005 in [r.value for r in readings]


def test_ntstatus_raw_and_mapped() -> None:
    raw, mapped = decode(0xC0000022), decode(0xD0000022)  # facts §10.4
    assert raw.ntstatus == mapped.ntstatus == 0xC0000022
    assert "STATUS_ACCESS_DENIED" in raw.names and "STATUS_ACCESS_DENIED" in mapped.names
    assert mapped.n and not raw.n
    assert raw.severity is Severity.ERROR
    assert wmireach.from_ntstatus(0xC0000022) == 0xD0000022


def test_win32_mapping_follows_hresult_from_win32() -> None:
    assert wmireach.from_win32(0) == 0
    assert wmireach.from_win32(1722) == 0x800706BA
    assert wmireach.from_win32(0x80070005) == 0x80070005  # already an HRESULT: unchanged


def test_unknown_values_are_data() -> None:
    hr = HResult(0x2ABC1234)
    assert hr.name is None and hr.names == () and hr.message is None and not hr.known
    assert hr.c  # a customer code


def test_success_codes() -> None:
    assert decode(0).name == "S_OK"
    assert decode(0).severity is Severity.SUCCESS
    assert decode("S_FALSE").value == 1


def test_equality_is_by_value_only() -> None:
    assert decode("5") == decode("E_ACCESSDENIED") == HResult(0x80070005)
    assert hash(decode(5)) == hash(HResult(0x80070005))
    assert repr(decode(5)) == "HResult(value=0x80070005)"
    assert eval(repr(decode(5)), {"HResult": HResult}) == decode(5)


def test_exception_objects_from_other_libraries() -> None:
    class SessionError(Exception):  # impacket's DCERPCException keeps error_code
        def __init__(self, code: int) -> None:
            super().__init__(f"code: {code:#x}")
            self.error_code = code

    class com_error(Exception):  # pywin32 keeps hresult
        hresult = -2147352567

    assert decode(SessionError(0x80041003)).name == "WBEM_E_ACCESS_DENIED"
    assert decode(com_error()).value == 0x80020009
    assert decode(OSError(5, "Access is denied")).value == 0x80070005
    err = com_error(
        -2147352567, "Exception occurred.", (0, "SWbemLocator", "x", None, 0, -2147024891)
    )
    err.hresult = None  # type: ignore[assignment]
    assert decode(err).value == 0x80070005
    assert (
        decode((-2147352567, "Exception occurred.", (0, "x", "y", None, 0, -2147217405))).value
        == 0x80041003
    )


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "not a code",
        "0xZZ",
        "4294967296",
        "-2147483649",
        "0x123456789",
        "NO_SUCH_NAME_XYZ",
        b"\xff\xfe",
        3.5,
        None,
        True,
        [],
        2**32,
        -(2**31) - 1,
    ],
)
def test_malformed_input_raises_invalid_code_naming_the_input(bad: object) -> None:
    with pytest.raises(InvalidCode) as info:
        decode(bad)
    assert "Accepted:" in str(info.value)
    assert info.value.given is bad or info.value.given == bad
    assert isinstance(info.value, ValueError)


def test_unknown_name_suggests_close_names() -> None:
    with pytest.raises(InvalidCode, match=r"did you mean .*E_ACCESSDENIED"):
        decode("E_ACCESDENIED")


def test_hresult_rejects_out_of_range_values() -> None:
    with pytest.raises(InvalidCode):
        HResult(-1)
    with pytest.raises(InvalidCode):
        HResult(1 << 32)


def test_dce_fault_codes_are_not_ntstatus() -> None:
    hr = decode("nca_s_op_rng_error")
    assert hr.value == 0x1C010002
    assert hr.ntstatus is None and hr.x and hr.n
    assert hr.message


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("The call failed with 0x800706BE.", ["0x800706BE"]),
        ("System error 5: Access is denied.", ["5"]),
        ("Returned 2147749891, then -2147024891.", ["2147749891", "-2147024891"]),
        ("version 0x80070005.1 and 10:01:02 and 1234567890.5 and C0000022-1234-5678", []),
    ],
)
def test_sentence_punctuation_after_a_code(text: str, found: list[str]) -> None:
    assert [m.text for m in wmireach.find_codes(text)] == found
