"""Bearer-token dependencies: the gate a token belongs to, or the admin's name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select

from central.admin import ADMINS, GATES
from central.api.errors import Unauthorized
from central.context import Central
from central.tokens import ADMIN_PREFIX, GATE_PREFIX, looks_like, token_hash
from kiosk.store.db import read_connection

bearer = HTTPBearer(auto_error=False, description="a gate token (cgt_…) or admin token (cat_…)")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


@dataclass(frozen=True)
class GateIdentity:
    """The gate a request comes from."""

    id: int
    name: str


def central_of(request: Request) -> Central:
    """The server the app was made for."""
    central: Central = request.app.state.central
    return central


CentralDep = Annotated[Central, Depends(central_of)]


def _token(credentials: HTTPAuthorizationCredentials | None, prefix: str) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized
    token = credentials.credentials.strip()
    if not looks_like(token, prefix):
        raise Unauthorized
    return token


def gate_identity(credentials: Credentials, central: CentralDep) -> GateIdentity:
    """The gate whose live token was presented, else 401."""
    h = token_hash(_token(credentials, GATE_PREFIX))
    with read_connection(central.engine) as conn:
        row = conn.execute(
            select(GATES.c.id, GATES.c.name).where(
                GATES.c.token_hash == h, GATES.c.revoked_at.is_(None)
            )
        ).one_or_none()
    if row is None:
        raise Unauthorized
    return GateIdentity(int(row.id), str(row.name))


def admin_name(credentials: Credentials, central: CentralDep) -> str:
    """The name of the admin whose live token was presented, else 401."""
    h = token_hash(_token(credentials, ADMIN_PREFIX))
    with read_connection(central.engine) as conn:
        name = conn.scalar(
            select(ADMINS.c.name).where(ADMINS.c.token_hash == h, ADMINS.c.revoked_at.is_(None))
        )
    if name is None:
        raise Unauthorized
    return str(name)


Gate = Annotated[GateIdentity, Depends(gate_identity)]
Admin = Annotated[str, Depends(admin_name)]
