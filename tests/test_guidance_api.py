"""GET /api/v1/services: the catalogue for kiosks and partners, in the caller's language."""

from openapi_spec_validator import validate


def test_services_list_the_five_services_with_what_to_bring_in_indonesian(client):
    answer = client.get("/api/v1/services")
    assert answer.status_code == 200
    services = {s["code"]: s for s in answer.json}
    assert list(services) == ["pemula", "rusak", "hilang", "perubahan", "pindah"]
    assert services["pemula"]["name"] == "Perekaman pertama"
    hilang = [r["code"] for r in services["hilang"]["requirements"]]
    assert hilang == ["police_letter", "kk"]
    letter = services["hilang"]["requirements"][0]
    assert "Polsek" in letter["where_to_get"] and letter["regulation"] == "Perpres 96/2018"
    assert all(s["free_of_charge"] for s in services.values())
    assert [s["code"] for s in services.values() if s["needs_recording"]] == ["pemula"]


def test_services_follow_accept_language(client):
    english = client.get("/api/v1/services", headers={"Accept-Language": "en-GB,en;q=0.9"}).json
    rusak = next(s for s in english if s["code"] == "rusak")
    assert rusak["name"] == "Damaged e-KTP"
    assert [r["name"] for r in rusak["requirements"]] == [
        "The damaged e-KTP", "Family card (Kartu Keluarga, KK)"]
    pindah = next(s for s in english if s["code"] == "pindah")
    assert "SKPWNI" in pindah["requirements"][0]["name"]


def test_services_are_public_and_described_in_the_openapi_document(client):
    spec = client.get("/openapi.json").json
    validate(spec)
    operation = spec["paths"]["/api/v1/services"]["get"]
    assert "security" not in operation
    assert "200" in operation["responses"]
