"""What leaves a station (CAPTURE.md "What leaves the station"), shared by agent and portal.

A **packet** is a JWS compact string (EdDSA, the station's Ed25519 key, `kid` header) whose
payload is the record: its metadata in clear (booking, per-step attempts and quality, flags,
hashes, device serials, operator, times) and `sealed` — the biometric data encrypted to the
upstream national system's X25519 public key (a libsodium sealed box). The portal checks the
signature and the metadata, stores the bytes, and can never open `sealed`.

A **bundle** (flashdisk) is a zip: manifest.json, records/<record_id>.jws and manifest.sig (the
station's Ed25519 signature of the manifest bytes); the manifest names the previous bundle and
the SHA-256 of its manifest, so a missing or altered bundle breaks the chain.

A **provisional receipt** is a receipt-shaped JWS signed by the station key (`d`:
"provisional") that /v/ verifies through the station keys the portal publishes.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from nacl.public import PrivateKey, PublicKey, SealedBox

FORMAT = "kcap/1"
MAX_PACKET = 4 * 1024 * 1024


class PacketError(ValueError):
    """A packet, bundle or receipt that is not what it claims: bad signature, unknown key,
    broken manifest chain, hash mismatch, malformed."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def canonical(data) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the station's Ed25519 key ---------------------------------------------------------------


@dataclass
class StationKey:
    kid: str
    private: Ed25519PrivateKey

    @classmethod
    def generate(cls, station_code: str) -> StationKey:
        private = Ed25519PrivateKey.generate()
        raw = private.public_key().public_bytes(serialization.Encoding.Raw,
                                                serialization.PublicFormat.Raw)
        return cls(f"st-{station_code}-{sha256_hex(raw)[:8]}", private)

    @classmethod
    def load(cls, kid: str, pem: bytes) -> StationKey:
        return cls(kid, serialization.load_pem_private_key(pem, password=None))

    def pem(self) -> bytes:
        return self.private.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())

    def public_jwk(self) -> dict:
        raw = self.private.public_key().public_bytes(serialization.Encoding.Raw,
                                                     serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw), "kid": self.kid,
                "use": "sig", "alg": "EdDSA"}

    def sign_jws(self, payload: dict) -> str:
        header = b64url(canonical({"alg": "EdDSA", "kid": self.kid}))
        body = b64url(canonical(payload))
        signature = self.private.sign(f"{header}.{body}".encode("ascii"))
        return f"{header}.{body}.{b64url(signature)}"

    def sign_bytes(self, data: bytes) -> bytes:
        return self.private.sign(data)


def _public(jwk: dict) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise PacketError("key_type")
    return Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))


def jws_kid(token: str) -> str:
    try:
        header = json.loads(b64url_decode(token.split(".")[0]))
        kid = header["kid"]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
        raise PacketError("malformed") from error
    if not isinstance(kid, str) or header.get("alg") != "EdDSA":
        raise PacketError("malformed")
    return kid


def verify_jws(token: str, jwk: dict) -> dict:
    try:
        header, body, signature = token.split(".")
        _public(jwk).verify(b64url_decode(signature), f"{header}.{body}".encode("ascii"))
        payload = json.loads(b64url_decode(body))
    except InvalidSignature as error:
        raise PacketError("signature") from error
    except (ValueError, TypeError, KeyError) as error:
        raise PacketError("malformed") from error
    if not isinstance(payload, dict):
        raise PacketError("malformed")
    return payload


def verify_bytes(data: bytes, signature: bytes, jwk: dict) -> None:
    try:
        _public(jwk).verify(signature, data)
    except (InvalidSignature, ValueError) as error:
        raise PacketError("signature") from error


# --- sealing for upstream --------------------------------------------------------------------


def seal(data: bytes, upstream_public_b64: str) -> str:
    """X25519 sealed box (libsodium crypto_box_seal) to the upstream key: only its holder opens it."""
    return b64url(SealedBox(PublicKey(b64url_decode(upstream_public_b64))).encrypt(data))


