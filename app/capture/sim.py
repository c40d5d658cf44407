"""`rekam-sbi-sim`: a face camera, a slap/thumb fingerprint scanner and an iris scanner on SBI
0.9.5 over 127.0.0.1 ports, with MockMDS's admin knobs (`/admin/status`, `/admin/score`,
`/admin/delay`, `/admin/profile`) and `/admin/fail` (make the next capture(s) fail), plus
`/admin/tamper` (corrupt the next answer, to prove the agent refuses it).

Bio values are synthetic: random bytes behind the marker SYNTHETIC_MARKER, never real
biometrics, so a test can search the portal's database, logs and files for them.
"""

from __future__ import annotations

import argparse
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import Flask, Response, request
from werkzeug.serving import make_server

from .sbi import (
    FINGERS_LEFT,
    FINGERS_RIGHT,
    IRISES,
    SPEC_VERSION,
    STATUSES,
    THUMBS,
    DeviceKey,
    b64url,
    chain_hash,
)

SYNTHETIC_MARKER = b"REKAM-SYNTHETIC-BIO:"
ERRORS = {"0": "Success", "701": "Capture failed", "704": "Device not ready",
          "705": "Device busy", "709": "Unsupported bio type", "710": "Capture timed out"}


@dataclass
class Device:
    type: str  # Face | Finger | Iris (SBI bio type)
    sub_type: str  # Full face | Slap | Double
    device_id: str
    sub_ids: list[str]
    score: float
    make: str = "REKAM-SIM"
    status: str = "Ready"
    delay_ms: dict = field(default_factory=dict)  # method → ms
    profile: str = "Default"
    fail_next: int = 0
    tamper_next: str | None = None
    issued: list[str] = field(default_factory=list)  # the bio values handed out (tests)
    key: DeviceKey | None = None
    serial: str = field(default_factory=lambda: secrets.token_hex(5).upper())
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def code(self) -> str:
        return f"rekam-sim-{self.type.lower()}-{self.serial}"

    def digital_id(self) -> dict:
        return {"serialNo": self.serial, "make": self.make, "model": f"SIM-{self.type.upper()}",
                "type": self.type, "deviceSubType": self.sub_type,
                "deviceProvider": "REKAM", "deviceProviderId": "REKAM.SIM.SBI",
                "dateTime": _now()}

    def info(self) -> dict:
        return {"deviceStatus": self.status, "deviceId": self.device_id,
                "firmware": f"REKAM.SIM.{self.type.upper()}.1.0", "certification": "L0",
                "serviceVersion": SPEC_VERSION, "deviceSubId": self.sub_ids, "callbackId": "",
                "digitalId": self.key.sign(self.digital_id()), "deviceCode": self.code,
                "env": "Developer", "purpose": "Registration", "specVersion": [SPEC_VERSION]}

    def discovery(self) -> dict:
        info = self.info()
        info.pop("firmware"), info.pop("env")
        info["digitalId"] = b64url(json.dumps(self.digital_id()).encode())
        info["purpose"] = ""
        return {**info, "error": {"errorCode": "0", "errorInfo": "Success"}}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _subtypes(device: Device, bio: dict) -> list[str]:
    asked = bio.get("bioSubType") or []
    if asked and asked != ["UNKNOWN"]:
        return list(asked)
    if device.type == "Face":
        return [""]
    if device.type == "Iris":
        return list(IRISES)
    return {"1": FINGERS_LEFT, "2": FINGERS_RIGHT, "3": THUMBS}.get(
        str(bio.get("deviceSubId", "1")), FINGERS_LEFT)


def _error_answer(code: str) -> dict:
    return {"biometrics": [{"specVersion": SPEC_VERSION, "data": "", "hash": "",
                            "error": {"errorCode": code, "errorInfo": ERRORS[code]}}]}


def capture(device: Device, body: dict) -> dict:
    """RCAPTURE: one entry per captured sub-type (exceptions skipped), chained hashes."""
    with device.lock:
        status, fail, tamper = device.status, device.fail_next > 0, device.tamper_next
        device.fail_next = max(0, device.fail_next - 1)
        device.tamper_next = None
    if status == "Not Ready" or status == "Not Registered":
        return _error_answer("704")
    if status == "Busy":
        return _error_answer("705")
    if fail:
        return _error_answer("701")
    bio = (body.get("bio") or [{}])[0]
    if bio.get("type") != device.type:
        return _error_answer("709")
    previous = bio.get("previousHash") or None
    exceptions = set(bio.get("exception") or [])
    entries = []
    for sub_type in _subtypes(device, bio):
        if sub_type in exceptions:
            continue
        value = SYNTHETIC_MARKER + f"{device.type}/{sub_type}/".encode() + secrets.token_bytes(24)
        device.issued.append(b64url(value))
        payload = {"digitalId": device.key.sign(device.digital_id()), "deviceCode": device.code,
                   "deviceServiceVersion": SPEC_VERSION, "bioType": device.type,
                   "bioSubType": sub_type, "purpose": body.get("purpose", "Registration"),
                   "env": body.get("env", "Developer"), "bioValue": b64url(value),
                   "transactionId": body.get("transactionId", ""), "timestamp": _now(),
                   "requestedScore": str(float(bio.get("requestedScore") or 0)),
                   "qualityScore": str(float(device.score))}
        digest = chain_hash(previous, value)
        previous = digest
        entries.append({"specVersion": body.get("specVersion", SPEC_VERSION),
                        "data": device.key.sign(payload), "hash": digest,
                        "error": {"errorCode": "0", "errorInfo": "Success"}})
    if tamper == "hash" and entries:
        entries[-1]["hash"] = "0" * 64
    elif tamper == "data" and entries:
        # a better score written over the signed one: the signature no longer matches
        head, _payload, sig = entries[0]["data"].split(".")
        forged = {**payload, "qualityScore": "100.0"}
        entries[0]["data"] = f"{head}.{b64url(json.dumps(forged).encode())}.{sig}"
    return {"biometrics": entries}


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data), status, mimetype="application/json",
                    headers={"Access-Control-Allow-Origin": "*"})


