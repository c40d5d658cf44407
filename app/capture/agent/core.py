"""The station agent's rules (CAPTURE.md §2), plain Python under the agent's web face.

Sessions (one per checked-in booking), the six steps, best-of-N per modality with the station's
thresholds, forced acceptance after the attempts run out, exceptions with an exception photo,
finalize (a record signed with the station's Ed25519 key, the biometrics sealed to upstream),
the outbox with retries and backoff, bundles, freeze limits, the provisional receipt.

Biometric values never rest in clear: each attempt's values are sealed to upstream as soon as
the device's answer is verified, and only the sealed text is written to the agent's SQLite.
"""

from __future__ import annotations

import json
import queue
import random
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .. import client as sbi_client
from .. import packet as packets
from ..sbi import FINGERS_LEFT, FINGERS_RIGHT, IRISES, THUMBS, SbiError, chain_hash
from ..sim import SYNTHETIC_MARKER
from .portal import Portal, Unreachable
from .store import Store

VERSION = "kcap/1 0.1"
STEPS = ("face", "signature", "slap_left", "slap_right", "thumbs", "iris")
EXCEPTION_PHOTO = "exception_photo"


@dataclass(frozen=True)
class StepSpec:
    kind: str  # the device: face, signature, finger, iris
    sub_id: str
    sub_types: tuple[str, ...]


SPECS = {
    "face": StepSpec("face", "0", ()),
    "signature": StepSpec("signature", "0", ()),
    "slap_left": StepSpec("finger", "1", tuple(FINGERS_LEFT)),
    "slap_right": StepSpec("finger", "2", tuple(FINGERS_RIGHT)),
    "thumbs": StepSpec("finger", "3", tuple(THUMBS)),
    "iris": StepSpec("iris", "3", tuple(IRISES)),
    EXCEPTION_PHOTO: StepSpec("face", "0", ()),
}
# MOSIP's registration client: slaps and thumbs 40, iris 60, face 90; 3 attempts; freeze at
# 100 unsent records or 5 days. The signature pad's "quality" is its ink-and-strokes check.
DEFAULTS = {"thresholds": {"face": 90, "finger": 40, "iris": 60, "signature": 50},
            "max_attempts": 3, "freeze_records": 100, "freeze_hours": 120,
            "heartbeat_s": 30.0, "probe_s": 5.0, "roster_s": 300.0, "max_backoff_s": 60.0, "senders": 4,
            "device_poll_s": 5.0}
SBI_ERRORS = {"704": "not_ready", "705": "busy"}


class AgentError(Exception):
    """`code`: not_on_roster, not_checked_in, frozen, no_session, closed, unknown_step,
    step_done, attempts_used, not_allowed, incomplete, device_not_ready, device_busy,
    device_disconnected, device_tampered, device_error, bad_nik."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code, self.detail = code, detail


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def now_utc() -> datetime:
    return datetime.now(UTC)


# --- the signature pad: not an SBI device, a driver of its own -------------------------------


class SimulatedSignaturePad:
    """Strokes and ink of a synthetic signature; `quality` is the pad's check (ink × strokes).
    A real pad's driver gives the same three things."""

    def __init__(self):
        self.status = "ready"
        self.next_strokes: int | None = None

    def capture(self) -> tuple[bytes, float]:
        strokes = self.next_strokes if self.next_strokes is not None else 6
        self.next_strokes = None
        ink = min(100, strokes * 15)
        value = SYNTHETIC_MARKER + b"Signature/" + secrets.token_bytes(16)
        return value, float(ink if strokes >= 2 else 0)


@dataclass
class DeviceState:
    kind: str
    status: str = "disconnected"
    last_ok_at: str | None = None
    error: str | None = None
    serial: str = ""
    found: sbi_client.FoundDevice | None = None


@dataclass
class Settings:
    station: str
    server: str
    token: str
    data: Path
    ports: tuple[int, ...] = tuple(range(4501, 4601))
    options: dict = field(default_factory=dict)

    def get(self, name: str):
        return self.options.get(name, DEFAULTS[name])


