"""A simulated ID card reader module speaking the SAM host protocol over a pty.

It answers SAM status/reset, find, select and read commands exactly as a module does, with a
card that is put on and taken off the reader: by a profile's script (``sim:PROFILE``) or by a
test calling :meth:`IdCardSimulator.put_card` and :meth:`IdCardSimulator.take_card`. Profiles
also misbehave: garbage between replies, corrupt checksums, a card taken off mid-read, an
unplugged cable, a faulty SAM module.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import threading
from dataclasses import dataclass, field

from drivers.device import SYSTEM_CLOCK, DeviceClock
from drivers.idcard.card import encode_foreigner_block, encode_text_block
from drivers.idcard.frames import (
    CARD_FOUND,
    COMMAND_ERROR,
    NO_CARD,
    OK,
    READ_FAILED,
    SAM_SELF_TEST_FAILED,
    SELECT_FAILED,
    PacketParser,
    encode_frame,
    encode_reply,
)
from drivers.idcard.protocols import (
    FIND_CARD,
    FIND_DATA_LEN,
    PHOTO_LEN,
    READ_TEXT_PHOTO,
    READ_TEXT_PHOTO_FP,
    SAM_RESET,
    SAM_STATUS,
    SELECT_CARD,
    SELECT_DATA_LEN,
    SamProtocol,
)
from drivers.idcard.protocols import IdCardProtocolError as ProfileError
from drivers.pty_device import PtyDevice

log = logging.getLogger(__name__)

# Sample cards (made-up people; ID numbers with valid check characters, Zhengzhou prefixes)
ZHANG_WEI = encode_text_block(
    name="张伟", id_number="410105198803152316", sex="1", address="河南省郑州市金水区文化路1号",
    issuer="郑州市公安局金水分局", valid_from="20150310", valid_to="20350310",
)
WANG_FANG = encode_text_block(
    name="王芳", id_number="410102199207204525", sex="2", address="河南省郑州市中原区建设路9号",
    issuer="郑州市公安局中原分局", valid_from="20200601", valid_to="20400601",
)
LI_NA_EXPIRED = encode_text_block(
    name="李娜", id_number="410103197511023021", sex="2", address="河南省郑州市二七区大学路5号",
    issuer="郑州市公安局二七分局", valid_from="20011102", valid_to="20211102",
)
ZHAO_LEI_LONG_TERM = encode_text_block(
    name="赵磊", id_number="410105196404051113", sex="1", address="河南省郑州市金水区经三路2号",
    issuer="郑州市公安局金水分局", valid_from="20100405", valid_to="长期",
)
CHAN_HMT = encode_text_block(
    name="陈家明", id_number="810000199001011230", sex="1", address="",
    issuer="郑州市公安局", valid_from="20190101", valid_to="20290101", card_type="J",
)
FOREIGNER = encode_foreigner_block(
    english_name="SMITH, JOHN", number="USA410012345678", nationality="USA", valid_to="20300101"
)


@dataclass(frozen=True)
class Placement:
    """A card put on the reader ``on_s`` after the host opened the port, off at ``off_s``."""

    card: bytes
    on_s: float
    off_s: float


@dataclass(frozen=True)
class Profile:
    """A scripted reader: which cards come and go, and how the module misbehaves."""

    name: str
    placements: tuple[Placement, ...] = ()
    cycle_s: float | None = None
    """Repeat the placements with this period (None: once)."""
    garbage: bool = False
    """Random bytes before replies."""
    corrupt_every: int = 0
    """Break the checksum of every n-th reply."""
    fail_first_read: bool = False
    """The first read answers "read failed" and the card is gone (taken off mid-read)."""
    unplug_at_s: float | None = None
    replug_after_s: float = 1.0
    sam_status: int = OK
    sam_ready_after_reset: bool = False
    """The SAM answers its status with a self-test failure until it is reset."""
    photo_seed: int = field(default=7, compare=False)


def _alternating(*cards: bytes, on_s: float = 1.2, gap_s: float = 0.8) -> tuple[Placement, ...]:
    placements, t = [], 0.3
    for card in cards:
        placements.append(Placement(card, t, t + on_s))
        t += on_s + gap_s
    return tuple(placements)


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("normal", _alternating(ZHANG_WEI, WANG_FANG), cycle_s=4.0),
        Profile("manual"),  # cards only through put_card / take_card (demo, tests)
        Profile("long-term", _alternating(ZHAO_LEI_LONG_TERM), cycle_s=2.0),
        Profile("expired", _alternating(LI_NA_EXPIRED), cycle_s=2.0),
        Profile("foreigner", _alternating(FOREIGNER), cycle_s=2.0),
        Profile("hmt", _alternating(CHAN_HMT), cycle_s=2.0),
        Profile(
            "noisy", _alternating(ZHANG_WEI, WANG_FANG), cycle_s=4.0, garbage=True,
            corrupt_every=5,
        ),
        Profile(
            "removed-mid-read", _alternating(ZHANG_WEI, ZHANG_WEI), cycle_s=4.0,
            fail_first_read=True,
        ),
        Profile("unplugged", _alternating(ZHANG_WEI, WANG_FANG), cycle_s=4.0, unplug_at_s=1.0),
        Profile("sam-fault", sam_status=SAM_SELF_TEST_FAILED),
        Profile("checksum", _alternating(ZHANG_WEI), cycle_s=2.0, corrupt_every=1),
    )
}


def get_profile(name: str) -> Profile:
    """The profile called ``name`` (empty: normal)."""
    profile = PROFILES.get(name or "normal")
    if profile is None:
        known = ", ".join(PROFILES)
        raise ProfileError(f"unknown ID card simulator profile {name!r} (known: {known})")
    return profile


class IdCardSimulator(PtyDevice):
    """A reader module for one protocol variant; the driver opens :attr:`port`."""

    def __init__(
        self,
        protocol: SamProtocol,
        profile: Profile | str | None = None,
        clock: DeviceClock = SYSTEM_CLOCK,
    ) -> None:
        super().__init__(f"idcard-{protocol.name}", clock)
        self.protocol = protocol
        self.profile = get_profile(profile) if isinstance(profile, str) else profile
        self._rng = random.Random(self.profile.photo_seed if self.profile else 7)
        self._parser = PacketParser()
        self._card: bytes | None = None
        self._selected = False
        self._opened_at: float | None = None
        self._replies = 0
        self._reads = 0
        self._sam_reset = False
        self._card_lock = threading.Lock()
        self.commands: list[bytes] = []
        """Every command payload received (for tests)."""

    # -- the card -------------------------------------------------------------------------
    def put_card(self, text_block: bytes) -> None:
        """Put a card with this text block on the reader."""
        with self._card_lock:
            self._card, self._selected = text_block, False

    def take_card(self) -> None:
        """Take the card off the reader."""
        with self._card_lock:
            self._card, self._selected = None, False

    @property
    def card_present(self) -> bool:
        """Whether a card lies on the reader."""
        return self._card is not None

    # -- PtyDevice hooks ------------------------------------------------------------------
    def on_host_open(self, now: float) -> None:
        """The scripted placements count from the host's first open."""
        if self._opened_at is None:
            self._opened_at = now

    def on_tick(self, now: float) -> bytes:
        """Follow the profile's script: cards on and off, the cable pulled."""
        profile = self.profile
        if profile is None or self._opened_at is None:
            return b""
        t = now - self._opened_at
        if profile.unplug_at_s is not None and t >= profile.unplug_at_s:
            self._unplug_for(profile.replug_after_s)
            self.profile = _without_unplug(profile)
            return b""
        if profile.placements:
            self._follow_script(profile, t)
        return b""

    def on_input(self, data: bytes, now: float) -> bytes:
        """Answer every complete command."""
        out = b""
        for payload in self._parser.feed(data):
            self.commands.append(payload)
            out += self._dress(self._answer(encode_frame(payload)))
        return out

    # -- internals ------------------------------------------------------------------------
    def _follow_script(self, profile: Profile, t: float) -> None:
        if profile.cycle_s is not None:
            t %= profile.cycle_s
        card = next((p.card for p in profile.placements if p.on_s <= t < p.off_s), None)
        with self._card_lock:
            if card is not self._card and not (card is None and self._card is None):
                self._card, self._selected = card, False

    def _answer(self, command: bytes) -> bytes:
        profile = self.profile
        if command == SAM_RESET:
            self._sam_reset = True
            return encode_reply(OK)
        if command == SAM_STATUS:
            status = profile.sam_status if profile else OK
            if profile and profile.sam_ready_after_reset:
                status = OK if self._sam_reset else SAM_SELF_TEST_FAILED
            return encode_reply(status)
        with self._card_lock:
            if command == FIND_CARD:
                if self._card is None:
                    return encode_reply(NO_CARD)
                return encode_reply(CARD_FOUND, bytes(FIND_DATA_LEN))
            if command == SELECT_CARD:
                if self._card is None:
                    return encode_reply(SELECT_FAILED)
                self._selected = True
                return encode_reply(OK, bytes(SELECT_DATA_LEN))
            if command in (READ_TEXT_PHOTO, READ_TEXT_PHOTO_FP):
                return self._read_reply(command)
        return encode_reply(COMMAND_ERROR)

    def _read_reply(self, command: bytes) -> bytes:
        if self._card is None or not self._selected:
            return encode_reply(READ_FAILED)
        self._reads += 1
        if self.profile and self.profile.fail_first_read and self._reads == 1:
            self._card, self._selected = None, False  # taken off while the module read it
            return encode_reply(READ_FAILED)
        photo = self._rng.randbytes(PHOTO_LEN)  # opaque, vendor-compressed in a real card
        with_fp = command == READ_TEXT_PHOTO_FP
        fingerprint = self._rng.randbytes(1024) if with_fp else b""
        words = 3 if with_fp else 2
        layout = SamProtocol("sim", "", length_words=words)
        return encode_reply(OK, layout.encode_read_data(self._card, photo, fingerprint))

    def _dress(self, reply: bytes) -> bytes:
        """Apply the profile's garbage and corrupt checksums to a reply."""
        profile = self.profile
        if profile is None:
            return reply
        self._replies += 1
        if profile.corrupt_every and self._replies % profile.corrupt_every == 0:
            reply = reply[:-1] + bytes([reply[-1] ^ 0x5A])
        if profile.garbage:
            junk = [0xAA, 0x96, 0x69, 0x00, 0x90, 0x55, 0xFF]
            reply = bytes(self._rng.choice(junk) for _ in range(self._rng.randint(1, 6))) + reply
        return reply

    def _unplug_for(self, seconds: float) -> None:
        self.unplug()

        def replug_later() -> None:
            self.clock.sleep(seconds)
            self.replug()

        threading.Thread(target=replug_later, name=f"sim-{self.name}-replug", daemon=True).start()


def _without_unplug(profile: Profile) -> Profile:
    return dataclasses.replace(profile, unplug_at_s=None)


def start_simulator(
    protocol: SamProtocol, profile: str | None = "normal", clock: DeviceClock = SYSTEM_CLOCK
) -> IdCardSimulator:
    """Create and start a simulator; the caller closes it."""
    sim = IdCardSimulator(protocol, profile, clock)
    sim.start()
    return sim
