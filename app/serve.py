"""`make run`: the portal under gunicorn (a production WSGI server).

python -m app.serve [--host 127.0.0.1] [--port 5000] [--workers 3] [--threads 4]
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 5000))
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    command = [
        sys.executable, "-m", "gunicorn", "wsgi:app",
        "--bind", f"{args.host}:{args.port}",
        "--workers", str(args.workers), "--threads", str(args.threads),
        "--worker-class", "gthread", "--timeout", "60", "--graceful-timeout", "20",
        "--forwarded-allow-ips", "127.0.0.1",
    ]
    os.execv(sys.executable, command)  # noqa: S606  (fixed argv, no shell)


if __name__ == "__main__":
    main()
