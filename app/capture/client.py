"""The agent's SBI 0.9.5 client: discovery over a port range of 127.0.0.1, device info, RCAPTURE
— every device JWS and the hash chain verified (app/capture/sbi.py). Standard library HTTP only,
so a vendor's service on the same ports needs nothing else."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass

from .sbi import SPEC_VERSION, SbiError, b64url_decode, verify_capture, verify_jws

KIND_BY_TYPE = {"Face": "face", "Finger": "finger", "Iris": "iris"}
STATUS_BY_SBI = {"Ready": "ready", "Busy": "busy", "Not Ready": "not_ready",
                 "Not Registered": "not_ready"}


class DeviceUnreachable(ConnectionError):
    pass


@dataclass
class FoundDevice:
    port: int
    kind: str  # face | finger | iris
    bio_type: str  # SBI type
    device_id: str
    device_code: str
    serial: str
    status: str  # ready | busy | not_ready
    x5c: str  # the pinned device certificate
    sub_ids: list[str]


def _call(port: int, method: str, path: str, body: dict, timeout: float,
          host: str = "127.0.0.1"):
    data = json.dumps(body).encode()
    req = urllib.request.Request(f"http://{host}:{port}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:  # noqa: S310 (loopback)
            return json.loads(answer.read() or b"null")
    except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as error:
        raise DeviceUnreachable(str(error)) from error
    except ValueError as error:
        raise SbiError("answer_malformed") from error


def device_info(port: int, timeout: float = 2.0, pinned: dict | None = None) -> FoundDevice:
    """MOSIPDINFO, its deviceInfo JWS verified (and its key pinned per device code)."""
    answer = _call(port, "MOSIPDINFO", "/info", {}, timeout)
    if not isinstance(answer, list) or not answer:
        raise SbiError("answer_malformed")
    token = answer[0].get("deviceInfo", "")
    payload, x5c = verify_jws(token)
    code = payload.get("deviceCode", "")
    if pinned is not None and code in pinned and pinned[code] != x5c:
        raise SbiError("device_key_changed")
    digital, _ = verify_jws(payload.get("digitalId", ""), x5c)
    return FoundDevice(port=port, kind=KIND_BY_TYPE.get(digital.get("type"), "unknown"),
                       bio_type=digital.get("type", ""), device_id=payload.get("deviceId", ""),
                       device_code=code, serial=digital.get("serialNo", ""),
                       status=STATUS_BY_SBI.get(payload.get("deviceStatus"), "not_ready"),
                       x5c=x5c, sub_ids=list(payload.get("deviceSubId") or []))


def discover(ports, timeout: float = 0.5, pinned: dict | None = None) -> list[FoundDevice]:
    """MOSIPDISC on each port, then MOSIPDINFO on those that answered."""
    found = []
    for port in ports:
        try:
            listing = _call(port, "MOSIPDISC", "/device", {"type": "Biometric Device"}, timeout)
            if not listing:
                continue
            found.append(device_info(port, timeout=max(timeout, 2.0), pinned=pinned))
        except (DeviceUnreachable, SbiError):
            continue
    return found


@dataclass
class Capture:
    entries: list[dict]  # verified payloads (+hash), or {"error"} entries
    last_hash: str | None
    request: dict

    @property
    def error(self) -> dict | None:
        for entry in self.entries:
            if "bioValue" not in entry:
                return entry["error"]
        return None

    def bio_values(self) -> list[bytes]:
        return [b64url_decode(e["bioValue"]) for e in self.entries if "bioValue" in e]


def rcapture(device: FoundDevice, *, sub_id: str, sub_types: list[str], exceptions: list[str],
             requested_score: float, previous_hash: str | None, timeout_ms: int = 10000,
             env: str = "Developer") -> Capture:
    count = max(1, len(sub_types) - len(exceptions)) if sub_types else 1
    request = {"env": env, "purpose": "Registration", "specVersion": SPEC_VERSION,
               "timeout": str(timeout_ms), "captureTime": "", "domainUri": "",
               "transactionId": secrets.token_hex(8),
               "bio": [{"type": device.bio_type, "count": str(count),
                        "bioSubType": sub_types, "exception": exceptions,
                        "requestedScore": str(int(requested_score)),
                        "deviceId": device.device_id, "deviceSubId": sub_id,
                        "previousHash": previous_hash or ""}],
               "customOpts": None}
    answer = _call(device.port, "RCAPTURE", "/capture", request, timeout_ms / 1000 + 2)
    entries = verify_capture(answer, request, device.x5c)
    hashes = [e["hash"] for e in entries if "hash" in e]
    return Capture(entries, hashes[-1] if hashes else previous_hash, request)
