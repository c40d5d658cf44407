"""Configuration comes from the environment; missing keys are generated once per instance."""

from app.config import load_config


def test_keys_are_generated_into_the_instance_folder_once(tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "DATA_KEY", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    first = load_config({"INSTANCE_PATH": str(tmp_path)})
    second = load_config({"INSTANCE_PATH": str(tmp_path)})
    assert len(first["SECRET_KEY"]) >= 40 and first["SECRET_KEY"] != first["DATA_KEY"]
    assert (first["SECRET_KEY"], first["DATA_KEY"]) == (second["SECRET_KEY"], second["DATA_KEY"])
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first["DATABASE_URL"] == f"sqlite:///{tmp_path.resolve()}/rekam.sqlite3"


def test_environment_names_of_the_contract_are_read(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://app@db/rekam")
    monkeypatch.setenv("BASE_URL", "https://rekam.example.go.id/")
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    monkeypatch.setenv("RATE_LIMITS", "off")
    monkeypatch.setenv("REDIS_URL", "redis://localhost:6379/0")
    monkeypatch.setenv("PORT", "8080")
    config = load_config()
    assert config["DATABASE_URL"] == "postgresql+psycopg://app@db/rekam"
    assert config["BASE_URL"] == "https://rekam.example.go.id"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["TRUSTED_PROXIES"] == 1 and config["PORT"] == 8080
    assert config["RATELIMIT_ENABLED"] is False
    assert config["RATELIMIT_STORAGE_URI"] == "redis://localhost:6379/0"


def test_base_url_follows_the_port_unless_it_is_set(tmp_path, monkeypatch):
    monkeypatch.delenv("BASE_URL", raising=False)
    monkeypatch.setenv("PORT", "5101")
    assert load_config({"INSTANCE_PATH": str(tmp_path)})["BASE_URL"] == "http://127.0.0.1:5101"
    monkeypatch.delenv("PORT")
    assert load_config({"INSTANCE_PATH": str(tmp_path)})["BASE_URL"] == "http://127.0.0.1:5000"
    monkeypatch.setenv("PORT", "5101")
    monkeypatch.setenv("BASE_URL", "https://rekam.example.go.id")
    assert load_config({"INSTANCE_PATH": str(tmp_path)})["BASE_URL"] == \
        "https://rekam.example.go.id"


def test_make_run_passes_its_port_to_the_server_and_the_worker(monkeypatch):
    from app import serve

    monkeypatch.delenv("PORT", raising=False)
    parser_args = type("Args", (), {"port": 5101})()
    assert serve.child_environment(parser_args)["PORT"] == "5101"