def open_sealed(sealed_b64: str, upstream_private_b64: str) -> bytes:
    """Upstream's side (the fake upstream adapter and tests): never called by the portal."""
    return SealedBox(PrivateKey(b64url_decode(upstream_private_b64))).decrypt(
        b64url_decode(sealed_b64))


def new_upstream_keypair() -> tuple[str, str]:
    private = PrivateKey.generate()
    return b64url(bytes(private.public_key)), b64url(bytes(private))


# --- records ---------------------------------------------------------------------------------


def make_packet(key: StationKey, *, record_id: str, station: str, booking_code: str,
                meta: dict, sealed: str) -> bytes:
    record = {"format": FORMAT, "record_id": record_id, "station": station,
              "booking_code": booking_code, "meta": meta, "sealed": sealed}
    return key.sign_jws(record).encode("ascii")


def read_packet(packet: bytes, key_for) -> dict:
    """The record in a packet, its station signature verified with `key_for(kid)` (a JWK or
    None for an unknown key)."""
    if len(packet) > MAX_PACKET:
        raise PacketError("too_large")
    try:
        token = packet.decode("ascii")
    except UnicodeDecodeError as error:
        raise PacketError("malformed") from error
    jwk = key_for(jws_kid(token))
    if jwk is None:
        raise PacketError("unknown_key")
    record = verify_jws(token, jwk)
    if record.get("format") != FORMAT or not isinstance(record.get("meta"), dict):
        raise PacketError("malformed")
    return record


# --- bundles ---------------------------------------------------------------------------------


def write_bundle(key: StationKey, *, bundle_id: str, station: str, previous_id: str | None,
                 previous_sha256: str | None, packets: list[tuple[dict, bytes]],
                 created_at: str) -> tuple[bytes, str]:
    """(zip bytes, manifest SHA-256). `packets`: (announcement, packet bytes) pairs, the
    announcement being what the network path POSTs ({record_id, booking_code, sha256, size,
    meta})."""
    manifest = {"format": FORMAT, "bundle_id": bundle_id, "station": station, "kid": key.kid,
                "previous_bundle_id": previous_id, "previous_manifest_sha256": previous_sha256,
                "created_at": created_at, "records": [a for a, _ in packets]}
    manifest_bytes = canonical(manifest)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", manifest_bytes)
        archive.writestr("manifest.sig", b64url(key.sign_bytes(manifest_bytes)))
        for announcement, packet in packets:
            archive.writestr(f"records/{announcement['record_id']}.jws", packet)
    return buffer.getvalue(), sha256_hex(manifest_bytes)


@dataclass
class Bundle:
    manifest: dict
    manifest_sha256: str
    packets: dict[str, bytes]  # record_id → packet bytes


MAX_BUNDLE_ENTRIES = 20000


def read_bundle(data: bytes, key_for) -> Bundle:
    """A bundle whose manifest signature verifies with the station's published key and whose
    every record matches the manifest's hash. Raises PacketError otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        if len(names) > MAX_BUNDLE_ENTRIES:
            raise PacketError("too_large")
        manifest_bytes = archive.read("manifest.json")
        signature = b64url_decode(archive.read("manifest.sig").decode("ascii"))
        manifest = json.loads(manifest_bytes)
    except (zipfile.BadZipFile, KeyError, ValueError, UnicodeDecodeError) as error:
        raise PacketError("malformed") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise PacketError("malformed")
    jwk = key_for(manifest.get("kid"))
    if jwk is None:
        raise PacketError("unknown_key")
    verify_bytes(manifest_bytes, signature, jwk)
    packets = {}
    for entry in manifest.get("records") or []:
        name = f"records/{entry.get('record_id')}.jws"
        if name not in names:
            raise PacketError("missing_record")
        info = archive.getinfo(name)
        if info.file_size > MAX_PACKET:
            raise PacketError("too_large")
        packet = archive.read(name)
        if sha256_hex(packet) != entry.get("sha256"):
            raise PacketError("record_hash")
        packets[entry["record_id"]] = packet
    return Bundle(manifest, sha256_hex(manifest_bytes), packets)


# --- provisional receipt ---------------------------------------------------------------------

PROVISIONAL = "provisional"
