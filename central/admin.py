"""Admin functions on gates, tokens, registry records and issuer keys (transport-free).

The API (``central/api``), the ``central`` CLI and the web pages call these; every change is
audited with the actor's name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update

from central import registry
from central.context import AUDIT, Central, CentralError, Conflict, NotFound
from central.models import AdminTokenRow, DecisionRow, GateRow, table
from central.tokens import ADMIN_PREFIX, GATE_PREFIX, new_token, token_hash
from kiosk.core.credentials.keys import SigningKey
from kiosk.core.registry import TrustKey
from kiosk.store import wire
from kiosk.store.csv_import import CSV_KINDS, read_csv
from kiosk.store.db import read_connection, write_connection
from kiosk.store.schemas import RecordError, to_record
from kiosk.store.secrets import fingerprint

GATES = table(GateRow)
ADMINS = table(AdminTokenRow)
DECISIONS = table(DecisionRow)
NAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")
WORKFLOW_KINDS = frozenset({"visit_approvals"})
"""Kinds written only by the visit workflow (central/workflow.py), never directly."""
ISSUER = "campus"
ISSUER_PREFIXES = ("VA1",)


def _name(value: str, what: str) -> str:
    if not NAME.match(value):
        raise CentralError(
            f"{what}: expected 1–32 letters, digits, '.', '_' or '-' (starting with a letter or"
            f" digit), got {value!r}"
        )
    return value


def add_gate(central: Central, name: str, actor: str) -> str:
    """Enrol a gate; returns its token (shown once, stored hashed)."""
    _name(name, "gate name")
    token = new_token(GATE_PREFIX)
    with write_connection(central.engine) as conn, conn.begin():
        if conn.scalar(select(GATES.c.id).where(GATES.c.name == name)) is not None:
            raise Conflict(f"gate {name!r} exists; use `central gate token {name}` for a new token")
        conn.execute(
            insert(GATES).values(
                name=name,
                token_hash=token_hash(token),
                created_at=central.now(),
                chain_status="empty",
                received=0,
                contiguous_to=0,
            )
        )
        central.audit(conn, actor, "gate_add", gate=name)
    return token


def new_gate_token(central: Central, name: str, actor: str) -> str:
    """Replace a gate's token (the old one stops working at once); returns the new one."""
    token = new_token(GATE_PREFIX)
    with write_connection(central.engine) as conn, conn.begin():
        result = conn.execute(
            update(GATES)
            .where(GATES.c.name == name)
            .values(token_hash=token_hash(token), revoked_at=None)
        )
        if not result.rowcount:
            raise NotFound(f"no gate {name!r}")
        central.audit(conn, actor, "gate_token", gate=name)
    return token


def revoke_gate(central: Central, name: str, actor: str) -> None:
    """Revoke a gate's token: it gets 401 from now on; its log stays."""
    with write_connection(central.engine) as conn, conn.begin():
        result = conn.execute(
            update(GATES)
            .where(GATES.c.name == name)
            .values(token_hash=None, revoked_at=central.now())
        )
        if not result.rowcount:
            raise NotFound(f"no gate {name!r}")
        central.audit(conn, actor, "gate_revoke", gate=name)


def add_admin(central: Central, name: str, actor: str) -> str:
    """Make an admin token named ``name`` (shown once, stored hashed)."""
    _name(name, "admin name")
    token = new_token(ADMIN_PREFIX)
    with write_connection(central.engine) as conn, conn.begin():
        if conn.scalar(select(ADMINS.c.id).where(ADMINS.c.name == name)) is not None:
            raise Conflict(f"admin {name!r} exists")
        conn.execute(
            insert(ADMINS).values(name=name, token_hash=token_hash(token), created_at=central.now())
        )
        central.audit(conn, actor, "admin_add", admin=name)
    return token


