"""The station agent against the SBI simulator, with the portal unreachable (the desk keeps
working): six steps, best-of-N with thresholds, forced acceptance, exceptions with an exception
photo, device faults that do not count as attempts, finalize, the outbox's retries, freeze."""

from __future__ import annotations

import json
import time

import pytest

from app.capture import packet as packets
from app.capture.agent.core import Agent, AgentError, Settings
from app.capture.sim import SYNTHETIC_MARKER, Simulator
from tests.support.capture import DEMO_UPSTREAM_PRIVATE, DEMO_UPSTREAM_PUBLIC, roster_answer

STATION = "351504-1"


@pytest.fixture(scope="module")
def sim():
    simulator = Simulator(port=0).start()
    yield simulator
    simulator.stop()


@pytest.fixture(autouse=True)
def reset_sim(sim):
    for device in sim.devices:
        device.status, device.fail_next, device.tamper_next = "Ready", 0, None
        device.score = {"Face": 95.0, "Finger": 85.0, "Iris": 85.0}[device.type]
    yield


def offline_agent(tmp_path, sim, **options) -> Agent:
    # Port 9 (discard) is closed on loopback: the portal is unreachable throughout.
    agent = Agent(Settings(station=STATION, server="http://127.0.0.1:9", token="t",
                           data=tmp_path, ports=tuple(sim.ports), options=options))
    agent.discover()
    return agent


@pytest.fixture
def agent(tmp_path, sim):
    agent = offline_agent(tmp_path, sim)
    agent.save_roster(roster_answer([("K7Q2M9XH", "checked_in"), ("B00KED01", "booked")]))
    return agent


def score(sim, kind, value):
    sim.device(kind).score = float(value)


def test_a_full_session_with_retry_forced_accept_and_exception(agent, sim):
    session = agent.open_session("K7Q2M9XH", "Petugas Ani")
    sid = session["id"]
    assert [s["step"] for s in session["steps"]] == [
        "face", "signature", "slap_left", "slap_right", "thumbs", "iris"]
    assert agent.capture(sid, "face")["passed"] is True
    assert agent.capture(sid, "signature")["passed"] is True
    # left slap: 3 below the threshold of 40; the best is kept, a worse one does not replace it
    score(sim, "Finger", 30)
    first = agent.capture(sid, "slap_left")
    assert (first["status"], first["attempt"], first["threshold"]) == ("below_threshold", 1, 40)
    score(sim, "Finger", 20)
    assert agent.capture(sid, "slap_left")["best"] == 30
    score(sim, "Finger", 35)
    third = agent.capture(sid, "slap_left")
    assert (third["attempt"], third["best"], third["step"]["can_accept"]) == (3, 35, True)
    with pytest.raises(AgentError, match="attempts_used"):
        agent.capture(sid, "slap_left")
    with pytest.raises(AgentError, match="not_allowed"):
        agent.accept(sid, "slap_left", "  ")
    agent.accept(sid, "slap_left", "jari kering, sudah dicoba tiga kali")
    # right slap: the little finger is missing; one low retry, then a good one
    agent.add_exception(sid, "Right LittleFinger", "permanent")
    score(sim, "Finger", 39)
    assert agent.capture(sid, "slap_right")["status"] == "below_threshold"
    score(sim, "Finger", 85)
    retry = agent.capture(sid, "slap_right")
    assert (retry["attempt"], retry["passed"]) == (2, True)
    assert agent.capture(sid, "thumbs")["passed"] is True
    assert agent.capture(sid, "iris")["passed"] is True
    with pytest.raises(AgentError, match="incomplete"):  # the exception photo is still due
        agent.finalize(sid)
    assert agent.session_view(sid)["current"] == "exception_photo"
    agent.capture(sid, "exception_photo")
    receipt = agent.finalize(sid)
    assert agent.finalize(sid) == receipt  # finalizing again changes nothing
    [queued] = agent.outbox()
    assert queued["state"] == "queued" and queued["record_id"] == receipt["record_id"]

    row = agent.store.one("SELECT * FROM outbox")
    packet = bytes(row["packet"])
    record = packets.read_packet(packet, lambda kid: agent.key.public_jwk())
    steps = record["meta"]["steps"]
    assert steps["slap_left"]["forced"] and steps["slap_left"]["attempts"] == 3
    assert steps["slap_left"]["quality"] == 35
    assert steps["slap_right"]["exceptions"] == ["Right LittleFinger"]
    assert record["meta"]["exceptions"] == [{"subtype": "Right LittleFinger",
                                             "kind": "permanent"}]
    # the biometric values: sealed for upstream only, nowhere in clear in the agent's file
    assert SYNTHETIC_MARKER not in packet
    raw = (agent.store.path.read_bytes() + agent.store.path.with_name(
        "agent.sqlite3-wal").read_bytes())
    assert SYNTHETIC_MARKER not in raw
    for issued in sim.device("Finger").issued[-3:]:
        assert issued.encode() not in raw
    opened = [json.loads(packets.open_sealed(s, DEMO_UPSTREAM_PRIVATE)) for s in record["sealed"]]
    right = next(o for o in opened if o["step"] == "slap_right")
    assert [e["bioSubType"] for e in right["entries"]] == [
        "Right IndexFinger", "Right MiddleFinger", "Right RingFinger"]
    # the provisional tanda terima: signed by the station key
    claims = packets.verify_jws(receipt["provisional_token"], agent.key.public_jwk())
    assert (claims["d"], claims["b"], claims["r"]) == ("provisional", "K7Q2M9XH",
                                                        receipt["record_id"])


