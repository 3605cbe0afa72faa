"""Resident ID card readers (SAM host protocol) on serial ports: framing, card text, port loop,
simulator."""

from drivers.device import DeviceState
from drivers.idcard.card import (
    CardDataError,
    CardError,
    CardKind,
    IdCard,
    UnsupportedCard,
    parse_text_block,
)
from drivers.idcard.factory import open_idcard_reader
from drivers.idcard.protocols import PROTOCOLS, IdCardProtocolError, SamProtocol, get_protocol
from drivers.idcard.reader import IdCardListener, IdCardReader
from drivers.idcard.simulator import PROFILES, IdCardSimulator

__all__ = [
    "PROFILES",
    "PROTOCOLS",
    "CardDataError",
    "CardError",
    "CardKind",
    "DeviceState",
    "IdCard",
    "IdCardListener",
    "IdCardProtocolError",
    "IdCardReader",
    "IdCardSimulator",
    "SamProtocol",
    "UnsupportedCard",
    "get_protocol",
    "open_idcard_reader",
    "parse_text_block",
]
