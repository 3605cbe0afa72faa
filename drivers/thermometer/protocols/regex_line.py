"""Configurable ASCII line protocol: a regular expression with named groups ``object`` and
(optionally) ``ambient``. No such device is documented; configure it from the vendor sheet."""

from __future__ import annotations

import re

from drivers.thermometer.frames import Frame, FrameParser, Item, LineParser
from drivers.thermometer.options import OptionReader, ProtocolOptionError
from drivers.thermometer.protocols.base import ThermometerProtocol, poll_interval

DEFAULT_PATTERN = (
    r"^\s*T\s*[:=]\s*(?P<object>[-+]?\d+(?:\.\d+)?)"
    r"(?:\s*[,;]\s*A\s*[:=]\s*(?P<ambient>[-+]?\d+(?:\.\d+)?))?\s*$"
)
DEFAULT_SIM_LINE = "T:{object:.2f},A:{ambient:.2f}\r\n"


class RegexLineParser(LineParser):
    """Lines matching the pattern become frames; other lines are ignored."""

    def __init__(self, protocol: RegexLine) -> None:
        super().__init__(line_end=protocol.line_end, encoding=protocol.encoding)
        self.protocol = protocol

    def parse_line(self, line: str) -> Item | None:
        """A frame for a matching line, else None (counted as discarded)."""
        match = self.protocol.pattern.search(line)
        if match is None:
            return None
        ambient = match.groupdict().get("ambient")
        return Frame(
            object_c=float(match["object"]),
            ambient_c=float(ambient) if ambient is not None else None,
            is_body=self.protocol.body,
        )


class RegexLine(ThermometerProtocol):
    """Settings of a line-oriented ASCII thermometer."""

    name = "regex"
    default_baud = 9600

    def __init__(
        self,
        pattern: str = DEFAULT_PATTERN,
        encoding: str = "ascii",
        line_end: str = "\n",
        body: bool = False,
        poll: str = "",
        poll_interval_s: float = 0.2,
        sim_line: str = DEFAULT_SIM_LINE,
    ) -> None:
        try:
            self.pattern = re.compile(pattern)
        except re.error as exc:
            raise ProtocolOptionError(
                f"regex option 'pattern': not a valid pattern ({exc})"
            ) from None
        if "object" not in self.pattern.groupindex:
            raise ProtocolOptionError("regex option 'pattern': needs a named group (?P<object>…)")
        try:
            self.line_end = line_end.encode(encoding)
        except LookupError:
            raise ProtocolOptionError(f"regex option 'encoding': unknown {encoding!r}") from None
        if not self.line_end:
            raise ProtocolOptionError("regex option 'line_end': must not be empty")
        self.encoding = encoding
        self.body = body
        self.poll = poll.encode(encoding)
        self.poll_interval_s = poll_interval_s if poll else None
        self.sim_line = sim_line

    @property
    def reports_body(self) -> bool:  # type: ignore[override]
        """Whether the values are already body temperature (option ``body``)."""
        return self.body

    @classmethod
    def from_options(cls, reader: OptionReader) -> RegexLine:
        """Options: pattern, encoding (ascii), line_end (\\n), body (false), poll (command
        to send; empty = device streams), poll_hz (5), sim_line (simulator's format)."""
        return cls(
            pattern=reader.raw("pattern", DEFAULT_PATTERN),
            encoding=reader.text("encoding", "ascii"),
            line_end=reader.text("line_end", "\n"),
            body=reader.flag("body", False),
            poll=reader.text("poll", ""),
            poll_interval_s=poll_interval(reader),
            sim_line=reader.text("sim_line", DEFAULT_SIM_LINE),
        )

    def new_parser(self) -> FrameParser:
        """A fresh parser."""
        return RegexLineParser(self)

    def poll_command(self) -> bytes:
        """The configured poll command (if any)."""
        return self.poll