def test_a_device_not_ready_mid_session_does_not_use_an_attempt(agent, sim):
    sid = agent.open_session("K7Q2M9XH", "Ani")["id"]
    sim.device("Face").status = "Not Ready"
    failed = agent.capture(sid, "face")
    assert (failed["status"], failed["error"], failed["attempt"]) == (
        "device_error", "device_not_ready", 0)
    assert agent.devices["face"].status == "not_ready"
    sim.device("Face").status = "Ready"
    resumed = agent.capture(sid, "face")
    assert (resumed["status"], resumed["attempt"]) == ("ok", 1)


def test_a_tampered_device_answer_is_refused_with_a_clear_code(agent, sim):
    sid = agent.open_session("K7Q2M9XH", "Ani")["id"]
    sim.device("Iris").tamper_next = "hash"
    refused = agent.capture(sid, "iris")
    assert (refused["status"], refused["error"], refused["detail"]) == (
        "device_error", "device_tampered", "hash_chain")
    sim.device("Iris").tamper_next = "data"
    assert agent.capture(sid, "iris")["detail"] == "jws_signature"
    assert agent.capture(sid, "iris")["status"] == "ok"


def test_only_a_checked_in_person_on_the_roster_gets_a_session(agent):
    with pytest.raises(AgentError, match="not_on_roster"):
        agent.open_session("ZZZZZZZZ", "Ani")
    with pytest.raises(AgentError, match="not_checked_in"):
        agent.open_session("B00KED01", "Ani")
    with pytest.raises(AgentError, match="bad_nik"):
        agent.desk_check_in("B00KED01", "3515045203700000")
    agent.desk_check_in("B00KED01", "3515 0452 0370 1234")  # the roster's last four: 1234
    first = agent.open_session("B00KED01", "Ani")
    assert agent.open_session("B00KED01", "Budi")["id"] == first["id"]  # the open one


def test_freeze_refuses_new_sessions_when_too_much_is_unsent(tmp_path, sim):
    agent = offline_agent(tmp_path, sim, freeze_records=2)
    agent.save_roster(roster_answer([("K7Q2M9XH", "checked_in")]))
    for n in range(3):
        agent.enqueue_record(f"rec{n:08d}", "K7Q2M9XH", {}, [])
    with pytest.raises(AgentError) as frozen:
        agent.open_session("K7Q2M9XH", "Ani")
    assert (frozen.value.code, frozen.value.detail) == ("frozen", "records")
    assert agent.health()["frozen"] == "records"


def test_an_unreachable_portal_schedules_a_retry_with_backoff(agent):
    agent.enqueue_record("rec00000001", "K7Q2M9XH", {}, [])
    before = time.time()
    assert agent.send("rec00000001") == "queued"
    row = agent.store.one("SELECT * FROM outbox")
    assert row["attempts"] == 1 and row["next_at"] > before and row["last_error"]
    agent.send("rec00000001")
    later = agent.store.one("SELECT * FROM outbox")
    assert later["attempts"] == 2 and later["next_at"] - time.time() <= 2.0
    agent.flush()
    assert agent.store.one("SELECT next_at FROM outbox")["next_at"] == 0
    assert agent.health()["outbox"]["queued"] == 1 and not agent.health()["server_reachable"]


def test_upstream_key_comes_with_the_roster(agent):
    assert agent.store.setting("upstream_public_key") == DEMO_UPSTREAM_PUBLIC
