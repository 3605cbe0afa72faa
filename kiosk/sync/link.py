"""The gate's link to its server from ``[server]``: client, token file, enrolment.

The gate token (``cgt_…``, made by ``central gate add NAME``) and the campus key the server
hands out at enrolment are kept in owner-only files in the data directory (design §6).
"""

from __future__ import annotations

import logging
import stat
from dataclasses import dataclass
from pathlib import Path

from kiosk.config import KioskConfig
from kiosk.errors import UserError
from kiosk.store.private import private_dir, write_private
from kiosk.store.secrets import fingerprint, install_campus_key, parse_key_file
from kiosk.store.store import campus_key_path
from kiosk.sync.clock import ClockSkew
from kiosk.sync.http import LinkSettings, ServerClient, ServerError

log = logging.getLogger(__name__)

ENROLMENT_PATH = "/api/v1/gate/enrolment"
MAX_TOKEN_CHARS = 200


class SyncSetupError(UserError):
    """Sync cannot start: no server URL, no token, a bad token or CA file."""

    label = "sync"


@dataclass(frozen=True)
class Enrolment:
    """What enrolment installed."""

    gate: str
    key_fingerprint: str
    key_installed: bool
    token_file: Path


def token_path(config: KioskConfig) -> Path:
    """Where the gate token lives (``server.token_file``, relative to the data directory)."""
    return config.secret_path(config.settings.server.token_file)


def read_token(path: Path) -> str:
    """The gate token in ``path`` (owner-only), or :class:`SyncSetupError` saying what to do."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SyncSetupError(
            f"no gate token at {path}; enrol the gate with `kiosk sync enroll`"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise SyncSetupError(f"{path}: not a file")
    if info.st_mode & 0o077:
        raise SyncSetupError(f"{path}: readable by group or others; chmod 600")
    return check_token(path.read_text(encoding="utf-8", errors="replace"), str(path))


def check_token(text: str, source: str) -> str:
    """A token as given (surrounding whitespace ignored); one printable word."""
    token = text.strip()
    if not token or len(token) > MAX_TOKEN_CHARS or not token.isprintable() or " " in token:
        raise SyncSetupError(f"{source}: expected a gate token such as cgt_…")
    return token


def write_token(path: Path, token: str) -> None:
    """Store ``token`` owner-only (0600; a missing directory is made 0700), replacing any
    older one."""
    private_dir(path.parent, tighten=False)
    write_private(path, (token + "\n").encode("utf-8"))


def link_settings(config: KioskConfig, token: str | None, url: str | None = None) -> LinkSettings:
    """The HTTP settings of ``[server]`` (``url`` overrides ``server.url``)."""
    s = config.settings.server
    ca_file = config.secret_path(s.ca_file) if s.ca_file else None
    if ca_file is not None and not ca_file.is_file():
        raise SyncSetupError(f"server.ca_file: {ca_file} is not a file")
    base = url or s.url
    if not base.startswith(("http://", "https://")):
        raise SyncSetupError(f"server.url: expected http:// or https://…, got {base!r}")
    return LinkSettings(
        base_url=base,
        token=token,
        connect_timeout_s=s.connect_timeout_s,
        read_timeout_s=s.timeout_s,
        retries=s.retries,
        backoff_s=s.backoff_s,
        backoff_max_s=s.backoff_max_s,
        ca_file=ca_file,
    )


def client_for(config: KioskConfig) -> ServerClient | None:
    """The client of ``[server]``, or None when no server is configured (offline gate)."""
    if not config.settings.server.url:
        return None
    token = read_token(token_path(config))
    skew = ClockSkew(config.settings.server.max_clock_skew_s)
    return ServerClient(link_settings(config, token), skew)


def enroll(config: KioskConfig, token: str, *, url: str | None = None) -> Enrolment:
    """Fetch the gate's enrolment with ``token``; install the campus key and store the token.

    The enrolment must name this gate (``gate.id``); a different campus key already
    installed is kept and reported (its HMACs would stop matching).
    """
    token = check_token(token, "gate token")
    client = ServerClient(link_settings(config, token, url))
    try:
        answer = client.get(ENROLMENT_PATH)
    except ServerError as exc:
        raise SyncSetupError(f"enrolment failed: {exc}") from exc
    finally:
        client.close()
    if not isinstance(answer, dict):
        raise SyncSetupError("enrolment failed: the server's answer is not an object")
    gate = str(answer.get("gate", ""))
    if gate != config.settings.gate.id:
        raise SyncSetupError(
            f"the token is for gate {gate!r}, but this kiosk is gate.id {config.settings.gate.id!r}"
        )
    key = parse_key_file(str(answer.get("campus_key", "")).encode(), "enrolment campus_key")
    if answer.get("campus_key_fingerprint") not in (None, fingerprint(key)):
        raise SyncSetupError("enrolment failed: the campus key does not match its fingerprint")
    installed = install_campus_key(campus_key_path(config), key)
    path = token_path(config)
    write_token(path, token)
    log.info("gate %s enrolled; token stored at %s", gate, path)
    return Enrolment(gate, fingerprint(key), installed, path)
