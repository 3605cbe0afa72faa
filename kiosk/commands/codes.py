"""`kiosk codes`: make issuer keys, issue signed credentials (text + QR image), verify them.

    kiosk codes keygen --alg EdDSA --issuer campus --prefixes CP1,VA1 --out keys/campus
    kiosk codes issue campus-pass --key keys/campus.pem --person-no 2021001 --role student \\
        --out out/pass
    kiosk codes verify --file out/pass.txt --trust keys/campus.trust.json --json

Exit status: 0 valid / written, 1 credential refused, 2 bad usage or unreadable files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.commands.arguments import aware_time, bounded_int, identifier
from kiosk.core.identifiers import check_approval_no, check_id_number, check_person_no

if TYPE_CHECKING:
    from kiosk.core.credentials.types import Credential

log = logging.getLogger(__name__)

KINDS = {"health-code": "HK1", "campus-pass": "CP1", "visit-slip": "VA1"}
DEFAULT_VALIDITY_S = {"health-code": 86_400, "campus-pass": 60, "visit-slip": 86_400}
MAX_VALIDITY_S = 366 * 86_400  # a year: no credential this kiosk reads lives longer
MAX_SKEW_S = 86_400
QR_SCALE = 8
QR_BORDER = 4


def register(sub: Any) -> None:
    """Add the `codes` sub-command to the parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "codes", help="make issuer keys, issue and verify signed credentials"
    )
    codes = parser.add_subparsers(dest="codes_command", required=True, metavar="ACTION")

    keygen = codes.add_parser("keygen", help="generate an issuer key and its trust-list entry")
    keygen.add_argument("--alg", choices=("EdDSA", "ES256"), default="EdDSA")
    keygen.add_argument("--issuer", required=True, help="issuer name recorded in the trust list")
    keygen.add_argument(
        "--prefixes", required=True, type=_prefixes, help="comma-separated, e.g. HK1,CP1"
    )
    keygen.add_argument("--not-before", type=aware_time, help="ISO 8601 time with UTC offset")
    keygen.add_argument("--not-after", type=aware_time, help="ISO 8601 time with UTC offset")
    keygen.add_argument(
        "--out", required=True, type=Path, help="DIR/NAME: writes NAME.pem and NAME.trust.json"
    )
    keygen.add_argument("--force", action="store_true", help="overwrite an existing key")
    keygen.set_defaults(func=_keygen)

    issue = codes.add_parser("issue", help="issue a signed credential as PATH.txt and PATH.png")
    kinds = issue.add_subparsers(dest="kind", required=True, metavar="KIND")
    for kind in KINDS:
        p = kinds.add_parser(kind, help=f"issue a {kind.replace('-', ' ')}")
        p.add_argument("--key", required=True, type=Path, help="issuer private key (PEM)")
        p.add_argument("--out", required=True, type=Path, help="writes PATH.txt and PATH.png")
        p.add_argument("--iat", type=aware_time, help="issue time (default: now)")
        p.add_argument(
            "--valid-for",
            type=bounded_int(1, MAX_VALIDITY_S),
            default=DEFAULT_VALIDITY_S[kind],
            metavar="SECONDS",
            help=f"validity from iat (default {DEFAULT_VALIDITY_S[kind]})",
        )
        p.add_argument("--iss", help="issuer claim (default: the reference issuer name)")
        p.set_defaults(func=_issue)
        if kind == "health-code":
            p.add_argument("--name", required=True)
            p.add_argument("--id-number", required=True, type=identifier(check_id_number))
            p.add_argument("--color", choices=("green", "yellow", "red"), default="green")
            p.add_argument("--nat", choices=("negative", "positive"), help="NAT result")
            p.add_argument("--nat-sampled", type=aware_time, help="NAT sample time (default iat)")
            p.add_argument("--visited", type=_regions, default=(), help="e.g. 410100,110101")
            p.add_argument("--doses", type=bounded_int(0, 20), default=3, help="vaccine doses")
        elif kind == "campus-pass":
            p.add_argument("--person-no", required=True, type=identifier(check_person_no))
            p.add_argument("--role", required=True, help="student, staff, contractor, ...")
            p.add_argument("--color", choices=("green", "yellow", "red"), default="green")
            p.add_argument(
                "--not-checked-in", action="store_true", help="no daily health check-in today"
            )
        else:
            p.add_argument("--approval-no", required=True, type=identifier(check_approval_no))

    verify = codes.add_parser("verify", help="verify a credential and print its claims")
    source = verify.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="credential text")
    source.add_argument("--file", type=Path, help="file holding the credential text")
    verify.add_argument("--trust", required=True, type=Path, help="trust-list JSON file")
    verify.add_argument("--json", action="store_true", help="print JSON")
    verify.add_argument("--now", type=aware_time, help="verify as of this time (default: now)")
    verify.add_argument(
        "--skew", type=bounded_int(0, MAX_SKEW_S), default=300, metavar="SECONDS", help="clock skew"
    )
    verify.set_defaults(func=_verify)


def _prefixes(value: str) -> tuple[str, ...]:
    from kiosk.core.credentials.transport import PREFIXES

    items = tuple(p.strip() for p in value.split(",") if p.strip())
    unknown = [p for p in items if p not in PREFIXES]
    if not items or unknown:
        raise argparse.ArgumentTypeError(f"expected some of {','.join(PREFIXES)}, got {value!r}")
    return items


