"""All configuration comes from the environment, read here and nowhere else."""

import os
import secrets
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _instance_secret(instance: Path, name: str) -> str:
    """Read a generated key from the instance folder, creating it on first run.

    Written through a hard link so that several workers starting at once agree on one key.
    """
    path = instance / name
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        tmp = instance / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        tmp.write_text(secrets.token_urlsafe(48))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def ratelimit_file_uri(instance: Path) -> str:
    """The embedded rate-limit store (app/adapters/ratelimit_store.py) in the instance folder."""
    return "rekam-sqlite://" + urllib.parse.quote(str(instance / "ratelimits.sqlite3"))


ENV_NAMES = {
    "DATABASE_URL", "INSTANCE_PATH", "SECRET_KEY", "DATA_KEY", "BASE_URL", "REDIS_URL",
    "TRUSTED_PROXIES", "RATE_LIMITS", "PORT", "PADES_DIR", "STAFF_IDLE_MINUTES",
    "STAFF_SESSION_HOURS", "IKM_ELEMENTS",
    "UPSTREAM_PUBLIC_KEY", "CAPTURE_ALARM_SECONDS",  # issue 16
}


# issue 16: the demo upstream key (see UPSTREAM_PUBLIC_KEY); a deployment sets its own.
DEMO_UPSTREAM_PUBLIC_KEY = "v_4MGpDUdGjiHbSSOYV062lE8NxtiXl1m9jFJfoyBmk"


def load_config(overrides: dict | None = None) -> dict:
    env = {**os.environ, **{k: str(v) for k, v in (overrides or {}).items() if v is not None}}
    instance = Path(env.get("INSTANCE_PATH") or ROOT / "instance").resolve()
    instance.mkdir(parents=True, exist_ok=True)
    port = int(env.get("PORT") or 5000)
    # Unset, BASE_URL follows PORT: `PORT=5101 make run` must print QR codes that point at 5101.
    base_url = (env.get("BASE_URL") or f"http://127.0.0.1:{port}").rstrip("/")
    session_hours = int(env.get("STAFF_SESSION_HOURS") or 12)
    rate_limits = env.get("RATE_LIMITS", "on").strip().lower() not in ("off", "0", "false", "no")
    config = {
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{instance / 'rekam.sqlite3'}",
        "SECRET_KEY": env.get("SECRET_KEY") or _instance_secret(instance, "secret_key"),
        "DATA_KEY": env.get("DATA_KEY") or _instance_secret(instance, "data_key"),
        "BASE_URL": base_url,
        "REDIS_URL": env.get("REDIS_URL") or None,
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES") or 0),
        "RATE_LIMITS": rate_limits,
        "PORT": port,
        # Folder with office.pem, office.key and ca.pem for the receipts' PAdES signature (a
        # certificate from a PSrE); unset: a demo CA made in the instance folder on first use.
        "PADES_DIR": env.get("PADES_DIR") or None,
        # A staff sign-in ends after this long without a request, and after this long in any
        # case (a counter PC left signed in overnight); logout and disabling end it at once.
        "STAFF_IDLE_MINUTES": int(env.get("STAFF_IDLE_MINUTES") or 30),
        "STAFF_SESSION_HOURS": session_hours,
        # --- issue 17: the IKM elements asked and counted, comma-separated codes of
        # app.domain.ikm.ELEMENTS in their order (PermenPANRB 14/2017 lets an office adapt the
        # list); unset: the regulation's nine.
        "IKM_ELEMENTS": env.get("IKM_ELEMENTS") or "",
        # --- issue 16: capture (CAPTURE.md) ---
        # The upstream national system's X25519 public key (base64url): stations seal the
        # biometric data to it and the portal, which has no private key, relays ciphertext.
        # Unset: the demo key (its private half is in tests/support/capture.py only).
        "UPSTREAM_PUBLIC_KEY": env.get("UPSTREAM_PUBLIC_KEY") or DEMO_UPSTREAM_PUBLIC_KEY,
        # A station whose heartbeat is older than this raises an alarm (never a capacity change).
        "CAPTURE_ALARM_SECONDS": int(env.get("CAPTURE_ALARM_SECONDS") or 180),
        # Flask and extensions
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": base_url.startswith("https://"),
        "SESSION_COOKIE_NAME": "rekam_session",
        "PERMANENT_SESSION_LIFETIME": session_hours * 3600,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "app" / "translations"),
        "WTF_CSRF_TIME_LIMIT": 4 * 3600,
        "RATELIMIT_ENABLED": rate_limits,
        # Counters every worker sees: Redis when set (several machines), else a SQLite file of
        # their own in the instance folder (one machine; off the booking database's write lock).
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL") or ratelimit_file_uri(instance),
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_STRATEGY": "moving-window",
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_MIN_SIZE": 500,
        "COMPRESS_MIMETYPES": [
            "text/html", "text/css", "text/plain", "application/javascript",
            "text/javascript", "application/json", "image/svg+xml",
        ],
    }
    # Overrides that are not environment names (TESTING, WTF_CSRF_ENABLED …) go in as given.
    config.update({k: v for k, v in (overrides or {}).items() if k not in ENV_NAMES})
    config.setdefault("LANGUAGES", catalogue_languages(config["BABEL_TRANSLATION_DIRECTORIES"]))
    return config


def catalogue_languages(directories: str) -> tuple[str, ...]:
    """Indonesian (the source language) and every compiled catalogue in the translation
    folders: Javanese or Sundanese is a new app/translations/<code>/, not a code change."""
    found = {path.parent.parent.name for folder in directories.split(";") if folder
             for path in Path(folder).glob("*/LC_MESSAGES/messages.mo")}
    return ("id", *sorted(found - {"id"}))
