"""PAdES signatures on issued PDFs (pyHanko), by the office's signing certificate.

A certificate directory holds `office.pem` (certificate), `office.key` (PKCS#8 private key) and
`ca.pem` (the issuing chain). A real certificate from a PSrE (Penyelenggara Sertifikat
Elektronik) goes there in production; for the demo, `make_demo_certificate` creates a self-made
CA and an office certificate — clearly named as demo, trusted by nobody by default.
"""

from __future__ import annotations

import asyncio
import io
import os
import secrets
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CERT, KEY, CA = "office.pem", "office.key", "ca.pem"
_signers: dict[tuple[str, float], object] = {}
_lock = threading.Lock()


def is_complete(directory: Path) -> bool:
    return all((directory / name).is_file() for name in (CERT, KEY, CA))


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Rekam (DEMO, bukan PSrE)"),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def make_demo_certificate(directory: Path, office_name: str = "Kantor Kecamatan",
                          now: datetime | None = None) -> Path:
    """Create a demo CA and an office signing certificate in `directory` (if not there yet).

    Written into a temporary folder renamed into place, so workers starting at once agree.
    """
    directory = Path(directory)
    if is_complete(directory):
        return directory
    now = now or datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Rekam Demo CA")
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    office_key = ec.generate_private_key(ec.SECP256R1())
    office_cert = (
        x509.CertificateBuilder().subject_name(_name(f"{office_name} (demo)"))
        .issuer_name(ca_name).public_key(office_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1)).not_valid_after(now + timedelta(days=1095))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # Non-repudiation (content commitment) is what document signing validators look for.
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=True, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(office_key.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = directory.parent / f".{directory.name}.{os.getpid()}.{secrets.token_hex(4)}"
    tmp.mkdir(mode=0o700)
    (tmp / CA).write_bytes(_pem(ca_cert))
    (tmp / CERT).write_bytes(_pem(office_cert))
    key_path = tmp / KEY
    key_path.touch(mode=0o600)
    key_path.write_bytes(office_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    try:
        tmp.rename(directory)
    except OSError:  # another process made it first (or the folder exists): keep theirs
        shutil.rmtree(tmp, ignore_errors=True)
    return directory


def _signer(directory: Path):
    from pyhanko.sign import signers

    stamp = (str(directory), (directory / KEY).stat().st_mtime)
    with _lock:
        signer = _signers.get(stamp)
        if signer is None:
            signer = signers.SimpleSigner.load(
                str(directory / KEY), str(directory / CERT), ca_chain_files=(str(directory / CA),))
            if signer is None:
                raise ValueError(f"cannot load the signing certificate in {directory}")
            _signers.clear()
            _signers[stamp] = signer
    return signer


def sign_pdf(pdf: bytes, directory: Path, *, reason: str, location: str) -> bytes:
    """The PDF with an invisible PAdES B-B signature appended (an incremental update)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _sign(pdf, directory, reason, location)
    # pyHanko's synchronous API runs an event loop of its own, which a thread already running
    # one refuses (an async server; a test driving a browser): sign on a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_sign, pdf, directory, reason, location).result()


def _sign(pdf: bytes, directory: Path, reason: str, location: str) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    meta = signers.PdfSignatureMetadata(
        field_name="Rekam", md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES,
        reason=reason, location=location)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    out = signers.sign_pdf(writer, meta, signer=_signer(Path(directory)))
    return out.getvalue()
