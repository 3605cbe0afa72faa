"""Signing keys, trusted (verification) keys, the key ring, and the trust-list JSON file.

The key id (``kid``) of a public key is the first 8 bytes of SHA-256 over its
SubjectPublicKeyInfo DER encoding. A trusted key verifies a credential only if it is still in
the ring, its alg matches the message header, its ``prefixes`` include the credential's prefix,
and its validity window contains both the current time and the credential's ``iat``.
An empty ``prefixes`` tuple means any prefix, as in :class:`kiosk.core.registry.TrustKey`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from kiosk.core.credentials.cose import Sign1
from kiosk.core.credentials.types import Algorithm, CredentialError
from kiosk.core.reasons import Reason
from kiosk.core.registry import TrustKey

log = logging.getLogger(__name__)

KID_BYTES = 8
ALGORITHMS: tuple[Algorithm, ...] = get_args(Algorithm)
_ES256_HALF = 32

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
PublicKey = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey


class TrustListError(ValueError):
    """A trust-list file or entry is not usable; the message names the entry and field."""


def public_der(public_key: PublicKey) -> bytes:
    """SubjectPublicKeyInfo DER encoding of a public key."""
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def kid_for(public_key: PublicKey | bytes) -> bytes:
    """Key id: first 8 bytes of SHA-256 of the SubjectPublicKeyInfo DER (key object or DER)."""
    der = public_key if isinstance(public_key, bytes) else public_der(public_key)
    return hashlib.sha256(der).digest()[:KID_BYTES]


def _alg_of_private(key: PrivateKey) -> Algorithm:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "EdDSA"
    if isinstance(key.curve, ec.SECP256R1):
        return "ES256"
    raise ValueError(f"unsupported curve {key.curve.name} (ES256 needs P-256)")


class SigningKey:
    """An issuer's private key (Ed25519 or P-256) with its alg and kid."""

    def __init__(self, private_key: PrivateKey) -> None:
        self._key = private_key
        self.alg: Algorithm = _alg_of_private(private_key)
        self.kid: bytes = kid_for(private_key.public_key())

    @classmethod
    def generate(cls, alg: Algorithm = "EdDSA") -> SigningKey:
        """A fresh random key for ``alg``."""
        if alg == "EdDSA":
            return cls(ed25519.Ed25519PrivateKey.generate())
        if alg == "ES256":
            return cls(ec.generate_private_key(ec.SECP256R1()))
        raise ValueError(f"unknown algorithm {alg!r} (expected one of {', '.join(ALGORITHMS)})")

    @classmethod
    def from_pem(cls, data: bytes | str) -> SigningKey:
        """Load an unencrypted PKCS#8 PEM private key."""
        raw = data.encode() if isinstance(data, str) else data
        key = serialization.load_pem_private_key(raw, password=None)
        if not isinstance(key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey):
            raise ValueError(f"unsupported private key type {type(key).__name__}")
        return cls(key)

    def to_pem(self) -> bytes:
        """Unencrypted PKCS#8 PEM (store it with mode 0600)."""
        return self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def public_der(self) -> bytes:
        """SubjectPublicKeyInfo DER of the public half."""
        return public_der(self._key.public_key())

    def sign(self, data: bytes) -> bytes:
        """Sign ``data``: Ed25519 signature, or ES256 as raw ``r || s`` (64 bytes)."""
        if isinstance(self._key, ed25519.Ed25519PrivateKey):
            return self._key.sign(data)
        r, s = decode_dss_signature(self._key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(_ES256_HALF, "big") + s.to_bytes(_ES256_HALF, "big")

    def trusted_key(
        self,
        issuer: str,
        prefixes: Iterable[str],
        *,
        not_before: dt.datetime | None = None,
        not_after: dt.datetime | None = None,
    ) -> TrustedKey:
        """The trust-list entry that verifies this key's signatures."""
        return TrustedKey(
            kid=self.kid,
            alg=self.alg,
            public_key_der=self.public_der(),
            issuer=issuer,
            not_before=not_before,
            not_after=not_after,
            prefixes=tuple(prefixes),
        )


@dataclass(frozen=True)
class TrustedKey:
    """A public key the kiosk trusts, for some credential prefixes, within a validity window."""

    kid: bytes
    alg: Algorithm
    public_key_der: bytes
    issuer: str
    not_before: dt.datetime | None
    not_after: dt.datetime | None
    prefixes: tuple[str, ...]
    _public: PublicKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.alg not in ALGORITHMS:
            raise ValueError(f"unknown algorithm {self.alg!r}")
        try:
            public = serialization.load_der_public_key(self.public_key_der)
        except Exception as exc:  # cryptography raises several types for unusable DER
            raise ValueError(f"public key is not usable SubjectPublicKeyInfo DER ({exc})") from None
        if self.alg == "EdDSA" and not isinstance(public, ed25519.Ed25519PublicKey):
            raise ValueError("EdDSA needs an Ed25519 public key")
        if self.alg == "ES256" and not (
            isinstance(public, ec.EllipticCurvePublicKey) and isinstance(public.curve, ec.SECP256R1)
        ):
            raise ValueError("ES256 needs a P-256 public key")
        if self.kid != kid_for(self.public_key_der):
            raise ValueError("kid is not the first 8 bytes of SHA-256 of the public key")
        for when in (self.not_before, self.not_after):
            if when is not None and when.utcoffset() is None:
                raise ValueError("validity window times must be timezone-aware")
        object.__setattr__(self, "_public", public)

    @classmethod
    def from_record(cls, record: TrustKey) -> TrustedKey:
        """The verification key for a registry trust-key record."""
        return cls(
            kid=record.kid,
            alg=record.alg,
            public_key_der=record.public_key,
            issuer=record.issuer,
            not_before=record.not_before,
            not_after=record.not_after,
            prefixes=record.prefixes,
        )

    def allows(self, prefix: str) -> bool:
        """Whether this key may sign ``prefix`` credentials (empty ``prefixes``: any)."""
        return not self.prefixes or prefix in self.prefixes

    def valid_at(self, when: dt.datetime) -> bool:
        """Whether ``when`` lies inside the key's validity window (bounds inclusive)."""
        if self.not_before is not None and when < self.not_before:
            return False
        return self.not_after is None or when <= self.not_after

    def verify(self, signature: bytes, data: bytes) -> bool:
        """Whether ``signature`` over ``data`` verifies with this key (ES256: raw ``r || s``)."""
        try:
            if isinstance(self._public, ed25519.Ed25519PublicKey):
                if len(signature) != 64:
                    return False
                self._public.verify(signature, data)
            else:
                if len(signature) != 2 * _ES256_HALF:
                    return False
                r = int.from_bytes(signature[:_ES256_HALF], "big")
                s = int.from_bytes(signature[_ES256_HALF:], "big")
                der = encode_dss_signature(r, s)
                self._public.verify(der, data, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True

    def to_json(self) -> dict[str, Any]:
        """The trust-list JSON object of this key."""
        return {
            "kid": self.kid.hex(),
            "alg": self.alg,
            "public_key": base64.b64encode(self.public_key_der).decode("ascii"),
            "issuer": self.issuer,
            "not_before": _iso(self.not_before),
            "not_after": _iso(self.not_after),
            "prefixes": list(self.prefixes),
        }

    @classmethod
    def from_json(cls, obj: Any) -> TrustedKey:
        """Parse one trust-list object, raising :class:`TrustListError` naming the bad field."""
        if not isinstance(obj, dict):
            raise TrustListError("entry is not a JSON object")
        try:
            kid = bytes.fromhex(_field(obj, "kid", str))
        except ValueError:
            raise TrustListError("kid: expected hex digits") from None
        try:
            der = base64.b64decode(_field(obj, "public_key", str), validate=True)
        except binascii.Error:
            raise TrustListError("public_key: expected base64 (SubjectPublicKeyInfo DER)") from None
        prefixes = _field(obj, "prefixes", list)
        if not all(isinstance(p, str) for p in prefixes):
            raise TrustListError("prefixes: expected a list of strings")
        try:
            return cls(
                kid=kid,
                alg=_field(obj, "alg", str),  # checked in __post_init__
                public_key_der=der,
                issuer=_field(obj, "issuer", str),
                not_before=_parse_time(obj, "not_before"),
                not_after=_parse_time(obj, "not_after"),
                prefixes=tuple(prefixes),
            )
        except ValueError as exc:
            raise TrustListError(str(exc)) from None


def _field(obj: dict[str, Any], name: str, kind: type) -> Any:
    value = obj.get(name)
    if not isinstance(value, kind):
        raise TrustListError(f"{name}: expected a {kind.__name__}")
    return value


def _parse_time(obj: dict[str, Any], name: str) -> dt.datetime | None:
    value = obj.get(name)
    if value is None:
        return None
    if isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            when = None
        if when is not None and when.utcoffset() is not None:
            return when
    raise TrustListError(f"{name}: expected null or an ISO 8601 time with a UTC offset")


def _iso(when: dt.datetime | None) -> str | None:
    return None if when is None else when.isoformat()


class KeyRing:
    """The trusted keys by kid. Immutable: trust-list sync builds a new ring and swaps it in."""

    def __init__(self, keys: Iterable[TrustedKey] = ()) -> None:
        by_kid: dict[bytes, list[TrustedKey]] = {}
        for key in keys:
            entries = by_kid.setdefault(key.kid, [])
            if key not in entries:
                entries.append(key)
        self._by_kid = {kid: tuple(entries) for kid, entries in by_kid.items()}

    def __iter__(self) -> Iterator[TrustedKey]:
        for entries in self._by_kid.values():
            yield from entries

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._by_kid.values())

    def __contains__(self, kid: object) -> bool:
        return kid in self._by_kid

    def get(self, kid: bytes) -> tuple[TrustedKey, ...]:
        """Every trusted key with this kid (usually one)."""
        return self._by_kid.get(kid, ())

    def without(self, kid: bytes) -> KeyRing:
        """A ring with every key of this kid removed."""
        return KeyRing(key for key in self if key.kid != kid)

    def verify(self, message: Sign1, prefix: str, now: dt.datetime) -> TrustedKey:
        """The key that verifies ``message`` as a ``prefix`` credential now, or CredentialError.

        Checks ring membership, prefix and validity window at ``now`` (CREDENTIAL_UNKNOWN_KEY),
        then alg and signature (CREDENTIAL_INVALID_SIGNATURE). The caller must still check the
        window against the credential's ``iat`` once the claims are read.
        """
        kid_hex = message.kid.hex()
        candidates = self.get(message.kid)
        if not candidates:
            raise CredentialError(Reason.CREDENTIAL_UNKNOWN_KEY, f"kid {kid_hex} is not trusted")
        candidates = tuple(k for k in candidates if k.allows(prefix))
        if not candidates:
            raise CredentialError(
                Reason.CREDENTIAL_UNKNOWN_KEY, f"kid {kid_hex} is not trusted for {prefix}"
            )
        candidates = tuple(k for k in candidates if k.valid_at(now))
        if not candidates:
            raise CredentialError(
                Reason.CREDENTIAL_UNKNOWN_KEY, f"kid {kid_hex} is outside its validity window"
            )
        candidates = tuple(k for k in candidates if k.alg == message.alg)
        if not candidates:
            raise CredentialError(
                Reason.CREDENTIAL_INVALID_SIGNATURE,
                f"header alg {message.alg} does not match the key of kid {kid_hex}",
            )
        data = message.to_be_signed()
        for key in candidates:
            if key.verify(message.signature, data):
                return key
        log.info("signature check failed for kid %s (%s)", kid_hex, prefix)
        raise CredentialError(Reason.CREDENTIAL_INVALID_SIGNATURE, "signature does not verify")


def parse_trust_list(text: str | bytes) -> KeyRing:
    """Build a key ring from trust-list JSON (an array of key objects)."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise TrustListError(f"not valid JSON ({exc})") from None
    except RecursionError:
        raise TrustListError("not a trust list: JSON nested too deeply") from None
    if not isinstance(data, list):
        raise TrustListError("expected a JSON array of keys")
    keys = []
    for i, entry in enumerate(data):
        try:
            keys.append(TrustedKey.from_json(entry))
        except TrustListError as exc:
            raise TrustListError(f"entry {i}: {exc}") from None
    return KeyRing(keys)


def load_trust_list(path: str | Path) -> KeyRing:
    """Read a trust-list JSON file; errors name the file, the entry and the field."""
    file = Path(path)
    try:
        return parse_trust_list(file.read_bytes())
    except TrustListError as exc:
        raise TrustListError(f"{file}: {exc}") from None


def trust_list_to_json(keys: Iterable[TrustedKey]) -> str:
    """Trust-list JSON text for these keys (loadable by :func:`load_trust_list`)."""
    return json.dumps([key.to_json() for key in keys], indent=2, ensure_ascii=False) + "\n"
