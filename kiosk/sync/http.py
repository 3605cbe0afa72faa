"""The HTTP link to the central server: one ``requests`` session with urllib3's ``Retry``.

Retries happen inside urllib3 (no hand-written loop): network errors, 408, 429 and 5xx are
retried with exponential back-off, full jitter and a cap; a ``Retry-After`` header is honoured
(and capped too, so a server cannot park the kiosk for a day). Only methods that are safe to
repeat are retried: GET, and the POSTs the server makes idempotent (decision ingest is keyed by
each record's UUID). TLS is always verified, against ``server.ca_file`` when one is set.

Every answer's ``Date`` header feeds :class:`~kiosk.sync.clock.ClockSkew`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from kiosk.sync.clock import ClockSkew

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
"""Answers worth asking again; every other error status is final."""


class ServerError(Exception):
    """The server could not be used for this request (the message is one line)."""


class Unreachable(ServerError):
    """No answer: connection refused or dropped, timeout, TLS failure, retries used up."""


class BadAnswer(ServerError):
    """An answer that cannot be used: not JSON, truncated, wrong shape or hash."""


class Refused(ServerError):
    """The server answered with a final error status (401, 404, 409, 422, …)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class CappedRetry(Retry):
    """urllib3's ``Retry`` whose ``Retry-After`` waits are capped at ``backoff_max``."""

    def get_retry_after(self, response: Any) -> float | None:
        """The server's ``Retry-After`` in seconds, at most ``backoff_max``."""
        after = super().get_retry_after(response)
        if after is None:
            return None
        return float(min(after, self.backoff_max))


@dataclass(frozen=True)
class LinkSettings:
    """How to reach the server: address, credentials, timeouts and retry policy."""

    base_url: str
    token: str | None
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 10.0
    retries: int = 4
    backoff_s: float = 0.5
    backoff_max_s: float = 30.0
    ca_file: Path | None = None


def retry_policy(retries: int, backoff_s: float, backoff_max_s: float) -> Retry:
    """The retry policy of every idempotent request."""
    return CappedRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        allowed_methods=frozenset({"GET", "HEAD", "POST"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff_s,
        backoff_max=backoff_max_s,
        backoff_jitter=backoff_s,
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=True,
    )


class ServerClient:
    """JSON requests to the central server; failures raise a :class:`ServerError`."""

    def __init__(self, link: LinkSettings, skew: ClockSkew | None = None) -> None:
        self.link = link
        self.skew = skew
        self.base_url = link.base_url.rstrip("/")
        self._session = self._make_session(
            retry_policy(link.retries, link.backoff_s, link.backoff_max_s)
        )
        self._once = self._make_session(Retry(total=0, raise_on_status=False))

    def _make_session(self, retry: Retry) -> requests.Session:
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry, pool_connections=2, pool_maxsize=4)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.verify = str(self.link.ca_file) if self.link.ca_file else True
        session.trust_env = False  # no proxy from the environment between gate and server
        session.headers["Accept"] = "application/json"
        session.headers["User-Agent"] = "campus-gate-kiosk"
        if self.link.token:
            session.headers["Authorization"] = f"Bearer {self.link.token}"
        return session

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()
        self._once.close()

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``path`` (retried) and return its JSON body."""
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any, *, retry: bool = True) -> Any:
        """POST ``body`` as JSON and return the JSON answer; ``retry=False`` for requests
        the server does not make idempotent."""
        return self.request("POST", path, body=body, retry=retry)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        retry: bool = True,
        timeout_s: float | None = None,
    ) -> Any:
        """One request with the session's retries; the parsed JSON answer, or a
        :class:`ServerError` saying in one line what went wrong."""
        response = self.raw(
            method, path, params=params, body=body, retry=retry, timeout_s=timeout_s
        )
        return parse_json(response)

    def raw(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        retry: bool = True,
        timeout_s: float | None = None,
    ) -> requests.Response:
        """The response of one request whose body was read in full (status checked)."""
        session = self._session if retry else self._once
        timeout = (
            (min(timeout_s, self.link.connect_timeout_s), timeout_s)
            if timeout_s is not None
            else (self.link.connect_timeout_s, self.link.read_timeout_s)
        )
        url = f"{self.base_url}{path}"
        sent_at = dt.datetime.now(dt.UTC)
        try:
            response = session.request(
                method, url, params=params, json=body, timeout=timeout, allow_redirects=False
            )
            response.content  # noqa: B018 - read the body now, so a truncation raises here
        except requests.exceptions.SSLError as exc:
            raise Unreachable(f"{url}: TLS verification failed ({_short(exc)})") from exc
        except requests.exceptions.RetryError as exc:
            raise Unreachable(f"{url}: no usable answer after retries ({_short(exc)})") from exc
        except requests.exceptions.ChunkedEncodingError as exc:
            raise BadAnswer(f"{url}: answer cut short ({_short(exc)})") from exc
        except requests.exceptions.ContentDecodingError as exc:
            raise BadAnswer(f"{url}: answer cannot be decoded ({_short(exc)})") from exc
        except requests.exceptions.RequestException as exc:
            raise Unreachable(f"{url}: {_short(exc)}") from exc
        if self.skew is not None:
            self.skew.observe(response.headers.get("Date"), sent_at, dt.datetime.now(dt.UTC))
        _check_length(response, url)
        if response.status_code >= 400:
            detail = _detail(response)
            if response.status_code in RETRY_STATUSES:
                raise Unreachable(f"{url}: HTTP {response.status_code} {detail}".rstrip())
            raise Refused(response.status_code, f"{url}: HTTP {response.status_code} {detail}")
        if response.status_code >= 300:
            raise BadAnswer(f"{url}: unexpected redirect (HTTP {response.status_code})")
        return response


def parse_json(response: requests.Response) -> Any:
    """The JSON body of ``response``, or :class:`BadAnswer`."""
    kind = response.headers.get("Content-Type", "")
    if "json" not in kind:
        raise BadAnswer(f"{response.url}: expected JSON, got {kind or 'no content type'}")
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadAnswer(f"{response.url}: body is not valid JSON ({exc})") from exc


def _check_length(response: requests.Response, url: str) -> None:
    declared = response.headers.get("Content-Length")
    if declared is None or response.headers.get("Content-Encoding"):
        return
    if declared.isdigit() and int(declared) != len(response.content):
        raise BadAnswer(f"{url}: answer cut short ({len(response.content)} of {declared} bytes)")


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return f"({body['detail'][:200]})"
    return ""


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text[:300] or type(exc).__name__