def device_app(device: Device, devices: list[Device]) -> Flask:
    app = Flask(f"sbi-sim-{device.type}")

    def pause(method: str):
        ms = device.delay_ms.get(method, 0)
        if ms:
            time.sleep(ms / 1000)  # the knob's point is a slow device

    @app.route("/device", methods=["MOSIPDISC", "POST"])
    def discover():
        pause("MOSIPDISC")
        return _json([device.discovery()])

    @app.route("/info", methods=["MOSIPDINFO", "POST"])
    def info():
        pause("MOSIPDINFO")
        return _json([{"deviceInfo": device.key.sign(device.info()),
                       "error": {"errorCode": "0", "errorInfo": "Success"}}])

    @app.route("/capture", methods=["RCAPTURE", "POST"])
    def rcapture():
        pause("RCAPTURE")
        return _json(capture(device, request.get_json(silent=True) or {}))

    def targets(body: dict) -> list[Device]:
        kind = body.get("type", "Biometric Device")
        return [d for d in devices if kind in ("Biometric Device", d.type)]

    @app.post("/admin/<knob>")
    def admin(knob: str):
        body = request.get_json(silent=True) or {}
        chosen = targets(body)
        for target in chosen:
            with target.lock:
                if knob == "status" and body.get("deviceStatus") in STATUSES:
                    target.status = body["deviceStatus"]
                elif knob == "score":
                    target.score = float(body.get("qualityScore", target.score))
                elif knob == "delay":
                    for method in body.get("method") or ["RCAPTURE"]:
                        target.delay_ms[method] = int(body.get("delay", 0))
                elif knob == "profile":
                    target.profile = str(body.get("profileId", "Default"))
                elif knob == "fail":
                    target.fail_next = int(body.get("count", 1))
                elif knob == "tamper":
                    target.tamper_next = body.get("what", "hash")
                else:
                    return _json({"errorCode": "500", "errorInfo": "unknown knob"}, 404)
        return _json({"errorCode": "0", "errorInfo": "Success", "devices": len(chosen)})

    @app.get("/admin/issued")
    def issued():  # the synthetic bio values handed out, for the no-clear-biometrics test
        return _json({"bioValues": list(device.issued)})

    return app


DEFAULT_SCORES = {"Face": 95.0, "Finger": 85.0, "Iris": 85.0}


def make_devices() -> list[Device]:
    devices = [Device("Face", "Full face", "1", ["0"], DEFAULT_SCORES["Face"]),
               Device("Finger", "Slap", "2", ["1", "2", "3"], DEFAULT_SCORES["Finger"]),
               Device("Iris", "Double", "3", ["3"], DEFAULT_SCORES["Iris"])]
    for device in devices:
        device.key = DeviceKey(device.code)
    return devices


class Simulator:
    """The three devices on consecutive ports from `port` (0: any free ports), in threads."""

    def __init__(self, host: str = "127.0.0.1", port: int = 4501):
        self.devices = make_devices()
        self.servers = []
        for offset, device in enumerate(self.devices):
            server = make_server(host, port + offset if port else 0,
                                 device_app(device, self.devices), threaded=True)
            self.servers.append(server)
        self.ports = [s.server_port for s in self.servers]
        self.threads = [threading.Thread(target=s.serve_forever, daemon=True)
                        for s in self.servers]

    def start(self) -> Simulator:
        for thread in self.threads:
            thread.start()
        return self

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()

    def device(self, kind: str) -> Device:
        return next(d for d in self.devices if d.type == kind)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="rekam-sbi-sim", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4501, help="first port (3 consecutive)")
    args = parser.parse_args(argv)
    sim = Simulator(args.host, args.port).start()
    for device, port in zip(sim.devices, sim.ports, strict=True):
        print(f"{device.type:6} {device.code} on http://{args.host}:{port}", flush=True)
    try:
        for thread in sim.threads:
            thread.join()
    except KeyboardInterrupt:
        sim.stop()


if __name__ == "__main__":
    main()
