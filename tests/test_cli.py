"""The command line the office's technician uses (DESIGN §8)."""

import pytest

from tests.conftest import TEST_PASSWORD


def test_api_token_prints_the_token_on_its_last_line_and_it_works(runner, client):
    result = runner.invoke(args=["api-token", "kiosk", "--office", "351504"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("rekam_")
    answer = client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"})
    assert answer.json == {"role": "kiosk", "office": "351504", "desa": None}


def test_kiosk_token_without_office_takes_the_first_office_and_says_so(runner, client):
    result = runner.invoke(args=["api-token", "kiosk"])
    assert result.exit_code == 0
    assert "scoped to office 351504" in result.output
    token = result.output.strip().splitlines()[-1]
    assert client.get("/api/v1/whoami",
                      headers={"Authorization": f"Bearer {token}"}).json["role"] == "kiosk"


@pytest.mark.parametrize("args, complaint", [
    (["api-token", "desa_staff"], "needs --desa"),
    (["api-token", "desa_staff", "--desa", "9999999999"], "unknown desa"),
    (["api-token", "officer", "--office", "000000"], "unknown office"),
    (["api-token", "officer", "--office", "737109", "--desa", "3515041003"], "not in office"),
    (["api-token", "wizard"], "Invalid value"),
])
def test_api_token_refuses_bad_scopes_clearly(runner, args, complaint):
    result = runner.invoke(args=args)
    assert result.exit_code == 2
    assert complaint in result.output


def test_desa_staff_token_is_scoped_to_its_desa_and_office(runner, client):
    result = runner.invoke(args=["api-token", "desa_staff", "--desa", "3515041003"])
    token = result.output.strip().splitlines()[-1]
    assert client.get("/api/v1/whoami", headers={"Authorization": f"Bearer {token}"}).json == {
        "role": "desa_staff", "office": "351504", "desa": "3515041003"}


def test_api_tokens_lists_without_secrets_and_revoke_token_revokes(runner):
    secret = runner.invoke(args=["api-token", "admin"]).output.strip().splitlines()[-1]
    listing = runner.invoke(args=["api-tokens"]).output
    assert secret not in listing
    token_id = listing.strip().splitlines()[-1].split()[0]
    assert "active" in listing.strip().splitlines()[-1]
    assert runner.invoke(args=["revoke-token", token_id]).exit_code == 0
    assert "revoked" in runner.invoke(args=["api-tokens"]).output.strip().splitlines()[-1]
    assert runner.invoke(args=["revoke-token", token_id]).exit_code == 2


def test_users_add_reads_the_password_from_stdin_and_the_user_can_sign_in(runner, client):
    result = runner.invoke(args=["users", "add", "siti", "--role", "officer", "--office",
                                 "351504", "--password-stdin"], input=TEST_PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert TEST_PASSWORD not in result.output
    response = client.post("/login", data={"username": "siti", "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/officer/"


def test_users_add_prompts_for_the_password_twice(runner):
    result = runner.invoke(args=["users", "add", "budi", "--role", "admin"],
                           input=f"{TEST_PASSWORD}\n{TEST_PASSWORD}\n")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args, password, complaint", [
    (["users", "add", "ani", "--role", "desa_staff"], TEST_PASSWORD, "needs --desa"),
    (["users", "add", "ani", "--role", "officer"], "short", "at least 10"),
    (["users", "add", "Bad Name!", "--role", "officer"], TEST_PASSWORD, "username"),
])
def test_users_add_refuses_bad_accounts(runner, args, password, complaint):
    result = runner.invoke(args=args + ["--password-stdin"], input=password + "\n")
    assert result.exit_code == 2
    assert complaint in result.output


def test_passwords_are_stored_as_argon2_hashes(runner, session):
    from sqlmodel import select

    from app.models import User

    runner.invoke(args=["users", "add", "dewi", "--role", "admin", "--password-stdin"],
                  input=TEST_PASSWORD + "\n")
    user = session.exec(select(User).where(User.username == "dewi")).one()
    assert user.password_hash.startswith("$argon2id$")


def test_seed_demo_twice_adds_nothing_the_second_time(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "0 office added, 0 desa added, 0 station added, 0 opening_hours added" in result.output
