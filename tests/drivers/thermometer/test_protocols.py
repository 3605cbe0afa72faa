"""Protocol parsers, table-driven with every example frame of the protocol reference."""

from __future__ import annotations

import pytest

from drivers.serial_link.checksums import append_crc16, crc16_modbus, sum8
from drivers.serial_link.modbus_rtu import read_request
from drivers.thermometer import ErrorFrame, Frame, ProtocolOptionError, make_protocol
from drivers.thermometer.protocols import gy_mcu90614 as gy
from drivers.thermometer.protocols import idc50

H = bytes.fromhex


def feed_chunks(name: str, data: bytes, chunk: int = 1, **options: str) -> tuple[list, object]:
    parser = make_protocol(name, options).new_parser()
    items = []
    for i in range(0, len(data), chunk):
        items += parser.feed(data[i : i + chunk])
    return items, parser


# ---- checksums ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("frame", "crc"),
    [
        ("01 03 00 00 00 02", "C4 0B"),  # [DOC] reference test vector
        ("01 03 00 12 00 01", "24 0F"),  # [CALC] PyroUSB read 0x12
        ("01 03 02 01 6D", "78 39"),  # [CALC] reply 36.5 °C
        ("40 03 10 06 00 01", "6F DA"),  # [DOC] Hukseflux SR05
        ("01 05 00 00 FF 00", "8C 3A"),  # [DOC] write coil
    ],
)
def test_crc16_modbus_vectors(frame: str, crc: str) -> None:
    assert append_crc16(H(frame)) == H(frame) + H(crc)


def test_crc16_check_value() -> None:
    assert crc16_modbus(b"123456789") == 0x4B37


def test_sum8() -> None:
    assert sum8(H("AA 55 06 24 07")) == 0x30


# ---- documented and computed example frames ---------------------------------------------
EXAMPLES = [
    # protocol, bytes, expected frame            tag
    ("gy-mcu90614", "5A 5A 45 04 0C 78 0D 19 A7", Frame(31.92, 33.53)),  # [DOC]
    ("gy-mcu90614", "5A 5A 45 04 0E 44 09 CE 26", Frame(36.52, 25.10)),  # [CALC]
    ("gy-mcu90614", "5A 5A 45 04 FE 0C 07 D0 DE", Frame(-5.00, 20.00)),  # [CALC]
    ("idc50", "AA 55 06 24 07 30", Frame(36.7, None, is_body=True)),  # [DOC]
    ("modbus-rtu", "01 03 06 01 6D 01 6E 00 FA " + "XX", Frame(36.5, 25.0)),
    ("mlx-stick", "mv:3A:00012345:25.31,36.48\r\n", Frame(36.48, 25.31)),  # [DOC, constructed]
    ("mlx-stick", "@3A:90632:mv:00012345:25.31,36.48\r\n", Frame(36.48, 25.31)),
    ("regex", "T:36.5\r\n", Frame(36.5)),
    ("regex", "T:36.50,A:24.10\r\n", Frame(36.5, 24.1)),
]


def _bytes(text: str) -> bytes:
    if text.endswith("XX"):  # complete a Modbus reply with its CRC
        return append_crc16(H(text[:-2]))
    if text[:2] in ("5A", "AA"):
        return H(text)
    return text.encode()


@pytest.mark.parametrize(("name", "text", "expected"), EXAMPLES)
@pytest.mark.parametrize("chunk", [1, 4, 64])
def test_example_frames(name: str, text: str, expected: Frame, chunk: int) -> None:
    items, parser = feed_chunks(name, _bytes(text), chunk)
    assert items == [expected]
    assert parser.bad_frames == 0  # type: ignore[attr-defined]


def test_pyrousb_single_register_reply() -> None:
    """[CALC] request ``01 03 00 12 00 01 24 0F`` and reply ``01 03 02 01 6D 78 39``."""
    proto = make_protocol("modbus-rtu", {"ambient_register": "none"})
    assert proto.poll_command() == H("01 03 00 12 00 01 24 0F")
    assert proto.new_parser().feed(H("01 03 02 01 6D 78 39")) == [Frame(36.5, None)]


def test_modbus_default_request_covers_object_and_ambient() -> None:
    assert make_protocol("modbus-rtu").poll_command() == read_request(1, 3, 0x12, 3)


def test_modbus_exception_reply_is_an_error_frame() -> None:
    parser = make_protocol("modbus-rtu").new_parser()
    assert parser.feed(append_crc16(H("01 83 02"))) == [
        ErrorFrame("Modbus exception 0x02 (illegal data address)")
    ]


def test_modbus_signed_and_input_registers() -> None:
    proto = make_protocol(
        "modbus-rtu",
        {"function": "4", "register": "0x40", "ambient_register": "none", "scale": "0.01"},
    )
    assert proto.poll_command() == read_request(1, 4, 0x40, 1)
    reply = append_crc16(H("01 04 02 FE 0C"))  # -500
    assert proto.new_parser().feed(reply) == [Frame(-5.0)]
    unsigned = make_protocol("modbus-rtu", {"signed": "false", "ambient_register": "none"})
    assert unsigned.new_parser().feed(append_crc16(H("01 03 02 FE 0C"))) == [Frame(6503.6)]


