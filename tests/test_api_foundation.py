"""The public contract endpoints and the bearer-token guard of /api/v1."""

import pytest
from openapi_spec_validator import validate

from app.api import OPERATIONS


def test_offices_lists_both_demo_offices_with_their_desa_in_two_time_zones(client):
    offices = client.get("/api/v1/offices").json
    by_code = {o["code"]: o for o in offices}
    assert set(by_code) == {"351504", "737109"}
    assert by_code["351504"]["timezone"] == "Asia/Jakarta"
    assert by_code["737109"]["timezone"] == "Asia/Makassar"
    assert len(by_code["351504"]["desa"]) == 15
    assert {"code": "3515041003", "name": "Porong"} in by_code["351504"]["desa"]
    assert all(len(d["code"]) == 10 and "." not in d["code"] for d in by_code["737109"]["desa"])


def test_whoami_names_the_role_and_scope_of_the_token(client, api_token):
    answer = client.get("/api/v1/whoami", headers=api_token("kiosk"))
    assert answer.status_code == 200
    assert answer.json == {"role": "kiosk", "office": "351504", "desa": None}
    desa = client.get("/api/v1/whoami", headers=api_token("desa_staff")).json
    assert desa == {"role": "desa_staff", "office": "351504", "desa": "3515041003"}
    admin = client.get("/api/v1/whoami", headers=api_token("admin", office=None)).json
    assert admin == {"role": "admin", "office": None, "desa": None}


@pytest.mark.parametrize("header", [
    None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer rekam_madeup",
    "Bearer not-even-our-prefix", "Bearer a b", "Token rekam_x", "Bearer " + "x" * 5000,
])
def test_whoami_refuses_missing_malformed_or_unknown_tokens(client, header):
    headers = {"Authorization": header} if header is not None else {}
    answer = client.get("/api/v1/whoami", headers=headers)
    assert answer.status_code == 401
    assert answer.json["error"] == "unauthorized"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_truncated_token_is_refused(client, api_token):
    header = api_token("kiosk")["Authorization"]
    assert client.get("/api/v1/whoami", headers={"Authorization": header[:-4]}).status_code == 401


def test_revoked_token_is_refused(client, runner, api_token, session):
    header = api_token("officer")
    from sqlmodel import select

    from app.models import ApiToken
    token_id = session.exec(select(ApiToken.id).order_by(ApiToken.id.desc())).first()
    assert runner.invoke(args=["revoke-token", str(token_id)]).exit_code == 0
    assert client.get("/api/v1/whoami", headers=header).status_code == 401


def test_api_errors_follow_accept_language(client):
    english = client.get("/api/v1/whoami", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert english.json["message"] == "The API token is missing, unknown or revoked."
    indonesian = client.get("/api/v1/whoami", headers={"Accept-Language": "id"})
    assert indonesian.json["message"].startswith("Token API tidak ada")


def test_a_token_outside_the_routes_roles_is_forbidden(client, api_token, monkeypatch):
    monkeypatch.setattr(OPERATIONS["api.whoami"], "roles", ("officer",))
    answer = client.get("/api/v1/whoami", headers=api_token("kiosk"))
    assert answer.status_code == 403
    assert answer.json["error"] == "forbidden"
    assert client.get("/api/v1/whoami", headers=api_token("officer")).status_code == 200


def test_token_use_is_noted_for_the_token_list(client, runner, api_token):
    client.get("/api/v1/whoami", headers=api_token("kiosk"))
    listing = runner.invoke(args=["api-tokens"]).output
    assert "UTC" in listing.splitlines()[-1]


def test_openapi_is_3_1_valid_and_covers_every_api_route(client, app):
    spec = client.get("/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    validate(spec)
    registered = {
        (rule.rule.replace("<", "{").replace(">", "}"), method.lower())
        for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    import re
    registered = {(re.sub(r"\{\w+:", "{", path), m) for path, m in registered}
    described = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    assert registered == described
    assert spec["paths"]["/api/v1/whoami"]["get"]["security"] == [{"bearer": []}]
    assert "security" not in spec["paths"]["/api/v1/offices"]["get"]


def test_health_says_ok_when_the_database_answers(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok", "db": "ok"}


def test_health_is_503_when_the_database_does_not_answer(tmp_path):
    from app import create_app

    broken = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/db.sqlite3",
                         "INSTANCE_PATH": str(tmp_path / "i"), "TESTING": True})
    answer = broken.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json["status"] == "error"


def test_offices_answer_matches_the_documented_schema(client):
    from pydantic import TypeAdapter

    from app.api.schemas import OfficeOut

    offices = TypeAdapter(list[OfficeOut]).validate_python(client.get("/api/v1/offices").json)
    assert [o.code for o in offices] == ["351504", "737109"]
