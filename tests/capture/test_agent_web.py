"""The agent's face on 127.0.0.1: only loopback Host names, JSON only for its API, CSRF on the
console's forms; the console and the kcap/1 API answer with the portal unreachable."""

from __future__ import annotations

import pytest

from app.capture.agent.core import Agent, Settings
from app.capture.agent.web import create_agent_app
from tests.support.capture import roster_answer


@pytest.fixture
def console(tmp_path):
    agent = Agent(Settings(station="351504-1", server="http://127.0.0.1:9", token="t",
                           data=tmp_path, ports=()))
    agent.save_roster(roster_answer([("K7Q2M9XH", "checked_in")]))
    app = create_agent_app(agent)
    return app.test_client(), agent


def test_only_loopback_host_names_are_served(console):
    client, _ = console
    assert client.get("/", base_url="http://127.0.0.1:4650").status_code == 200
    assert client.get("/", base_url="http://evil.example:4650").status_code == 403
    assert client.get("/v1/health", base_url="http://rebind.example").status_code == 403


def test_the_api_takes_only_json_and_the_forms_need_their_token(console):
    client, agent = console
    base = "http://127.0.0.1:4650"
    as_form = client.post("/v1/sessions", data={"booking_code": "K7Q2M9XH"}, base_url=base)
    assert as_form.status_code == 415
    no_token = client.post("/sesi", data={"booking_code": "K7Q2M9XH"}, base_url=base)
    assert no_token.status_code == 400
    opened = client.post("/v1/sessions", json={"booking_code": "K7Q2M9XH", "operator": "Ani"},
                         base_url=base)
    assert opened.status_code == 201 and opened.get_json()["current"] == "face"


def test_health_tells_the_portal_is_unreachable_and_what_waits(console):
    client, agent = console
    agent.enqueue_record("rec0000000001", "K7Q2M9XH", {}, [])
    health = client.get("/v1/health", base_url="http://localhost:4650").get_json()
    assert health["server_reachable"] is False and health["outbox"]["queued"] == 1
    assert {d["kind"] for d in health["devices"]} == {"face", "signature", "finger", "iris"}
    page = client.get("/", base_url="http://localhost:4650").get_data(as_text=True)
    assert "1 rekaman tersimpan, menunggu jaringan." in page
