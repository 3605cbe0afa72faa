"""Signed offline credentials: ``PREFIX:`` + Base45(zlib(COSE_Sign1(CBOR claims))).

See ``docs/credentials.md`` for the wire format, claim keys, trust list and refusal reasons.
"""

from kiosk.core.credentials.codec import (
    decode_credential,
    issue_campus_pass,
    issue_health_code,
    issue_visit_slip,
    sign_claims,
    tamper,
)
from kiosk.core.credentials.keys import (
    KeyRing,
    SigningKey,
    TrustedKey,
    TrustListError,
    kid_for,
    load_trust_list,
    parse_trust_list,
    trust_list_to_json,
)
from kiosk.core.credentials.replay import ReplayGuard
from kiosk.core.credentials.transport import PREFIXES
from kiosk.core.credentials.types import (
    CampusPass,
    Credential,
    CredentialError,
    Envelope,
    HealthCode,
    NatResult,
    VisitSlip,
)

__all__ = [
    "PREFIXES",
    "CampusPass",
    "Credential",
    "CredentialError",
    "Envelope",
    "HealthCode",
    "KeyRing",
    "NatResult",
    "ReplayGuard",
    "SigningKey",
    "TrustListError",
    "TrustedKey",
    "VisitSlip",
    "decode_credential",
    "issue_campus_pass",
    "issue_health_code",
    "issue_visit_slip",
    "kid_for",
    "load_trust_list",
    "parse_trust_list",
    "sign_claims",
    "tamper",
    "trust_list_to_json",
]