def gate_statuses(central: Central) -> list[dict[str, Any]]:
    """Every gate: last contact, backlog it reported, registry version, chain status."""
    with read_connection(central.engine) as conn:
        rows = conn.execute(select(GATES).order_by(GATES.c.name)).all()
    return [
        {
            "gate": r.name,
            "enrolled_at": _iso(r.created_at),
            "revoked": r.token_hash is None,
            "last_contact_at": _iso(r.last_contact_at),
            "backlog": r.backlog,
            "registry_version": r.registry_version,
            "chain_status": r.chain_status,
            "received": r.received,
            "contiguous_to": r.contiguous_to,
        }
        for r in rows
    ]


def gate_id(central: Central, name: str) -> int:
    """The id of gate ``name`` (``NotFound``)."""
    with read_connection(central.engine) as conn:
        found = conn.scalar(select(GATES.c.id).where(GATES.c.name == name))
    if found is None:
        raise NotFound(f"no gate {name!r}")
    return int(found)


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def campus_key_info(central: Central) -> dict[str, str]:
    """The campus key as enrolment hands it out."""
    key = central.keys.campus_key()
    return {"campus_key": key.hex(), "campus_key_fingerprint": fingerprint(key)}


# --- registry records ------------------------------------------------------------------------


def _writable(kind: str) -> None:
    if kind not in wire.KINDS:
        raise NotFound(f"unknown registry kind {kind!r} (one of {', '.join(wire.KINDS)})")
    if kind in WORKFLOW_KINDS:
        raise CentralError(f"{kind} are made by filing and approving visits, not written directly")


def put_records(central: Central, kind: str, rows: Sequence[Mapping[str, Any]], actor: str) -> int:
    """Validate rows with the kind's schema (raw ID numbers become HMACs here) and store them
    all, or none when one is bad (``CentralError`` naming the row and field)."""
    _writable(kind)
    key = central.keys.campus_key()
    records = []
    for i, row in enumerate(rows):
        try:
            records.append(to_record(kind, row, tz=central.tz, key=key))
        except RecordError as exc:
            raise CentralError(f"{kind}[{i}]: {exc}") from None
    with write_connection(central.engine) as conn, conn.begin():
        now = central.now()
        report = registry.write(conn, now, upsert={kind: records})
        registry.mark_source(conn, [kind], now)
        central.audit(conn, actor, "records_put", kind=kind, count=len(records))
    return report.upserted.get(kind, 0)


def delete_records(
    central: Central, kind: str, keys: Sequence[Mapping[str, Any]], actor: str
) -> int:
    """Delete records by natural key (feed form); returns how many existed."""
    _writable(kind)
    try:
        typed = [wire.row_key(kind, k) for k in keys]
    except ValueError as exc:
        raise CentralError(str(exc)) from None
    with write_connection(central.engine) as conn, conn.begin():
        now = central.now()
        report = registry.write(conn, now, delete_keys={kind: typed})
        registry.mark_source(conn, [kind], now)
        central.audit(conn, actor, "records_delete", kind=kind, count=len(typed))
    return report.deleted.get(kind, 0)


def list_records(central: Central, kind: str) -> list[dict[str, Any]]:
    """Every record of ``kind`` in feed form."""
    if kind not in wire.KINDS:
        raise NotFound(f"unknown registry kind {kind!r} (one of {', '.join(wire.KINDS)})")
    with read_connection(central.engine) as conn:
        return [wire.record_row(r) for r in registry.records(conn, kind)]


def import_csv(central: Central, csv_kind: str, path: Path, actor: str) -> int:
    """Import a registry CSV file (``docs/registry-csv.md``) in one transaction."""
    if csv_kind not in CSV_KINDS:
        raise CentralError(f"unknown CSV kind {csv_kind!r} (one of {', '.join(CSV_KINDS)})")
    kind = CSV_KINDS[csv_kind].record_kind.name
    _writable(kind)
    records = read_csv(CSV_KINDS[csv_kind], path, central.keys.campus_key(), central.tz)
    with write_connection(central.engine) as conn, conn.begin():
        now = central.now()
        registry.write(conn, now, upsert={kind: records})
        registry.mark_source(conn, [kind], now)
        central.audit(conn, actor, "csv_import", kind=kind, file=path.name, count=len(records))
    return len(records)


