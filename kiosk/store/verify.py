"""Checking the hash chain: which records were edited, deleted, inserted or reordered.

The chain is rebuilt by following the stored links (each record's ``prev_hash`` names its
predecessor's ``hash``) from the anchor: the genesis hash, or the last record removed by the
newest purge. A record's place in the rebuilt chain is its true number; its content is checked
against its hash at that number. This module is pure: the log hands it rows and a content check.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Link:
    """The chain fields of one stored record."""

    seq: int
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Anchor:
    """Where the retained chain starts: the record before the first kept one."""

    seq: int
    hash: str


@dataclass(frozen=True)
class Problem:
    """One finding: the record number, a kind word and a sentence for people."""

    seq: int
    kind: str  # edited | deleted | inserted | reordered | broken_link
    detail: str

    def __str__(self) -> str:
        return self.detail


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of a chain check."""

    ok: bool
    checked: int
    problems: list[Problem] = field(default_factory=list)


def _span(first: int, last: int) -> str:
    return f"record {first}" if first == last else f"records {first}–{last}"


class _Walk:
    def __init__(self, links: Sequence[Link], anchor: Anchor) -> None:
        self.anchor = anchor
        self.by_prev: dict[str, list[Link]] = defaultdict(list)
        for link in links:
            self.by_prev[link.prev_hash].append(link)
        self.links = links
        self.place: dict[int, int] = {}  # stored seq -> place in the rebuilt chain
        self.order: list[Link] = []
        self.problems: list[Problem] = []

    def follow(self, start_hash: str, place: int) -> None:
        current = start_hash
        while True:
            candidates = [c for c in self.by_prev.get(current, ()) if c.seq not in self.place]
            if not candidates:
                return
            # A record that others link to is the genuine successor; a dead end is an insertion.
            candidates.sort(key=lambda c: (c.hash not in self.by_prev, abs(c.seq - place - 1)))
            chosen = candidates[0]
            place += 1
            self.place[chosen.seq] = place
            self.order.append(chosen)
            current = chosen.hash

    def run(self) -> None:
        self.follow(self.anchor.hash, self.anchor.seq)
        known = {self.anchor.hash: self.anchor.seq}
        while True:
            known.update({x.hash: x.seq for x in self.order})
            rest = [x for x in self.links if x.seq not in self.place]
            if not rest:
                return
            for x in rest:
                if x.prev_hash in known:
                    self._inserted(x, known[x.prev_hash])
            rest = [x for x in rest if x.seq not in self.place]
            if not rest:
                return
            rest_hashes = {x.hash for x in rest}
            heads = [x for x in rest if x.prev_hash not in rest_hashes] or rest
            head = min(heads, key=lambda x: x.seq)
            end = self.order[-1] if self.order else None
            end_place = self.place[end.seq] if end else self.anchor.seq
            if head.seq > end_place + 1:
                self.problems.append(
                    Problem(
                        end_place + 1,
                        "deleted",
                        f"{_span(end_place + 1, head.seq - 1)}: deleted "
                        f"(record {head.seq} links to a record that is missing)",
                    )
                )
            else:
                self.problems.append(
                    Problem(
                        head.seq,
                        "broken_link",
                        f"record {head.seq}: broken link (it does not follow record {end_place};"
                        " one of the two was altered)",
                    )
                )
            self.follow(head.prev_hash, head.seq - 1)

    def _inserted(self, x: Link, predecessor: int) -> None:
        twin = next(
            (o.seq for o in self.order if o.prev_hash == x.prev_hash and o.seq != x.seq), None
        )
        also = f"; record {twin} already follows record {predecessor}" if twin else ""
        self.problems.append(
            Problem(x.seq, "inserted", f"record {x.seq}: inserted (not part of the chain{also})")
        )
        self.place[x.seq] = -1  # handled; not part of the chain


def check_links(
    links: Sequence[Link],
    anchor: Anchor,
    find_edited: Callable[[dict[int, int]], set[int]],
    *,
    recorded_end: int | None = None,
    without_outbox: Sequence[int] = (),
) -> list[Problem]:
    """Problems in a chain given its links (ordered by seq) and a content check.

    ``find_edited(places)`` gets the place in the chain of every stored record number and
    returns the numbers of the records whose content does not match their hash at that place.
    ``recorded_end`` is the last number the log recorded
    appending; ``without_outbox`` lists records that have no outbox row (every append makes one).
    """
    walk = _Walk(links, anchor)
    walk.run()
    problems = walk.problems
    problems += _misplaced([(x.seq, walk.place[x.seq]) for x in walk.order])
    places = {x.seq: walk.place[x.seq] for x in walk.order}
    for seq in sorted(find_edited(places)):
        detail = f"record {seq}: edited (content does not match its hash)"
        problems.append(Problem(seq, "edited", detail))
    last = max((p for p in walk.place.values()), default=anchor.seq)
    if recorded_end is not None and recorded_end > max(last, anchor.seq):
        problems.append(
            Problem(
                last + 1,
                "deleted",
                f"{_span(last + 1, recorded_end)}: deleted (the log's recorded end is "
                f"record {recorded_end})",
            )
        )
    flagged = {(p.seq, p.kind) for p in problems}
    for seq in without_outbox:
        if (seq, "inserted") not in flagged:
            problems.append(
                Problem(seq, "inserted", f"record {seq}: inserted (it has no outbox entry)")
            )
    if recorded_end is not None:
        for x in walk.order:
            if walk.place[x.seq] > recorded_end and (x.seq, "inserted") not in flagged:
                problems.append(
                    Problem(
                        x.seq,
                        "inserted",
                        f"record {x.seq}: inserted (after the log's recorded end, "
                        f"record {recorded_end})",
                    )
                )
    unique = {(p.seq, p.kind): p for p in problems}
    return sorted(unique.values(), key=lambda p: (p.seq, p.kind))


def _misplaced(placed: list[tuple[int, int]]) -> list[Problem]:
    """Group records whose stored number differs from their place in the chain."""
    problems: list[Problem] = []
    wrong = [(seq, place) for seq, place in placed if seq != place]
    i = 0
    while i < len(wrong):
        seq, place = wrong[i]
        if i + 1 < len(wrong) and wrong[i + 1] == (place, seq):
            problems.append(
                Problem(
                    min(seq, place),
                    "reordered",
                    f"records {min(seq, place)} and {max(seq, place)}: reordered "
                    "(their numbers were swapped)",
                )
            )
            i += 2
            continue
        j = i
        while (
            j + 1 < len(wrong)
            and wrong[j + 1][0] - wrong[j + 1][1] == seq - place
            and wrong[j + 1][1] == wrong[j][1] + 1
        ):
            j += 1
        first, last = wrong[i][0], wrong[j][0]
        offset = seq - place
        where = f"{abs(offset)} {'after' if offset > 0 else 'before'} its place in the chain"
        if first == last:
            detail = f"record {first}: reordered (numbered {where}, {place})"
        else:
            detail = f"{_span(first, last)}: reordered (each numbered {where})"
        problems.append(Problem(first, "reordered", detail))
        i = j + 1
    return problems