def test_modbus_other_slave_is_ignored() -> None:
    parser = make_protocol("modbus-rtu", {"slave": "2", "ambient_register": "none"}).new_parser()
    other = append_crc16(H("01 03 02 01 6D"))
    mine = append_crc16(H("02 03 02 01 6E"))
    assert parser.feed(other + mine) == [Frame(36.6)]


# ---- resync, noise, bad checksums --------------------------------------------------------
GY_A = H("5A 5A 45 04 0C 78 0D 19 A7")
GY_B = H("5A 5A 45 04 0E 44 09 CE 26")


@pytest.mark.parametrize("chunk", [1, 3, 100])
def test_gy_noise_bad_checksum_and_5a_in_data(chunk: int) -> None:
    bad = GY_B[:-1] + b"\x00"
    fake_header = H("5A 5A 5A")  # 0x5A inside garbage and a header shifted by one byte
    emissivity = gy.HEADER + H("25 02 00 5F") + bytes([sum8(gy.HEADER + H("25 02 00 5F"))])
    data = H("00 FF 5A") + GY_A + bad + fake_header + GY_B + emissivity + H("5A") + GY_A
    items, parser = feed_chunks("gy-mcu90614", data, chunk)
    assert items == [Frame(31.92, 33.53), Frame(36.52, 25.10), Frame(31.92, 33.53)]
    assert parser.bad_frames == 1  # type: ignore[attr-defined]


def test_gy_data_full_of_5a() -> None:
    frame = gy.encode_frame(232.90, 232.90)  # 0x5AF8 in both values
    assert frame[4] == 0x5A and frame[6] == 0x5A
    items, _ = feed_chunks("gy-mcu90614", b"\x5a" + frame + frame, 1)
    assert items == [Frame(232.9, 232.9)] * 2


def test_gy_host_commands() -> None:
    assert gy.QUERY == H("A5 15 BA")
    assert gy.CONTINUOUS == H("A5 45 EA")
    assert make_protocol("gy-mcu90614").init_command() == gy.CONTINUOUS
    query = make_protocol("gy-mcu90614", {"query": "true"})
    assert query.poll_command() == gy.QUERY and query.poll_interval_s == pytest.approx(0.2)


def test_idc50_noise_and_bad_checksum() -> None:
    good = H("AA 55 06 24 07 30")
    data = H("AA AA 55 00") + good[:-1] + b"\x31" + H("55 AA") + good + idc50.encode_frame(38.2)
    items, parser = feed_chunks("idc50", data, 1)
    assert items == [Frame(36.7, is_body=True), Frame(38.2, is_body=True)]
    assert parser.bad_frames == 1  # type: ignore[attr-defined]


def test_modbus_bad_crc_resyncs() -> None:
    good = append_crc16(H("01 03 06 01 6D 01 6E 00 FA"))
    bad = good[:-1] + bytes([good[-1] ^ 1])
    items, parser = feed_chunks("modbus-rtu", H("00 01") + bad + good, 1)
    assert items == [Frame(36.5, 25.0)]
    assert parser.bad_frames == 1  # type: ignore[attr-defined]


def test_mlx_fail_lines_and_other_lines() -> None:
    data = b"scan:3A:90632,MLX90632\r\nmv:3A:FAIL: no ack\r\nmv:3A:00000100:24.00,35.90\r\n"
    items, _ = feed_chunks("mlx-stick", data, 5)
    assert items == [ErrorFrame("mv:3A:FAIL: no ack"), Frame(35.9, 24.0)]
    assert make_protocol("mlx-stick").poll_command() == b"mv:3A\n"


def test_regex_custom_pattern_encoding_and_line_end() -> None:
    options = {
        "pattern": r"TEMP=(?P<object>\d+\.\d) AMB=(?P<ambient>\d+\.\d)",
        "line_end": "\\r",
        "body": "true",
    }
    items, _ = feed_chunks("regex", b"junk\rTEMP=36.9 AMB=22.5\r", 2, **options)
    assert items == [Frame(36.9, 22.5, is_body=True)]


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("nope", {}, "unknown thermometer protocol"),
        ("gy-mcu90614", {"qeury": "true"}, "unknown option 'qeury'"),
        ("gy-mcu90614", {"poll_hz": "20"}, "at most 10"),
        ("modbus-rtu", {"slave": "x"}, "expected an integer"),
        ("modbus-rtu", {"function": "6"}, "expected 3 or 4"),
        ("modbus-rtu", {"scale": "0"}, "option 'scale'"),  # killed the reader thread
        ("modbus-rtu", {"scale": "nan"}, "option 'scale'"),
        ("modbus-rtu", {"scale": "1e-320"}, "option 'scale'"),
        ("modbus-rtu", {"register": "0x10000", "ambient_register": "none"}, "0-0xffff"),
        ("regex", {"pattern": "T:(\\d+)"}, "(?P<object>"),
        ("mlx-stick", {"address": "XYZ"}, "two hex digits"),
    ],
)
def test_bad_protocol_options(name: str, options: dict[str, str], message: str) -> None:
    with pytest.raises(ProtocolOptionError, match=None) as info:
        make_protocol(name, options)
    assert message in str(info.value)
