"""Typed settings loaded from TOML: one declaration per field, with default and one-line doc.

A section is a frozen dataclass whose fields carry their doc in ``metadata["doc"]`` (use
:func:`setting`). :func:`load_dataclass` checks every key and type against the declaration and
raises :class:`ConfigError` naming the file, the dotted key and what was expected, so a typo or
a half-written file never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
import types
import typing
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

from kiosk.errors import UserError

T = TypeVar("T")


class ConfigError(UserError, ValueError):
    """A configuration file is unreadable or holds a value of the wrong shape."""

    label = "configuration error"

    def __init__(self, file: str | Path, key: str, message: str) -> None:
        self.file = str(file)
        self.key = key
        self.message = message
        where = f"{self.file}: {key}: " if key else f"{self.file}: "
        super().__init__(where + message)


def setting(default: Any, doc: str, *, factory: bool = False) -> Any:
    """Declare a settings field with its default and a one-line doc."""
    if factory:
        return dataclasses.field(default_factory=default, metadata={"doc": doc})
    return dataclasses.field(default=default, metadata={"doc": doc})


def read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning I/O and syntax errors into :class:`ConfigError`."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(path, "", "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, "", f"not valid TOML ({exc})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            path, "", f"not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset {exc.start})"
        ) from None
    except OSError as exc:
        raise ConfigError(path, "", f"cannot read ({exc.strerror})") from None


def load_dataclass(cls: type[T], data: Any, file: str | Path, prefix: str = "") -> T:
    """Build dataclass ``cls`` from a TOML table, checking keys and types."""
    if not isinstance(data, dict):
        raise ConfigError(file, prefix or "(top level)", f"expected a table, got {_kind(data)}")
    hints = typing.get_type_hints(cls)
    fields = {toml_key(f): f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - set(fields))
    if unknown:
        key = _join(prefix, unknown[0])
        raise ConfigError(file, key, f"unknown key (known: {', '.join(sorted(fields))})")
    values: dict[str, Any] = {}
    for key, value in data.items():
        f = fields[key]
        values[f.name] = _convert(hints[f.name], value, file, _join(prefix, key))
    return cls(**values)


def toml_key(f: dataclasses.Field[Any]) -> str:
    """The key a field has in TOML (a field named after a keyword declares ``metadata["toml"]``)."""
    return str(f.metadata.get("toml", f.name))


def describe(cls: type[Any], prefix: str = "") -> list[tuple[str, str, Any, str]]:
    """List ``(key, type, default, doc)`` for every field, recursing into sections."""
    rows: list[tuple[str, str, Any, str]] = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        key = _join(prefix, toml_key(f))
        tp = hints[f.name]
        if dataclasses.is_dataclass(tp):
            rows.extend(describe(tp, key))  # type: ignore[arg-type]
            continue
        if f.default is not dataclasses.MISSING:
            default: Any = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = None
        rows.append((key, _type_name(tp), default, f.metadata.get("doc", "")))
    return rows


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _kind(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is Literal:
        return " | ".join(repr(a) for a in get_args(tp))
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_type_name(a) for a in get_args(tp))
    if origin is list:
        return f"list of {_type_name(get_args(tp)[0])}"
    if origin is dict:
        return f"table of {_type_name(get_args(tp)[1])}"
    if tp is type(None):
        return "none"
    return {int: "integer", float: "number", str: "string", bool: "boolean", dt.date: "date"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


def _convert(tp: Any, value: Any, file: str | Path, key: str) -> Any:
    origin = get_origin(tp)
    if dataclasses.is_dataclass(tp):
        return load_dataclass(tp, value, file, key)  # type: ignore[arg-type]
    if origin in (types.UnionType, typing.Union):
        args = get_args(tp)
        if value is None and type(None) in args:
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(arg, value, file, key)
            except ConfigError:
                continue
        raise ConfigError(file, key, f"expected {_type_name(tp)}, got {_kind(value)}")
    if origin is Literal:
        if value in get_args(tp):
            return value
        raise ConfigError(file, key, f"expected one of {_type_name(tp)}, got {value!r}")
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(file, key, f"expected {_type_name(tp)}, got {_kind(value)}")
        (item,) = get_args(tp)
        return [_convert(item, v, file, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(file, key, f"expected {_type_name(tp)}, got {_kind(value)}")
        _, item = get_args(tp)
        return {str(k): _convert(item, v, file, f"{key}.{k}") for k, v in value.items()}
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif tp is str:
        if isinstance(value, str) and "\x00" in value:
            raise ConfigError(file, key, "expected text without NUL characters")
        if isinstance(value, str):
            return value
    elif tp is dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise ConfigError(file, key, f"expected a date (YYYY-MM-DD), got {value!r}")
    else:  # pragma: no cover - a declaration error, not a user error
        raise TypeError(f"unsupported settings type {tp!r} for {key}")
    raise ConfigError(file, key, f"expected {_type_name(tp)}, got {_kind(value)} {value!r}")