class Agent:
    def __init__(self, settings: Settings, signature_pad=None):
        self.settings = settings
        self.store = Store(Path(settings.data) / "agent.sqlite3")
        self.portal = Portal(settings.server, settings.token)
        self.pad = signature_pad or SimulatedSignaturePad()
        self.key = self._station_key()
        self.devices = {k: DeviceState(k) for k in ("face", "signature", "finger", "iris")}
        self.devices["signature"] = DeviceState("signature", "ready", _iso(now_utc()),
                                                serial="SIM-PAD")
        self.server_reachable = False
        # the portal knows our key once a heartbeat was answered (kept across restarts)
        self.key_registered = bool(self.store.setting("key_registered"))
        self.locks: dict[int, threading.Lock] = {}
        self.locks_guard = threading.Lock()
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.in_flight: set[str] = set()
        self.in_flight_guard = threading.Lock()
        self.work: queue.Queue = queue.Queue()
        self.timings: list[tuple[float, float]] = []  # (device ms, agent ms) per capture

    # --- keys and settings -------------------------------------------------------------------

    def _station_key(self) -> packets.StationKey:
        saved = self.store.setting("station_key")
        if saved:
            return packets.StationKey.load(saved["kid"], saved["pem"].encode())
        key = packets.StationKey.generate(self.settings.station)
        with self.store.tx() as db:
            self.store.set_setting("station_key", {"kid": key.kid, "pem": key.pem().decode()}, db)
        return key

    def threshold(self, kind: str) -> float:
        custom = self.store.setting("thresholds") or {}
        return float(custom.get(kind, self.settings.get("thresholds")[kind]))

    # --- background work ---------------------------------------------------------------------

    def start(self) -> Agent:
        self.discover()
        workers = [self._heartbeat_loop, self._dispatch_loop, self._device_loop]
        workers += [self._send_loop] * int(self.settings.get("senders"))
        for target in workers:
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()

    def _heartbeat_loop(self) -> None:
        """Every heartbeat_s while the portal answers; every probe_s while it does not, and
        the moment it answers again the whole outbox is due (no record waits out a backoff
        after the link is back)."""
        last_roster, was_up = 0.0, False
        while not self.stopping.is_set():
            up = self.heartbeat()
            if up and not was_up:
                self.flush()
            was_up = up
            if up and time.monotonic() - last_roster > self.settings.get("roster_s") \
                    and self.pull_roster():
                last_roster = time.monotonic()
            pause = self.settings.get("heartbeat_s")
            self.stopping.wait(pause if up else min(pause, self.settings.get("probe_s")))

    def _device_loop(self) -> None:
        while not self.stopping.wait(self.settings.get("device_poll_s")):
            self.poll_devices()

    # --- devices -----------------------------------------------------------------------------

    def discover(self) -> None:
        pinned = self.store.setting("pinned_devices") or {}
        for found in sbi_client.discover(self.settings.ports, pinned=pinned):
            if found.kind not in self.devices:
                continue
            pinned.setdefault(found.device_code, found.x5c)
            state = self.devices[found.kind]
            state.found, state.serial, state.status = found, found.serial, found.status
            state.last_ok_at, state.error = _iso(now_utc()), None
        self.store.set_setting("pinned_devices", pinned)

    def poll_devices(self) -> None:
        pinned = self.store.setting("pinned_devices") or {}
        missing = False
        for kind in ("face", "finger", "iris"):
            state = self.devices[kind]
            if state.found is None:
                missing = True
                continue
            try:
                info = sbi_client.device_info(state.found.port, timeout=2, pinned=pinned)
                state.status, state.error = info.status, None
                if info.status == "ready":
                    state.last_ok_at = _iso(now_utc())
            except sbi_client.DeviceUnreachable as error:
                state.status, state.error = "disconnected", str(error)[:200]
            except SbiError as error:
                state.status, state.error = "not_ready", str(error)
        if missing:
            self.discover()

    def health(self) -> dict:
        queued, oldest = self.outbox_backlog()
        return {"station": self.settings.station, "agent_version": VERSION,
                "server_reachable": self.server_reachable,
                "outbox": {"queued": queued, "oldest_age_s": oldest},
                "frozen": self.frozen(),
                "devices": [{"kind": d.kind, "status": d.status, "last_ok_at": d.last_ok_at,
                             "error": d.error, "serial": d.serial}
                            for d in self.devices.values()]}

    # --- portal: heartbeat and roster --------------------------------------------------------

    def heartbeat(self) -> bool:
        queued, _ = self.outbox_backlog()
        body = {"station": self.settings.station, "agent_version": VERSION,
                "outbox_queued": queued, "station_key": self.key.public_jwk(),
                "devices": [{"kind": d.kind, "status": d.status, "serial": d.serial}
                            for d in self.devices.values()]}
        try:
            answer = self.portal.call("POST", "/api/v1/capture/heartbeat", json_body=body)
        except Unreachable:
            self.server_reachable = False
            return False
        self.server_reachable = answer.status == 200
        if answer.status == 200:
            if not self.key_registered:
                self.store.set_setting("key_registered", True)
                self.key_registered = True
            self.wake.set()
        return self.server_reachable

    def pull_roster(self, day: str | None = None) -> bool:
        path = "/api/v1/capture/roster" + (f"?date={day}" if day else "")
        try:
            answer = self.portal.call("GET", path)
        except Unreachable:
            self.server_reachable = False
            return False
        if answer.status != 200:
            return False
        self.save_roster(answer.body)
        return True

    def save_roster(self, body: dict) -> None:
        with self.store.tx() as db:
            self.store.set_setting("office", body["office"], db)
            self.store.set_setting("upstream_public_key", body["upstream_public_key"], db)
            for b in body["bookings"]:
                db.execute(
                    "INSERT INTO roster (code, day, name, nik_masked, nik_last4, service, "
                    "slot_start, slot_end, status, priority) VALUES (?,?,?,?,?,?,?,?,?,?) "
                    "ON CONFLICT (code) DO UPDATE SET day=excluded.day, name=excluded.name, "
                    "nik_masked=excluded.nik_masked, nik_last4=excluded.nik_last4, "
                    "service=excluded.service, slot_start=excluded.slot_start, "
                    "slot_end=excluded.slot_end, status=excluded.status, "
                    "priority=excluded.priority",
                    (b["code"], body["date"], b["name"], b["nik_masked"], b["nik_last4"],
                     b["service"], b["slot"]["start"], b["slot"]["end"], b["status"],
                     int(b["priority"])))

    def roster(self) -> list[dict]:
        rows = self.store.all("SELECT r.*, (SELECT s.state FROM session s WHERE s.booking_code "
                              "= r.code ORDER BY s.id DESC LIMIT 1) AS session_state "
                              "FROM roster r ORDER BY slot_start, priority DESC, code")
        return [dict(r) for r in rows]

    # --- desk check-in while the link is down ------------------------------------------------

    def desk_check_in(self, booking_code: str, nik: str) -> dict:
        """The person on the roster is at the desk: their NIK is compared with the roster (its
        last four digits — the portal gives stations nothing more of a NIK) and the check-in is
        kept here; the record that follows checks the booking in at the portal."""
        row = self.store.one("SELECT * FROM roster WHERE code = ?", booking_code)
        if row is None:
            raise AgentError("not_on_roster")
        digits = "".join(ch for ch in nik if ch.isdigit())
        if len(digits) != 16 or not secrets.compare_digest(digits[-4:], row["nik_last4"]):
            raise AgentError("bad_nik")
        if row["status"] not in ("booked", "no_show", "checked_in", "in_capture"):
            raise AgentError("not_checked_in")
        with self.store.tx() as db:
            db.execute("UPDATE roster SET desk_checked_in_at = COALESCE(desk_checked_in_at, ?) "
                       "WHERE code = ?", (_iso(now_utc()), booking_code))
        return dict(self.store.one("SELECT * FROM roster WHERE code = ?", booking_code))

    # --- freeze ------------------------------------------------------------------------------

    def outbox_backlog(self) -> tuple[int, float | None]:
        row = self.store.one("SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox "
                             "WHERE state IN ('queued', 'sending')")
        oldest = None if row["oldest"] is None else round(time.time() - row["oldest"], 1)
        return row["n"], oldest

    def frozen(self) -> str | None:
        queued, oldest = self.outbox_backlog()
        if queued > int(self.settings.get("freeze_records")):
            return "records"
        if oldest is not None and oldest > float(self.settings.get("freeze_hours")) * 3600:
            return "age"
        return None

    # --- sessions ----------------------------------------------------------------------------

    def open_session(self, booking_code: str, operator: str) -> dict:
        row = self.store.one("SELECT * FROM roster WHERE code = ?", booking_code)
        if row is None:
            raise AgentError("not_on_roster")
        checked_in = row["status"] in ("checked_in", "in_capture") or (
            row["desk_checked_in_at"] and row["status"] in ("booked", "no_show"))
        if not checked_in:
            raise AgentError("not_checked_in")
        if self.frozen():
            raise AgentError("frozen", self.frozen())
        with self.store.tx() as db:
            existing = db.execute("SELECT id FROM session WHERE booking_code = ? AND state = "
                                  "'open'", (booking_code,)).fetchone()
            if existing is None:
                db.execute("INSERT INTO session (booking_code, operator, opened_at) VALUES "
                           "(?, ?, ?)", (booking_code, operator[:60], _iso(now_utc())))
                existing = db.execute("SELECT last_insert_rowid() AS id").fetchone()
        self._mark_in_capture(booking_code)
        return self.session_view(existing["id"])

    def _mark_in_capture(self, booking_code: str) -> None:
        """Best effort, off the desk's path (a link that swallows packets must not hold the
        officer up for a timeout): the record that follows carries the booking forward anyway."""

        def send():
            try:
                self.portal.call("POST", f"/api/v1/bookings/{booking_code}/in-capture",
                                 json_body={})
            except Unreachable:
                self.server_reachable = False

        threading.Thread(target=send, daemon=True).start()

    def _session(self, session_id: int):
        row = self.store.one("SELECT * FROM session WHERE id = ?", session_id)
        if row is None:
            raise AgentError("no_session")
        return row

    def _lock(self, session_id: int) -> threading.Lock:
        with self.locks_guard:
            return self.locks.setdefault(session_id, threading.Lock())

    def steps_of(self, session_id: int) -> dict:
        session = self._session(session_id)
        exceptions = json.loads(session["exceptions"])
        missing = {e["subtype"] for e in exceptions}
        attempts = self.store.all("SELECT * FROM attempt WHERE session_id = ? ORDER BY id",
                                  session_id)
        steps = {}
        names = [*STEPS, *([EXCEPTION_PHOTO] if exceptions else [])]
        for step in names:
            spec = SPECS[step]
            mine = [a for a in attempts if a["step"] == step]
            counted = [a for a in mine if a["status"] in ("ok", "below_threshold")]
            kept = next((a for a in mine if a["kept"]), None)
            all_missing = bool(spec.sub_types) and set(spec.sub_types) <= missing
            forced = bool(kept and kept["forced"])
            passed = bool(kept and kept["passed"])
            last = mine[-1] if mine else None
            steps[step] = {
                "step": step, "kind": spec.kind, "attempts": len(counted),
                "max_attempts": int(self.settings.get("max_attempts")),
                "threshold": self.threshold(spec.kind),
                "best": kept["quality"] if kept else None, "passed": passed, "forced": forced,
                "reason": kept["reason"] if kept else None,
                "exceptions": sorted(missing & set(spec.sub_types)),
                "done": passed or forced or all_missing,
                "last_status": last["status"] if last else None,
                "last_error": last["error"] if last else None,
                "can_accept": (not passed and not forced and kept is not None
                               and len(counted) >= int(self.settings.get("max_attempts")))}
        return steps

    def session_view(self, session_id: int) -> dict:
        session = self._session(session_id)
        steps = self.steps_of(session_id)
        current = next((s for s in steps.values() if not s["done"]), None)
        return {"id": session["id"], "booking_code": session["booking_code"],
                "operator": session["operator"], "state": session["state"],
                "exceptions": json.loads(session["exceptions"]),
                "steps": list(steps.values()), "current": current["step"] if current else None,
                "record_id": session["record_id"], "provisional": session["provisional"]}

    def _open(self, session_id: int):
        session = self._session(session_id)
        if session["state"] != "open":
            raise AgentError("closed")
        return session

    def capture(self, session_id: int, step: str) -> dict:
        if step not in SPECS:
            raise AgentError("unknown_step")
        with self._lock(session_id):
            return self._capture(session_id, step)

    def _capture(self, session_id: int, step: str) -> dict:
        started = time.perf_counter()
        session = self._open(session_id)
        state = self.steps_of(session_id).get(step)
        if state is None:
            raise AgentError("unknown_step")
        if state["done"]:
            raise AgentError("step_done")
        if state["attempts"] >= state["max_attempts"]:
            raise AgentError("attempts_used")
        spec = SPECS[step]
        threshold = state["threshold"]
        device_ms = 0.0
        try:
            if spec.kind == "signature":
                t0 = time.perf_counter()
                value, quality = self.pad.capture()
                device_ms = (time.perf_counter() - t0) * 1000
                digest = chain_hash(session["chain_head"], value)
                entries = [{"bioSubType": "Signature", "bioValue": packets.b64url(value),
                            "hash": digest, "qualityScore": str(quality)}]
                last_hash, serial = digest, self.devices["signature"].serial
            else:
                device = self.devices[spec.kind]
                if device.found is None:
                    self.discover()
                if device.found is None:
                    raise AgentError("device_disconnected")
                t0 = time.perf_counter()
                shot = sbi_client.rcapture(
                    device.found, sub_id=spec.sub_id, sub_types=list(spec.sub_types),
                    exceptions=state["exceptions"], requested_score=threshold,
                    previous_hash=session["chain_head"])
                device_ms = (time.perf_counter() - t0) * 1000
                serial = device.serial
                if shot.error is not None:
                    code = str(shot.error.get("errorCode"))
                    device.status = SBI_ERRORS.get(code, device.status)
                    raise AgentError({"704": "device_not_ready", "705": "device_busy"}.get(
                        code, "device_error"), str(shot.error.get("errorInfo", ""))[:200])
                device.status, device.last_ok_at = "ready", _iso(now_utc())
                entries, last_hash = shot.entries, shot.last_hash
                quality = sum(float(e["qualityScore"]) for e in entries) / len(entries)
        except sbi_client.DeviceUnreachable as error:
            self.devices[spec.kind].status = "disconnected"
            return self._failed(session_id, step, threshold, "device_disconnected", str(error))
        except SbiError as error:
            return self._failed(session_id, step, threshold, "device_tampered", str(error))
        except AgentError as error:
            if error.code.startswith("device_"):
                return self._failed(session_id, step, threshold, error.code, error.detail)
            raise
        passed = quality >= threshold
        sealed = packets.seal(packets.canonical({
            "step": step, "entries": [{k: e.get(k) for k in
                                       ("bioSubType", "bioValue", "hash", "qualityScore")}
                                      for e in entries],
            "device_jws": [e.get("_jws") for e in entries if e.get("_jws")]}),
            self.store.setting("upstream_public_key") or "")
        hashes = [e["hash"] for e in entries]
        with self.store.tx() as db:
            best = db.execute("SELECT id, quality FROM attempt WHERE session_id = ? AND step = ? "
                              "AND kept = 1", (session_id, step)).fetchone()
            number = db.execute("SELECT COUNT(*) FROM attempt WHERE session_id = ? AND step = ? "
                                "AND status IN ('ok','below_threshold')",
                                (session_id, step)).fetchone()[0] + 1
            keep = best is None or quality >= best["quality"]
            if keep and best is not None:
                db.execute("UPDATE attempt SET kept = 0 WHERE id = ?", (best["id"],))
            agent_ms = (time.perf_counter() - started) * 1000 - device_ms
            db.execute("INSERT INTO attempt (session_id, step, attempt, status, quality, "
                       "threshold, passed, kept, device, hashes, sealed, at, device_ms, "
                       "agent_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       (session_id, step, number, "ok" if passed else "below_threshold",
                        quality, threshold, int(passed), int(keep), serial, json.dumps(hashes),
                        sealed, _iso(now_utc()), device_ms, agent_ms))
            db.execute("UPDATE session SET chain_head = ? WHERE id = ?", (last_hash, session_id))
        self.timings.append((device_ms, agent_ms))
        kept_quality = quality if keep else best["quality"]
        return {"attempt": number, "status": "ok" if passed else "below_threshold",
                "quality": quality, "threshold": threshold, "passed": passed,
                "best": kept_quality, "step": self.steps_of(session_id)[step]}

    def _failed(self, session_id: int, step: str, threshold: float, code: str,
                detail: str) -> dict:
        """A device error is noted but not counted as an attempt: the next good one resumes."""
        with self.store.tx() as db:
            db.execute("INSERT INTO attempt (session_id, step, attempt, status, threshold, "
                       "passed, error, at) VALUES (?,?,?,?,?,?,?,?)",
                       (session_id, step, 0, "device_error", threshold, 0,
                        f"{code}: {detail}"[:300], _iso(now_utc())))
        state = self.steps_of(session_id)[step]
        return {"attempt": state["attempts"], "status": "device_error", "error": code,
                "detail": detail[:200], "quality": None, "threshold": threshold,
                "passed": False, "best": state["best"], "step": state}

    def accept(self, session_id: int, step: str, reason: str) -> dict:
        reason = " ".join((reason or "").split())[:200]
        if not reason:
            raise AgentError("not_allowed", "reason")
        with self._lock(session_id):
            self._open(session_id)
            state = self.steps_of(session_id).get(step)
            if state is None:
                raise AgentError("unknown_step")
            if not state["can_accept"]:
                raise AgentError("not_allowed")
            with self.store.tx() as db:
                db.execute("UPDATE attempt SET forced = 1, reason = ? WHERE session_id = ? AND "
                           "step = ? AND kept = 1", (reason, session_id, step))
        return self.session_view(session_id)

    def add_exception(self, session_id: int, subtype: str, kind: str) -> dict:
        known = {s for spec in SPECS.values() for s in spec.sub_types}
        if subtype not in known or kind not in ("permanent", "temporary"):
            raise AgentError("not_allowed", "subtype")
        with self._lock(session_id):
            session = self._open(session_id)
            exceptions = [e for e in json.loads(session["exceptions"]) if e["subtype"] != subtype]
            exceptions.append({"subtype": subtype, "kind": kind})
            with self.store.tx() as db:
                db.execute("UPDATE session SET exceptions = ? WHERE id = ?",
                           (json.dumps(exceptions), session_id))
        return self.session_view(session_id)

    # --- finalize ----------------------------------------------------------------------------

    def finalize(self, session_id: int) -> dict:
        with self._lock(session_id):
            session = self._session(session_id)
            if session["state"] == "finalized":
                return self._receipt_data(session)
            steps = self.steps_of(session_id)
            undone = [s for s, v in steps.items() if not v["done"]]
            if undone:
                raise AgentError("incomplete", ",".join(undone))
            roster = self.store.one("SELECT * FROM roster WHERE code = ?",
                                    session["booking_code"])
            kept = {a["step"]: a for a in self.store.all(
                "SELECT * FROM attempt WHERE session_id = ? AND kept = 1", session_id)}
            now = now_utc()
            meta = {"station": self.settings.station, "booking_code": session["booking_code"],
                    "operator": session["operator"], "opened_at": session["opened_at"],
                    "finalized_at": _iso(now), "agent_version": VERSION,
                    "exceptions": json.loads(session["exceptions"]),
                    "chain_head": session["chain_head"],
                    "desk_checked_in_at": roster["desk_checked_in_at"] if roster else None,
                    "steps": {name: {"attempts": v["attempts"], "quality": v["best"],
                                     "threshold": v["threshold"], "passed": v["passed"],
                                     "forced": v["forced"], "reason": v["reason"],
                                     "exceptions": v["exceptions"],
                                     "device": kept[name]["device"] if name in kept else None,
                                     "hashes": json.loads(kept[name]["hashes"])
                                     if name in kept else []}
                              for name, v in steps.items()}}
            sealed = [kept[name]["sealed"] for name in steps if name in kept]
            record_id = secrets.token_hex(16)
            provisional = self._provisional(session["booking_code"], roster, record_id, now)
            with self.store.tx() as db:
                self._enqueue(db, record_id, session["booking_code"], meta, sealed)
                db.execute("UPDATE session SET state = 'finalized', finalized_at = ?, "
                           "record_id = ?, provisional = ? WHERE id = ?",
                           (_iso(now), record_id, provisional, session_id))
            self.wake.set()
            return self._receipt_data(self._session(session_id))

    def _provisional(self, booking_code: str, roster, record_id: str, now: datetime) -> str:
        """The desk's tanda terima until the portal's own recording receipt supersedes it."""
        claims = {"v": 1, "d": packets.PROVISIONAL, "b": booking_code,
                  "o": self.store.setting("office") or "",
                  "s": roster["slot_start"] if roster else "",
                  "n": (roster["name"] if roster else "")[:40],
                  "k": roster["nik_last4"] if roster else "",
                  "t": roster["service"] if roster else "pemula", "st": self.settings.station,
                  "r": record_id, "iat": int(now.timestamp()),
                  "exp": int((now + timedelta(days=30)).timestamp())}
        return self.key.sign_jws(claims)

    def _receipt_data(self, session) -> dict:
        token = session["provisional"]
        return {"record_id": session["record_id"], "booking_code": session["booking_code"],
                "provisional_token": token,
                "verify_url": f"{self.settings.server.rstrip('/')}/v/{token}"}

    def _enqueue(self, db, record_id: str, booking_code: str, meta: dict, sealed) -> None:
        packet = packets.make_packet(self.key, record_id=record_id, station=self.settings.station,
                                     booking_code=booking_code, meta=meta, sealed=sealed)
        announcement = {"station": self.settings.station, "record_id": record_id,
                        "booking_code": booking_code, "sha256": packets.sha256_hex(packet),
                        "size": len(packet), "meta": meta}
        db.execute("INSERT INTO outbox (record_id, booking_code, announcement, packet, "
                   "created_at) VALUES (?,?,?,?,?)",
                   (record_id, booking_code, json.dumps(announcement), packet, time.time()))

    def enqueue_record(self, record_id: str, booking_code: str, meta: dict, sealed) -> None:
        """A finalized record into the outbox in one transaction (finalize's own step; the fault
        test and the bench call it to queue many)."""
        with self.store.tx() as db:
            self._enqueue(db, record_id, booking_code, meta, sealed)
        self.wake.set()

    # --- outbox ------------------------------------------------------------------------------

    def outbox(self) -> list[dict]:
        return [dict(r) for r in self.store.all(
            "SELECT record_id, booking_code, state, attempts, last_error, created_at, acked_at, "
            "bundle_id FROM outbox ORDER BY created_at")]

    def flush(self) -> None:
        with self.store.tx() as db:
            db.execute("UPDATE outbox SET next_at = 0 WHERE state IN ('queued','sending',"
                       "'exported')")
        self.wake.set()

    def _dispatch_loop(self) -> None:
        """Hands due records to the senders, never one twice at a time; a slow delivery does
        not hold back the others."""
        while not self.stopping.is_set():
            self.wake.clear()
            if not self.key_registered:
                self.wake.wait(1.0)
                continue
            with self.in_flight_guard:
                busy = len(self.in_flight)
            room = 4 * int(self.settings.get("senders")) - busy
            due = self.store.all("SELECT record_id FROM outbox WHERE state IN ('queued', "
                                 "'sending', 'exported') AND next_at <= ? ORDER BY created_at "
                                 "LIMIT ?", time.time(), room + busy) if room > 0 else []
            for row in due:
                with self.in_flight_guard:
                    if row["record_id"] in self.in_flight:
                        continue
                    self.in_flight.add(row["record_id"])
                self.work.put(row["record_id"])
            upcoming = self.store.one("SELECT MIN(next_at) AS at FROM outbox WHERE state IN "
                                      "('queued','sending','exported')")
            wait = 1.0 if upcoming["at"] is None else max(0.02, min(
                1.0, upcoming["at"] - time.time()))
            self.wake.wait(wait)

    def _send_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                record_id = self.work.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                self.send(record_id)
            finally:
                with self.in_flight_guard:
                    self.in_flight.discard(record_id)
                self.work.task_done()
                self.wake.set()  # room for the next one

    def send(self, record_id: str) -> str:
        """One delivery try: announce, then the packet. Each step is idempotent at the portal,
        so any failure only schedules another try."""
        row = self.store.one("SELECT * FROM outbox WHERE record_id = ?", record_id)
        if row is None or row["state"] in ("acked", "rejected"):
            return row["state"] if row else "gone"
        with self.store.tx() as db:
            db.execute("UPDATE outbox SET state = CASE state WHEN 'exported' THEN 'exported' "
                       "ELSE 'sending' END, attempts = attempts + 1 WHERE record_id = ?",
                       (record_id,))
        try:
            posted = self.portal.call("POST", "/api/v1/capture/records",
                                      json_body=json.loads(row["announcement"]))
            if posted.status in (200, 201) and not posted.body.get("stored"):
                posted = self.portal.call("PUT", f"/api/v1/capture/records/{record_id}",
                                          data=bytes(row["packet"]),
                                          content_type="application/jose")
        except Unreachable as error:
            self.server_reachable = False
            return self._retry(record_id, row["attempts"] + 1, str(error))
        self.server_reachable = True
        if posted.status in (200, 201):
            with self.store.tx() as db:
                db.execute("UPDATE outbox SET state = 'acked', acked_at = ?, last_error = NULL "
                           "WHERE record_id = ?", (time.time(), record_id))
            return "acked"
        if posted.status == 409:
            with self.store.tx() as db:
                db.execute("UPDATE outbox SET state = 'rejected', last_error = ? WHERE "
                           "record_id = ?", (posted.body.get("error", "409"), record_id))
            return "rejected"
        return self._retry(record_id, row["attempts"] + 1,
                           f"{posted.status} {posted.body.get('error', '')}")

    def _retry(self, record_id: str, attempts: int, error: str) -> str:
        backoff = min(float(self.settings.get("max_backoff_s")), 0.5 * 2 ** min(attempts, 16))
        delay = backoff * (0.5 + random.random() / 2)  # jitter: stations do not retry in step
        with self.store.tx() as db:
            db.execute("UPDATE outbox SET state = CASE state WHEN 'exported' THEN 'exported' "
                       "ELSE 'queued' END, next_at = ?, last_error = ? WHERE record_id = ?",
                       (time.time() + delay, error[:300], record_id))
        return "queued"

    # --- bundles -----------------------------------------------------------------------------

    def export_bundle(self, directory: Path, include_acked: bool = False) -> dict:
        """Every record not yet acked (or, to carry a whole day again, every record), in a zip
        for a flashdisk, chained to the last bundle."""
        states = ("queued", "sending", "exported", *(("acked",) if include_acked else ()))
        rows = self.store.all(f"SELECT * FROM outbox WHERE state IN ({','.join('?' * len(states))}) "  # noqa: S608 (placeholders only)
                              "ORDER BY created_at", *states)
        last = self.store.one("SELECT * FROM bundle ORDER BY rowid DESC LIMIT 1")
        bundle_id = f"{self.settings.station}-{secrets.token_hex(6)}"
        pairs = []
        for row in rows:
            announcement = json.loads(row["announcement"])
            announcement.pop("station", None)
            pairs.append((announcement, bytes(row["packet"])))
        data, manifest_sha = packets.write_bundle(
            self.key, bundle_id=bundle_id, station=self.settings.station,
            previous_id=last["bundle_id"] if last else None,
            previous_sha256=last["manifest_sha256"] if last else None, packets=pairs,
            created_at=_iso(now_utc()))
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{bundle_id}.zip"
        path.write_bytes(data)
        with self.store.tx() as db:
            db.execute("INSERT INTO bundle (bundle_id, manifest_sha256, created_at, records) "
                       "VALUES (?,?,?,?)", (bundle_id, manifest_sha, _iso(now_utc()), len(rows)))
            for row in rows:
                db.execute("UPDATE outbox SET state = 'exported', bundle_id = ? WHERE "
                           "record_id = ? AND state <> 'acked'", (bundle_id, row["record_id"]))
        return {"bundle_id": bundle_id, "path": str(path), "records": len(rows),
                "manifest_sha256": manifest_sha}
