"""SBI 0.9.5 as MOSIP's MockMDS speaks it (mosip/mosip-mock-services, MockMDS): the device-signed
JWS, the chained `hash`, numbers as strings. Shared by our simulator and the agent's client, so
what one writes the other reads exactly as a vendor's certified service would write it.

A device JWS is RS256 with the device certificate in `x5c` (as MockMDS); the agent pins that
certificate at discovery and refuses any capture signed by another key.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

SPEC_VERSION = "0.9.5"
STATUSES = ("Ready", "Busy", "Not Ready", "Not Registered")
PORT_RANGE = (4501, 4600)
# bioSubType names of SBI 0.9.5 per modality (MockMDS's lists)
FINGERS_LEFT = ["Left IndexFinger", "Left MiddleFinger", "Left RingFinger", "Left LittleFinger"]
FINGERS_RIGHT = ["Right IndexFinger", "Right MiddleFinger", "Right RingFinger",
                 "Right LittleFinger"]
THUMBS = ["Left Thumb", "Right Thumb"]
IRISES = ["Left", "Right"]
SUCCESS = "0"


class SbiError(ValueError):
    """An answer that is not what SBI 0.9.5 promises: a bad signature, a broken hash chain, a
    device key other than the one pinned, a malformed body."""


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- the chained hash ------------------------------------------------------------------------


def chain_hash(previous_hash: str | None, bio_value: bytes) -> str:
    """MockMDS: hex(SHA-256(prev ‖ SHA-256(bioValue bytes))), prev = the hex-decoded previous
    hash, or SHA-256("") when there is none. Upper-case hex, as MockMDS writes it."""
    prev = (bytes.fromhex(previous_hash) if previous_hash
            else hashlib.sha256(b"").digest())
    return hashlib.sha256(prev + hashlib.sha256(bio_value).digest()).hexdigest().upper()


# --- device keys and JWS ---------------------------------------------------------------------


class DeviceKey:
    """A device's signing key and its self-made certificate (a simulator's; a real device's
    comes from its vendor's CA)."""

    def __init__(self, common_name: str):
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = datetime.now(UTC)
        self.certificate = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(self.private.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
            .sign(self.private, hashes.SHA256()))
        self.x5c = base64.b64encode(
            self.certificate.public_bytes(serialization.Encoding.DER)).decode("ascii")

    def sign(self, payload: dict) -> str:
        header = {"alg": "RS256", "typ": "JWT", "x5c": [self.x5c]}
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "."
                         + b64url(json.dumps(payload, separators=(",", ":")).encode()))
        signature = self.private.sign(signing_input.encode("ascii"), padding.PKCS1v15(),
                                      hashes.SHA256())
        return signing_input + "." + b64url(signature)


def jws_certificate(token: str) -> str:
    """The base64 DER certificate in a JWS's x5c header (not yet trusted)."""
    try:
        header = json.loads(b64url_decode(token.split(".")[0]))
        return header["x5c"][0]
    except (ValueError, KeyError, IndexError, TypeError) as error:
        raise SbiError("jws_malformed") from error


def verify_jws(token: str, pinned_x5c: str | None = None) -> tuple[dict, str]:
    """(payload, certificate) of a device JWS whose RS256 signature verifies with its x5c
    certificate — and that certificate is the pinned one when one is given."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise SbiError("jws_malformed")
    x5c = jws_certificate(token)
    if pinned_x5c is not None and x5c != pinned_x5c:
        raise SbiError("device_key_changed")
    try:
        header = json.loads(b64url_decode(parts[0]))
        if header.get("alg") != "RS256":
            raise SbiError("jws_alg")
        certificate = x509.load_der_x509_certificate(base64.b64decode(x5c))
        certificate.public_key().verify(b64url_decode(parts[2]),
                                        f"{parts[0]}.{parts[1]}".encode("ascii"),
                                        padding.PKCS1v15(), hashes.SHA256())
        payload = json.loads(b64url_decode(parts[1]))
    except InvalidSignature as error:
        raise SbiError("jws_signature") from error
    except (ValueError, TypeError) as error:
        raise SbiError("jws_malformed") from error
    if not isinstance(payload, dict):
        raise SbiError("jws_malformed")
    return payload, x5c


def verify_capture(answer: dict, request: dict, pinned_x5c: str | None) -> list[dict]:
    """Every entry of an RCAPTURE answer checked: its JWS (signed by the pinned device key), its
    transaction id, and the hash chain from the request's previousHash. Returns the payloads
    with `hash` added (and the entry's error); raises SbiError on the first thing wrong."""
    entries = answer.get("biometrics") if isinstance(answer, dict) else None
    if not isinstance(entries, list) or not entries:
        raise SbiError("answer_malformed")
    previous = request["bio"][0].get("previousHash") or None
    checked = []
    for entry in entries:
        error = entry.get("error") or {}
        if str(error.get("errorCode", SUCCESS)) != SUCCESS:
            checked.append({"error": error})
            continue
        payload, _ = verify_jws(entry.get("data", ""), pinned_x5c)
        if payload.get("transactionId") != request["transactionId"]:
            raise SbiError("transaction_mismatch")
        bio_value = b64url_decode(payload.get("bioValue") or "")
        expected = chain_hash(previous, bio_value)
        if str(entry.get("hash", "")).upper() != expected:
            raise SbiError("hash_chain")
        previous = expected
        checked.append({**payload, "hash": expected, "error": error, "_jws": entry["data"]})
    return checked


def quality(payload: dict) -> float:
    """qualityScore is a string ("80.0" in MockMDS)."""
    try:
        return float(payload.get("qualityScore", "0"))
    except (TypeError, ValueError):
        return 0.0
