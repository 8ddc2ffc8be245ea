"""Signed access tokens (JWT, HS256) and opaque refresh tokens."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass

import jwt

from kinerja.core import clock
from kinerja.core.errors import Unauthenticated

AUDIENCE = "kinerja-api"
ISSUER = "kinerja"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    expires_at: float  # POSIX seconds
    # The session (refresh-token family) the token was issued for; checked on every operation.
    session_id: uuid.UUID | None = None


def issue_access_token(secret: str, user_id: uuid.UUID, tenant_id: uuid.UUID, seconds: int,
                       session_id: uuid.UUID | None = None) -> tuple[str, dt.datetime]:
    """With ``session_id`` (the ``sid`` claim) the token works only while its session is live."""
    now = clock.now()
    expires = now + dt.timedelta(seconds=seconds)
    claims = {
        "sub": str(user_id),
        "tid": str(tenant_id),
        "aud": AUDIENCE,
        "iss": ISSUER,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "jti": secrets.token_hex(8),
    }
    if session_id is not None:
        claims["sid"] = str(session_id)
    return jwt.encode(claims, secret, algorithm=ALGORITHM), expires.replace(microsecond=0)


# Tokens whose signature and claims were checked, by (secret, token): a client sends the same token
# with every request until it expires, and checking an HMAC and decoding the claims again each time
# was a tenth of a small read's server time. Expiry is still checked at each use.
_VERIFIED: dict[tuple[str, str], AccessClaims] = {}
_VERIFIED_MAX = 10_000


def verify_access_token(secret: str, token: str) -> AccessClaims:
    """Signature, algorithm, expiry, audience and issuer are all checked; any failure is one error."""
    known = _VERIFIED.get((secret, token))
    if known is not None:
        if known.expires_at > time.time():
            return known
        del _VERIFIED[(secret, token)]
    claims = _verify(secret, token)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[(secret, token)] = claims
    return claims


def _verify(secret: str, token: str) -> AccessClaims:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "tid", "aud", "iss"]},
        )
        session = uuid.UUID(str(claims["sid"])) if "sid" in claims else None
        return AccessClaims(uuid.UUID(str(claims["sub"])), uuid.UUID(str(claims["tid"])), float(claims["exp"]), session)
    except (jwt.PyJWTError, ValueError, KeyError, TypeError):
        raise Unauthenticated("Invalid or expired access token") from None


@dataclass(frozen=True)
class RefreshTokenParts:
    tenant_id: uuid.UUID
    token_id: uuid.UUID
    secret: str


def compose_refresh_token(tenant_id: uuid.UUID, token_id: uuid.UUID, secret: str) -> str:
    return f"{tenant_id.hex}.{token_id.hex}.{secret}"


def parse_refresh_token(raw: str) -> RefreshTokenParts:
    try:
        tenant_hex, token_hex, secret = raw.split(".", 2)
        return RefreshTokenParts(uuid.UUID(hex=tenant_hex), uuid.UUID(hex=token_hex), secret)
    except (ValueError, AttributeError):
        raise Unauthenticated("Invalid refresh token") from None


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, secret_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), secret_hash)


def successor_secret(key: str, token_id: uuid.UUID, secret: str) -> str:
    """The secret of the token that rotating ``token_id`` issues: derived from the presented secret
    with the server key, so a second exchange within the grace window can answer the same successor
    although only hashes are stored, and nobody without both can compute it."""
    digest = hmac.new(key.encode(), b"kinerja-refresh-successor\x00" + token_id.bytes + secret.encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
