"""Upload the outbox in batches: each record exactly once on the server, never dropped here.

A batch is claimed (rows go ``inflight``), sent, and each row settled by the server's answer
for its ``record_id``: ``accepted`` and ``duplicate`` are acknowledged, ``rejected`` rows go to
the outbox's ``rejected`` state with the server's reason (kept, counted, requeued only by an
admin). When the answer never comes, or cannot be read, the rows go back to ``pending`` with a
back-off: the server may have stored them, and dedups them by ``record_id`` when they come
again. A crash leaves rows ``inflight``; :meth:`Outbox.release_inflight` at start-up returns
them.

One batch is on its way at a time, and the gate's database work overlaps the server's: while
the server checks and stores one batch, the next is claimed, and it is sent as soon as the
answer comes, before that answer's rows are settled. When the batch in flight fails, the
claimed one goes back to pending untouched (:meth:`Outbox.release`), as it was never sent;
when settling fails, the batch sent meanwhile is waited for and its rows go back to pending.
"""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from kiosk.store.outbox import Outbox, OutboxItem
from kiosk.sync.http import BadAnswer, Refused, ServerClient, ServerError

log = logging.getLogger(__name__)

DECISIONS_PATH = "/api/v1/decisions"
FAR_FUTURE = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)
MAX_BATCH = 1000
"""The server takes at most this many records per request (``docs/sync-api.md`` §5)."""


@dataclass(frozen=True)
class PushResult:
    """What one push round did."""

    sent: int
    """Records acknowledged (accepted now or held already)."""
    duplicates: int
    rejected: int
    batches: int
    chain: str | None
    """The server's view of this gate's chain after the last batch: ok, gaps or broken."""


def push(
    client: ServerClient,
    outbox: Outbox,
    *,
    batch_size: int,
    max_batches: int | None = None,
    now_due: bool = False,
) -> PushResult:
    """Send due outbox rows until none is left (or ``max_batches``); raises
    :class:`~kiosk.sync.http.ServerError` after returning the batch in flight to pending.

    ``now_due``: also send rows still waiting out their back-off (an operator's explicit
    ``kiosk sync --once``, the end of the demo day)."""
    size = max(1, min(batch_size, MAX_BATCH))
    due = FAR_FUTURE if now_due else None
    sent = duplicates = rejected = batches = 0
    chain: str | None = None

    def claim() -> list[OutboxItem]:
        more = max_batches is None or batches < max_batches
        return outbox.claim_batch(size, now=due) if more else []

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-send") as sender:

        def send(batch: list[OutboxItem], in_flight: int) -> Future[Any] | None:
            if not batch:
                return None
            return sender.submit(_send, client, batch, backlog=_backlog(outbox, in_flight))

        items = claim()
        answer = send(items, len(items))
        while items and answer is not None:
            batches += 1
            following: list[OutboxItem] = []
            try:
                following = claim()  # while the server works on this batch
                reply = _checked(answer.result())
            except ServerError as exc:
                outbox.fail([i.id for i in items], str(exc))
                outbox.release([i.id for i in following])
                if isinstance(exc, Refused) and exc.status == 413 and size > 1:
                    size = max(1, size // 2)  # the server wants less per request
                    items = claim()
                    answer = send(items, len(items))
                    continue
                raise
            except BaseException:
                outbox.fail([i.id for i in items], "upload interrupted")
                outbox.release([i.id for i in following])
                raise
            answer = send(following, len(items) + len(following))
            try:  # while the server works on the next batch
                acked, dups, refused, chain = _settle(outbox, items, reply)
            except BaseException:
                _abandon(outbox, items + following, answer)
                raise
            sent += acked
            duplicates += dups
            rejected += refused
            items = following
    return PushResult(sent, duplicates, rejected, batches, chain)


def _backlog(outbox: Outbox, in_flight: int) -> int:
    """What is left after the batches on their way (``in_flight`` rows)."""
    counts = outbox.counts()
    return max(0, counts["pending"] + counts["inflight"] - in_flight)


def _abandon(outbox: Outbox, items: list[OutboxItem], answer: Future[Any] | None) -> None:
    """Wait for the batch on its way, then return every row still in flight to pending: the
    server may hold them and dedups them when they come again."""
    if answer is not None:
        try:
            answer.result()
        except BaseException:  # its fate no longer matters: the rows go back either way
            log.debug("abandoned upload batch failed too", exc_info=True)
    outbox.fail([i.id for i in items], "upload interrupted")


def _send(client: ServerClient, items: list[OutboxItem], *, backlog: int) -> Any:
    body = {"records": [item.record.as_dict() for item in items], "backlog": backlog}
    return client.post(DECISIONS_PATH, body)


def _checked(answer: Any) -> dict[str, Any]:
    """The answer, when it has a per-record results list."""
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
        raise BadAnswer("decisions answer: no results list")
    return answer


def _settle(
    outbox: Outbox, items: list[OutboxItem], answer: dict[str, Any]
) -> tuple[int, int, int, str | None]:
    """Acknowledge or reject each row by the server's per-record answer."""
    results = answer["results"]
    by_id = {item.record.record_id: item for item in items}
    ack: list[int] = []
    duplicates = 0
    refused: dict[str, list[int]] = {}
    for result in results:
        if not isinstance(result, dict):
            continue
        item = by_id.get(str(result.get("record_id")))
        if item is None:
            continue
        status = result.get("status")
        if status in ("accepted", "duplicate"):
            ack.append(item.id)
            duplicates += status == "duplicate"
        elif status == "rejected":
            reason = f"{result.get('reason', 'rejected')}: {result.get('message', '')}".strip()
            refused.setdefault(reason, []).append(item.id)
    settled = set(ack) | {i for ids in refused.values() for i in ids}
    unanswered = [item.id for item in items if item.id not in settled]
    outbox.ack(ack)
    rejected = sum(outbox.reject(ids, reason) for reason, ids in refused.items())
    if unanswered:
        outbox.fail(unanswered, "the server did not answer for these records")
        log.warning("%d records without an answer from the server; retried later", len(unanswered))
    chain = answer.get("chain")
    status = chain.get("status") if isinstance(chain, dict) else None
    if status == "broken":
        problems = chain.get("problems") if isinstance(chain, dict) else None
        log.error("the server reports this gate's chain broken: %s", problems)
    return len(ack), duplicates, rejected, status if isinstance(status, str) else None
