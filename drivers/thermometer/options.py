"""Reading protocol options (string key/value pairs from kiosk.toml or the command line)."""

from __future__ import annotations

import codecs
from collections.abc import Mapping


class ProtocolOptionError(ValueError):
    """A protocol name or option is unknown or has a value of the wrong shape."""


class OptionReader:
    """Typed access to ``options``; unknown keys are reported by :meth:`check_all_used`."""

    def __init__(self, protocol: str, options: Mapping[str, str]) -> None:
        self.protocol = protocol
        self.options = dict(options)
        self._used: set[str] = set()

    def text(self, key: str, default: str) -> str:
        """A string option; backslash escapes such as ``\\r\\n`` are decoded."""
        self._used.add(key)
        value = str(self.options.get(key, default))
        return codecs.decode(value, "unicode_escape") if "\\" in value else value

    def raw(self, key: str, default: str) -> str:
        """A string option taken literally (regular expressions)."""
        self._used.add(key)
        return str(self.options.get(key, default))

    def integer(self, key: str, default: int) -> int:
        """An integer option; ``0x12`` style hexadecimal is accepted."""
        self._used.add(key)
        value = self.options.get(key)
        if value is None:
            return default
        try:
            return int(str(value), 0)
        except ValueError:
            raise self._error(key, "an integer", value) from None

    def number(self, key: str, default: float) -> float:
        """A decimal option."""
        self._used.add(key)
        value = self.options.get(key)
        if value is None:
            return default
        try:
            return float(value)
        except ValueError:
            raise self._error(key, "a number", value) from None

    def flag(self, key: str, default: bool) -> bool:
        """A boolean option: true/false, yes/no, 1/0, on/off."""
        self._used.add(key)
        value = self.options.get(key)
        if value is None:
            return default
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "on"):
            return True
        if text in ("0", "false", "no", "off"):
            return False
        raise self._error(key, "true or false", value)

    def check_all_used(self) -> None:
        """Raise for keys no protocol field asked for (typos)."""
        unknown = sorted(set(self.options) - self._used)
        if unknown:
            known = ", ".join(sorted(self._used)) or "none"
            raise ProtocolOptionError(
                f"{self.protocol}: unknown option {unknown[0]!r} (known: {known})"
            )

    def _error(self, key: str, expected: str, value: object) -> ProtocolOptionError:
        return ProtocolOptionError(
            f"{self.protocol} option {key!r}: expected {expected}, got {value!r}"
        )