def registry_counts(central: Central) -> dict[str, int]:
    """Live records per kind."""
    with read_connection(central.engine) as conn:
        return registry.counts(conn)


def registry_sources(central: Central) -> list[dict[str, Any]]:
    """Per kind: live records and when its source last delivered it (``None``: never, or
    the server is its source), what the feed reports to gates (R15)."""
    with read_connection(central.engine) as conn:
        counts = registry.counts(conn)
        sources = registry.source_times(conn)
    return [
        {"kind": kind, "records": counts.get(kind, 0), "source_at": sources.get(kind)}
        for kind in wire.KINDS
    ]


# --- issuer keys -----------------------------------------------------------------------------


def _trust_record(key: SigningKey, since: dt.datetime) -> TrustKey:
    return TrustKey(key.kid, key.alg, key.public_der(), ISSUER, since, None, ISSUER_PREFIXES)


def ensure_issuer(central: Central) -> bool:
    """Make the first issuer key and publish it in the trust list; True if one was made."""
    if central.keys.has_signing_key():
        return False
    key = central.keys.new_signing_key()
    record = TrustKey(
        key.kid, key.alg, key.public_der(), ISSUER, central.now(), None, ISSUER_PREFIXES
    )
    with write_connection(central.engine) as conn, conn.begin():
        registry.write(conn, central.now(), upsert={"trust_keys": [record]})
        central.audit(conn, "server", "issuer_key_add", kid=key.kid.hex())
    return True


def rotate_issuer_key(central: Central, actor: str, grace_days: int = 30) -> str:
    """Sign with a new issuer key from now; the old one verifies for ``grace_days`` more
    (slips already handed out). Returns the new kid (hex)."""
    if not 0 <= grace_days <= 366:
        raise CentralError(f"--grace-days: expected 0–366, got {grace_days}")
    now = central.now()
    old = central.keys.signing_key() if central.keys.has_signing_key() else None
    key = central.keys.new_signing_key()
    records = [_trust_record(key, now)]
    with write_connection(central.engine) as conn, conn.begin():
        if old is not None:
            current = registry.find(conn, "trust_keys", {"kid": old.kid.hex()})
            if current is not None:
                records.append(
                    dataclasses.replace(current, not_after=now + dt.timedelta(days=grace_days))
                )
        registry.write(conn, now, upsert={"trust_keys": records})
        central.audit(conn, actor, "issuer_key_rotate", kid=key.kid.hex(), grace_days=grace_days)
    return key.kid.hex()


def revoke_key(central: Central, kid_hex: str, actor: str) -> None:
    """Remove a key from the trust list: gates stop trusting it at their next sync."""
    if central.keys.has_signing_key() and central.keys.signing_key().kid.hex() == kid_hex:
        raise Conflict(f"key {kid_hex} signs now; rotate first (`central keys rotate`)")
    try:
        typed = wire.row_key("trust_keys", {"kid": kid_hex})
    except ValueError as exc:
        raise CentralError(str(exc)) from None
    with write_connection(central.engine) as conn, conn.begin():
        report = registry.write(conn, central.now(), delete_keys={"trust_keys": [typed]})
        if not report.deleted.get("trust_keys"):
            raise NotFound(f"no trusted key {kid_hex}")
        central.audit(conn, actor, "key_revoke", kid=kid_hex)


def audit_trail(central: Central, limit: int = 100) -> list[dict[str, Any]]:
    """The newest audit entries."""
    with read_connection(central.engine) as conn:
        rows = conn.execute(select(AUDIT).order_by(AUDIT.c.id.desc()).limit(limit)).all()
    return [
        {"at": _iso(r.at), "actor": r.actor, "action": r.action, "detail": r.detail} for r in rows
    ]


def decision_count(central: Central) -> int:
    """Log records held for every gate."""
    with read_connection(central.engine) as conn:
        return int(conn.scalar(select(func.count()).select_from(DECISIONS)) or 0)
