"""`make run`: the portal under gunicorn (a production WSGI server) and, beside it, the worker
for background jobs (reminders, no-shows, notifications, receipt rendering).

python -m app.serve [--host 127.0.0.1] [--port 5000] [--fd N] [--workers 3] [--threads 4] [--no-worker]

`--fd N` serves on a listening socket the caller already bound (a supervisor's socket
activation, or a test that must be sure no other server can answer on its port).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
import time


def server_command(args) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "wsgi:app",
        "--bind", f"fd://{args.fd}" if args.fd is not None else f"{args.host}:{args.port}",
        "--workers", str(args.workers), "--threads", str(args.threads),
        "--worker-class", "gthread", "--timeout", "60", "--graceful-timeout", "20",
        "--forwarded-allow-ips", "127.0.0.1",
        # Access log on stdout, through a logger that hashes receipt tokens in paths and
        # escapes control characters (app/logs.py: a token names its holder).
        "--access-logfile", "-", "--logger-class", "app.logs.GunicornLogger",
    ]


def worker_command() -> list[str] | None:
    """The Huey consumer for app.jobs, when the app has background jobs."""
    if importlib.util.find_spec("app.jobs") is None:
        return None
    return [sys.executable, "-m", "huey.bin.huey_consumer", "app.jobs.huey",
            "--workers", "2", "--worker-type", "thread", "--quiet"]


def child_environment(args) -> dict[str, str]:
    """The port is passed on, so that an unset BASE_URL follows it (QR codes and receipt links
    must point where this server listens)."""
    return {**os.environ, "PORT": str(args.port)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 5000))
    parser.add_argument("--fd", type=int, default=None,
                        help="an inherited listening socket to serve on (--port names its port)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-worker", action="store_true", help="serve pages only")
    args = parser.parse_args(argv)

    commands = [server_command(args)]
    if not args.no_worker and (worker := worker_command()):
        commands.append(worker)
    env = child_environment(args)
    inherited = (args.fd,) if args.fd is not None else ()  # the socket goes to gunicorn only
    processes = [subprocess.Popen(command, env=env,  # noqa: S603
                                  pass_fds=inherited if command is commands[0] else ())
                 for command in commands]

    def stop(_signum=None, _frame=None):
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # When either the server or the worker ends, end the other: half a service is worse.
    while all(process.poll() is None for process in processes):
        time.sleep(0.5)
    stop()
    codes = [process.wait(timeout=30) for process in processes]
    return next((code for code in codes if code), 0)


if __name__ == "__main__":
    sys.exit(main())
