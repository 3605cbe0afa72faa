"""Endpoints a gate calls with its token: enrolment, feed, decision ingest, online verify."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from central import feed, ingest
from central.admin import GATES, campus_key_info
from central.api.auth import CentralDep, Gate
from central.verify import MAX_CODE_CHARS
from kiosk.store.chain import iso_utc
from kiosk.store.db import begin_read, read_connection, write_connection

router = APIRouter(prefix="/api/v1")
INGEST_ATTEMPTS = 5


class Health(BaseModel):
    status: str
    time: str
    schema_revision: str | None = Field(alias="schema")


class Enrolment(BaseModel):
    gate: str
    campus_key: str
    campus_key_fingerprint: str
    server_time: str


class FeedPage(BaseModel):
    cursor: str | None
    next_cursor: str
    snapshot: bool
    complete: bool
    replace: list[str]
    upsert: dict[str, list[dict[str, Any]]]
    delete: dict[str, list[dict[str, Any]]]
    sources: dict[str, str] = Field(
        default_factory=dict,
        description="kind → when its source last delivered it to the server (rule R15)",
    )
    server_time: str
    content_hash: str


class IngestBody(BaseModel):
    records: list[Any] = Field(max_length=ingest.MAX_BATCH)
    backlog: int | None = Field(default=None, ge=0)


class ItemResult(BaseModel):
    record_id: str
    seq: int | None
    status: str
    reason: str | None = None
    message: str | None = None


class Chain(BaseModel):
    status: str
    received: int
    contiguous_to: int
    last_hash: str | None
    problems: list[str]


class IngestAnswer(BaseModel):
    results: list[ItemResult]
    chain: Chain


class VerifyBody(BaseModel):
    code: str = Field(min_length=1, max_length=MAX_CODE_CHARS)


class VerifyAnswer(BaseModel):
    color: str
    checked_at: str
    backend: str


@router.get("/health", response_model=Health, response_model_by_alias=True)
def health(central: CentralDep) -> dict[str, Any]:
    """Liveness and schema revision; the only endpoint without a token."""
    with read_connection(central.engine) as conn:
        revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
    return {"status": "ok", "time": iso_utc(central.now()), "schema": revision}


@router.get("/gate/enrolment", response_model=Enrolment)
def enrolment(gate: Gate, central: CentralDep) -> dict[str, Any]:
    """The gate's name and the campus key for ID-number HMACs."""
    return {"gate": gate.name, **campus_key_info(central), "server_time": iso_utc(central.now())}


@router.get("/feed", response_model=FeedPage)
def registry_feed(
    gate: Gate,
    central: CentralDep,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    limit: Annotated[int, Query(ge=1, le=feed.MAX_LIMIT)] = feed.DEFAULT_LIMIT,
) -> dict[str, Any]:
    """One page of registry changes after ``cursor`` (a snapshot when it cannot be served)."""
    now = central.now()
    with read_connection(central.engine) as conn:
        begin_read(conn)
        page = feed.page(conn, cursor, limit, now)
        conn.rollback()
    with write_connection(central.engine) as conn, conn.begin():
        conn.execute(
            update(GATES)
            .where(GATES.c.id == gate.id)
            .values(last_contact_at=now, registry_version=cursor or None)
        )
    return page


@router.post("/decisions", response_model=IngestAnswer)
def decisions(body: IngestBody, gate: Gate, central: CentralDep) -> dict[str, Any]:
    """Store a batch of the gate's log records exactly once, checking its chain."""
    items = ingest.parse_records(body.records, gate.name)
    for attempt in range(INGEST_ATTEMPTS):
        try:
            with write_connection(central.engine) as conn, conn.begin():
                results, chain = ingest.ingest(conn, gate.id, items, central.now(), body.backlog)
            break
        except IntegrityError:  # another process stored some of these first: check again
            if attempt == INGEST_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    return {"results": [r.as_dict() for r in results], "chain": chain.as_dict()}


@router.post("/verify/health-code", response_model=VerifyAnswer)
def verify_health_code(
    body: VerifyBody, gate: Gate, central: CentralDep, request: Request
) -> dict[str, Any]:
    """The colour of a health code the gate cannot verify offline."""
    backend = request.app.state.verifier
    color = backend.check(body.code)  # BackendUnavailable: 503 with Retry-After
    return {"color": color, "checked_at": iso_utc(central.now()), "backend": backend.name}
