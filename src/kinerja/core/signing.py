"""Ed25519 signatures of issued documents.

A document's content (a JSON-able dict) is signed in its canonical form: JSON with sorted keys, no
insignificant whitespace, UTF-8 (``canonical``). The signing key comes from the environment:

- ``KINERJA_SIGNING_KEY``: the current private key, the 32-byte Ed25519 seed in base64 (or a PEM
  PKCS#8 private key);
- ``KINERJA_SIGNING_KEY_ID``: its name, stored with every signature (default ``k1``);
- ``KINERJA_SIGNING_PUBLIC_KEYS``: older keys still accepted when verifying, ``id:base64-public-key``
  separated by commas or spaces (rotation: move the old key's public half here, then set a new private
  key under a new id; documents signed before keep verifying).

In demo and test mode without a key, one is derived from the secret key so the demo works (demo mode
makes a new secret at every start unless KINERJA_SECRET_KEY is set). Production without a key issues
no document (``SigningUnavailable``)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kinerja.core.config import ConfigError, Settings


class SigningUnavailable(RuntimeError):
    """No signing key is configured (production without KINERJA_SIGNING_KEY)."""


def canonical(content: Any) -> bytes:
    """The canonical form that is hashed and signed: sorted keys, compact separators, UTF-8."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def content_hash(content: Any) -> str:
    return hashlib.sha256(canonical(content)).hexdigest()


def _b64(raw: str) -> bytes:
    text = raw.strip()
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_" if ("-" in text or "_" in text) else None,
                                validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError("a signing key must be base64") from None


def _private_key(raw: str) -> Ed25519PrivateKey:
    if raw.strip().startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(raw.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ConfigError("KINERJA_SIGNING_KEY must be an Ed25519 key")
        return key
    seed = _b64(raw)
    if len(seed) != 32:
        raise ConfigError("KINERJA_SIGNING_KEY must be a 32-byte Ed25519 seed in base64")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _public_key(raw: str) -> Ed25519PublicKey:
    data = _b64(raw)
    if len(data) != 32:
        raise ConfigError("a public key in KINERJA_SIGNING_PUBLIC_KEYS must be 32 bytes in base64")
    return Ed25519PublicKey.from_public_bytes(data)


def public_key_b64(key: Ed25519PublicKey) -> str:
    return base64.b64encode(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


@dataclass(frozen=True)
class Keyring:
    key_id: str
    private: Ed25519PrivateKey | None
    public: dict[str, Ed25519PublicKey]

    def sign(self, content: Any) -> tuple[str, str]:
        """(key id, base64 signature) of the content's canonical form."""
        if self.private is None:
            raise SigningUnavailable("KINERJA_SIGNING_KEY is not set")
        return self.key_id, base64.b64encode(self.private.sign(canonical(content))).decode()

    def verify(self, content: Any, key_id: str, signature: str) -> bool:
        key = self.public.get(key_id)
        if key is None:
            return False
        try:
            key.verify(base64.b64decode(signature, validate=True), canonical(content))
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True


_cache: dict[tuple[str, str, str, str, str], Keyring] = {}


def keyring(settings: Settings) -> Keyring:
    """The keys the settings name (parsed once per distinct configuration)."""
    raw_key, key_id, raw_public = settings.signing_key, settings.signing_key_id or "k1", settings.signing_public_keys
    cache_key = (raw_key, key_id, raw_public, settings.mode, settings.secret_key)
    if cached := _cache.get(cache_key):
        return cached
    private: Ed25519PrivateKey | None = None
    if raw_key:
        private = _private_key(raw_key)
    elif settings.mode in ("demo", "test"):
        seed = hashlib.sha256(b"kinerja-document-signing\0" + settings.secret_key.encode()).digest()
        private = Ed25519PrivateKey.from_private_bytes(seed)
        key_id = "demo-" + hashlib.sha256(seed).hexdigest()[:8]
    public: dict[str, Ed25519PublicKey] = {}
    for item in raw_public.replace(",", " ").split():
        name, sep, value = item.partition(":")
        if not sep or not name:
            raise ConfigError("KINERJA_SIGNING_PUBLIC_KEYS: entries are id:base64-public-key")
        public[name] = _public_key(value)
    if private is not None:
        public[key_id] = private.public_key()
    ring = Keyring(key_id, private, public)
    _cache[cache_key] = ring
    return ring