def _regions(value: str) -> tuple[str, ...]:
    items = tuple(r.strip() for r in value.split(",") if r.strip())
    bad = [r for r in items if len(r) != 6 or not r.isascii() or not r.isdigit()]
    if bad:
        raise argparse.ArgumentTypeError(f"expected 6-digit GB/T 2260 codes, got {bad[0]!r}")
    return items


def _fail(message: str) -> int:
    print(f"kiosk codes: {message}", file=sys.stderr)
    return 2


def _write_private(path: Path, data: bytes, force: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, 0o600)  # also when an existing file was overwritten


def _keygen(args: argparse.Namespace) -> int:
    from kiosk.core.credentials.keys import SigningKey, trust_list_to_json

    if args.not_before and args.not_after and args.not_after <= args.not_before:
        return _fail("--not-after must be later than --not-before")
    out: Path = args.out
    pem_path = out.parent / f"{out.name}.pem"
    trust_path = out.parent / f"{out.name}.trust.json"
    key = SigningKey.generate(args.alg)
    entry = key.trusted_key(
        args.issuer, args.prefixes, not_before=args.not_before, not_after=args.not_after
    )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        try:
            _write_private(pem_path, key.to_pem(), args.force)
        except FileExistsError:
            return _fail(f"{pem_path} exists (use --force to replace it)")
        trust_path.write_text(trust_list_to_json([entry]), encoding="utf-8")
    except OSError as exc:
        return _fail(f"cannot write {exc.filename or out}: {exc.strerror or exc}")
    print(f"kid {key.kid.hex()} ({key.alg}) -> {pem_path}, {trust_path}")
    return 0


def _issue(args: argparse.Namespace) -> int:
    import segno

    from kiosk.core.credentials import codec
    from kiosk.core.credentials.keys import SigningKey
    from kiosk.core.credentials.types import NatResult

    try:
        key = SigningKey.from_pem(args.key.read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        return _fail(f"cannot load key {args.key}: {exc}")
    iat: dt.datetime = args.iat or dt.datetime.now(dt.UTC).replace(microsecond=0)
    exp = iat + dt.timedelta(seconds=args.valid_for)
    extra: dict[str, Any] = {"iss": args.iss} if args.iss else {}
    try:
        if args.kind == "health-code":
            nat = NatResult(args.nat, args.nat_sampled or iat) if args.nat else None
            text = codec.issue_health_code(
                key,
                name=args.name,
                id_number=args.id_number,
                color=args.color,
                nat=nat,
                visited_regions=args.visited,
                vaccine_doses=args.doses,
                iat=iat,
                exp=exp,
                **extra,
            )
        elif args.kind == "campus-pass":
            text = codec.issue_campus_pass(
                key,
                person_no=args.person_no,
                role=args.role,
                color=args.color,
                checked_in=not args.not_checked_in,
                iat=iat,
                exp=exp,
                **extra,
            )
        else:
            text = codec.issue_visit_slip(
                key, approval_no=args.approval_no, iat=iat, exp=exp, **extra
            )
    except ValueError as exc:
        return _fail(f"cannot issue: {exc}")
    out: Path = args.out
    txt_path = out.parent / f"{out.name}.txt"
    png_path = out.parent / f"{out.name}.png"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        txt_path.write_text(text + "\n", encoding="ascii")
        segno.make_qr(text, error="m").save(str(png_path), scale=QR_SCALE, border=QR_BORDER)
    except OSError as exc:
        return _fail(f"cannot write {exc.filename or out}: {exc.strerror or exc}")
    print(f"{KINDS[args.kind]} valid until {exp.isoformat()} -> {txt_path}, {png_path}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    from kiosk.core.credentials.codec import decode_credential
    from kiosk.core.credentials.keys import TrustListError, load_trust_list
    from kiosk.core.credentials.types import CredentialError
    from kiosk.core.reasons import message

    try:
        ring = load_trust_list(args.trust)
    except OSError as exc:
        return _fail(f"cannot read trust list {args.trust}: {exc.strerror}")
    except TrustListError as exc:
        return _fail(f"bad trust list: {exc}")
    if args.file is not None:
        try:
            text = args.file.read_text(encoding="ascii", errors="replace").strip()
        except OSError as exc:
            return _fail(f"cannot read {args.file}: {exc.strerror}")
    else:
        text = args.text
    now = args.now or dt.datetime.now(dt.UTC)
    try:
        credential = decode_credential(text, ring, now, skew_s=max(0, args.skew))
    except CredentialError as exc:
        if args.json:
            print(json.dumps({"valid": False, "reason": exc.reason.value, "detail": exc.detail}))
        else:
            print(f"refused: {exc.reason.value} ({message(exc.reason, 'en')}): {exc.detail}")
        return 1
    claims = credential_to_json(credential)
    if args.json:
        print(json.dumps({"valid": True, **claims}, ensure_ascii=False, indent=2))
    else:
        print(f"valid {claims['prefix']}")
        for name, value in claims.items():
            print(f"  {name}: {value}")
    return 0


def credential_to_json(credential: Credential) -> dict[str, Any]:
    """A JSON-ready dict of a decoded credential: envelope first, then its claims."""
    import dataclasses

    def plain(value: Any) -> Any:
        if isinstance(value, bytes):
            return value.hex()
        if isinstance(value, dt.datetime):
            return value.isoformat()
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    fields = dataclasses.asdict(credential)
    envelope = fields.pop("envelope")
    return {k: plain(v) for k, v in {**envelope, **fields}.items()}
