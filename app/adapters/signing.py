"""Ed25519 keys and JWS compact tokens for receipts (DESIGN §4), through joserfc.

Private keys are kept encrypted at rest: AES-256-GCM under a key derived (HKDF-SHA256) from
DATA_KEY (DESIGN §8), so a copy of the database alone cannot forge a receipt.
"""

from __future__ import annotations

import json
import re
import secrets
import warnings
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey
from joserfc.util import urlsafe_b64decode

ALG = "EdDSA"  # the contract's name (RFC 8037); RFC 9864 prefers "Ed25519", joserfc warns
MAX_TOKEN_LENGTH = 2048  # ours are ~350 characters; anything far longer is not ours
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", re.ASCII)
_KEY_INFO = b"rekam receipt signing key v1"
_NONCE_BYTES = 12


class TokenError(ValueError):
    """A token that is not well-formed, or whose signature does not verify."""


@dataclass(frozen=True)
class KeyPair:
    kid: str
    public_jwk: dict  # {"kty":"OKP","crv":"Ed25519","x":…,"kid":…}
    private_pem: bytes


def new_key_pair() -> KeyPair:
    # Short random kid: it travels in every QR code.
    kid = secrets.token_urlsafe(6)
    key = OKPKey.generate_key("Ed25519", parameters={"kid": kid})
    return KeyPair(kid, public_jwk(key), key.as_pem(private=True))


def public_jwk(key: OKPKey) -> dict:
    data = key.as_dict(private=False)
    return {"kty": "OKP", "crv": "Ed25519", "x": data["x"], "kid": data["kid"],
            "use": "sig", "alg": ALG}


def _wrapping_key(data_key: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO).derive(
        data_key.encode())


def encrypt_private(pem: bytes, data_key: str, kid: str) -> bytes:
    nonce = secrets.token_bytes(_NONCE_BYTES)
    return nonce + AESGCM(_wrapping_key(data_key)).encrypt(nonce, pem, kid.encode())


def decrypt_private(blob: bytes, data_key: str, kid: str) -> bytes:
    nonce, sealed = blob[:_NONCE_BYTES], blob[_NONCE_BYTES:]
    return AESGCM(_wrapping_key(data_key)).decrypt(nonce, sealed, kid.encode())


@lru_cache(maxsize=16)
def private_key(blob: bytes, data_key: str, kid: str) -> OKPKey:
    """The unsealed signing key, once per process: a key's sealed bytes never change, and the
    cache is keyed by them (and the kid), so a new key is a new entry, never a stale one."""
    return OKPKey.import_key(decrypt_private(blob, data_key, kid), parameters={"kid": kid})


def sign(claims: dict, kid: str, private_pem: bytes | OKPKey) -> str:
    """JWS compact serialisation of the claims, compact JSON so the QR stays small."""
    key = (private_pem if isinstance(private_pem, OKPKey)
           else OKPKey.import_key(private_pem, parameters={"kid": kid}))
    payload = json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the EdDSA deprecation note, see ALG
        return jws.serialize_compact({"alg": ALG, "kid": kid}, payload, key, algorithms=[ALG])


def token_kid(token: str) -> str:
    """The kid in a token's protected header, read without trusting anything else in it."""
    # Only base64url and dots: anything else (a NUL, which PostgreSQL refuses in a query, a
    # newline, a space) cannot be ours and never reaches the database.
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH \
            or not _COMPACT_JWS.fullmatch(token):
        raise TokenError("shape")
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        raise TokenError("shape")
    try:
        header = json.loads(urlsafe_b64decode(parts[0].encode()))
    except ValueError:
        raise TokenError("header") from None
    if not isinstance(header, dict) or header.get("alg") != ALG:
        raise TokenError("header")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenError("kid")
    return kid


@lru_cache(maxsize=64)
def _public_key(jwk_json: str) -> OKPKey:
    # Public keys never change once made: parse each once per process.
    return OKPKey.import_key(json.loads(jwk_json))


def verify(token: str, jwk: dict | str) -> dict:
    """The claims of a token signed by this public key (a JWK, or its JSON); TokenError
    otherwise."""
    try:
        key = _public_key(jwk if isinstance(jwk, str) else json.dumps(jwk, sort_keys=True))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obj = jws.deserialize_compact(token, key, algorithms=[ALG])
        claims = json.loads(obj.payload)
    except (JoseError, ValueError, TypeError):
        raise TokenError("signature") from None
    if not isinstance(claims, dict):
        raise TokenError("claims")
    return claims
