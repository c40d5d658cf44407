"""SBI 0.9.5 between the simulator and the agent's client: MockMDS's shapes, every device JWS
and the hash chain verified, a tampered answer refused."""

from __future__ import annotations

import json

import pytest

from app.capture import client
from app.capture.sbi import FINGERS_LEFT, SbiError, b64url_decode, chain_hash, verify_capture
from app.capture.sim import SYNTHETIC_MARKER, Simulator


@pytest.fixture(scope="module")
def sim():
    simulator = Simulator(port=0).start()
    yield simulator
    simulator.stop()


def _admin(sim, port_index, knob, body):
    return client._call(sim.ports[port_index], "POST", f"/admin/{knob}", body, 2)


def test_discovery_and_info_have_mosip_shapes(sim):
    listing = client._call(sim.ports[1], "MOSIPDISC", "/device", {"type": "Biometric Device"}, 2)
    entry = listing[0]
    for name in ("deviceId", "deviceStatus", "certification", "serviceVersion", "deviceSubId",
                 "digitalId", "deviceCode", "specVersion", "purpose", "error"):
        assert name in entry
    assert entry["deviceSubId"] == ["1", "2", "3"] and entry["specVersion"] == ["0.9.5"]
    found = client.discover(sim.ports)
    assert [d.kind for d in found] == ["face", "finger", "iris"]
    assert all(d.status == "ready" for d in found)


def test_capture_chain_and_string_numbers(sim):
    finger = client.device_info(sim.ports[1])
    shot = client.rcapture(finger, sub_id="1", sub_types=FINGERS_LEFT,
                           exceptions=["Left RingFinger"],
                           requested_score=40, previous_hash=None)
    assert [e["bioSubType"] for e in shot.entries] == [
        "Left IndexFinger", "Left MiddleFinger", "Left LittleFinger"]
    assert all(isinstance(e["qualityScore"], str) for e in shot.entries)
    assert shot.request["bio"][0]["count"] == "3"
    assert shot.request["bio"][0]["requestedScore"] == "40"
    assert all(v.startswith(SYNTHETIC_MARKER) for v in shot.bio_values())
    # the chain continues from the previous capture's hash
    thumbs = client.rcapture(finger, sub_id="3", sub_types=[], exceptions=[],
                             requested_score=40, previous_hash=shot.last_hash)
    first = thumbs.entries[0]
    assert first["hash"] == chain_hash(shot.last_hash, b64url_decode(first["bioValue"]))


@pytest.mark.parametrize("what, code", [("hash", "hash_chain"), ("data", "jws_signature")])
def test_tampered_answer_is_refused(sim, what, code):
    face = client.device_info(sim.ports[0])
    _admin(sim, 0, "tamper", {"type": "Face", "what": what})
    with pytest.raises(SbiError) as refused:
        client.rcapture(face, sub_id="0", sub_types=[], exceptions=[], requested_score=90,
                        previous_hash=None)
    assert str(refused.value) == code


def test_answer_signed_by_another_device_key_is_refused(sim):
    face = client.device_info(sim.ports[0])
    iris = client.device_info(sim.ports[2])
    face.x5c = iris.x5c  # the pinned certificate is the iris scanner's
    with pytest.raises(SbiError, match="device_key_changed"):
        client.rcapture(face, sub_id="0", sub_types=[], exceptions=[], requested_score=90,
                        previous_hash=None)


def test_broken_chain_in_a_hand_made_answer():
    answer = {"biometrics": [{"data": "a.b.c", "hash": "00",
                              "error": {"errorCode": "0"}}]}
    request = {"transactionId": "t", "bio": [{"previousHash": ""}]}
    with pytest.raises(SbiError):
        verify_capture(answer, request, None)


def test_admin_knobs_status_score_fail(sim):
    iris = client.device_info(sim.ports[2])
    _admin(sim, 2, "score", {"type": "Iris", "qualityScore": "30", "fromIso": False})
    shot = client.rcapture(iris, sub_id="3", sub_types=[], exceptions=[], requested_score=60,
                           previous_hash=None)
    assert {e["qualityScore"] for e in shot.entries} == {"30.0"}
    _admin(sim, 2, "fail", {"type": "Iris", "count": 1})
    failed = client.rcapture(iris, sub_id="3", sub_types=[], exceptions=[], requested_score=60,
                             previous_hash=None)
    assert failed.error["errorCode"] == "701"
    _admin(sim, 2, "status", {"type": "Iris", "deviceStatus": "Not Ready"})
    assert client.device_info(sim.ports[2]).status == "not_ready"
    refused = client.rcapture(iris, sub_id="3", sub_types=[], exceptions=[], requested_score=60,
                              previous_hash=None)
    assert refused.error["errorCode"] == "704"
    _admin(sim, 2, "status", {"type": "Iris", "deviceStatus": "Ready"})
    _admin(sim, 2, "score", {"type": "Iris", "qualityScore": "85"})
    assert json.loads(json.dumps(client.device_info(sim.ports[2]).status)) == "ready"
