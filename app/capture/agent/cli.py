"""`rekam-agent --station CODE --server URL --token TOKEN [--port 4650] [--data DIR]`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from werkzeug.serving import make_server

from .core import DEFAULTS, Agent, Settings


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="rekam-agent",
                                     description="Rekam capture agent (kcap/1) for one station")
    parser.add_argument("--station", required=True, help="station code, e.g. 351504-1")
    parser.add_argument("--server", required=True, help="the portal's base URL")
    parser.add_argument("--token", default=os.environ.get("REKAM_AGENT_TOKEN"),
                        help="capture_agent API token (or REKAM_AGENT_TOKEN)")
    parser.add_argument("--port", type=int, default=4650)
    parser.add_argument("--data", default="./rekam-agent-data", help="folder for its SQLite")
    parser.add_argument("--devices", default="4501-4600", help="SBI port range on 127.0.0.1")
    parser.add_argument("--thresholds", default=None,
                        help="per device, kept as the station's setting: face=90,finger=40,"
                             "iris=60,signature=50")
    for name, value in DEFAULTS.items():
        if isinstance(value, (int, float)):
            parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=None)
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("--token (or REKAM_AGENT_TOKEN) is required")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    first, _, last = args.devices.partition("-")
    options = {name: getattr(args, name) for name in DEFAULTS
               if getattr(args, name, None) is not None}
    settings = Settings(station=args.station, server=args.server, token=args.token,
                        data=Path(args.data), ports=tuple(range(int(first), int(last or first) + 1)),
                        options=options)
    from .web import create_agent_app

    agent = Agent(settings)
    if args.thresholds:
        kinds = dict(DEFAULTS["thresholds"])
        for pair in args.thresholds.split(","):
            kind, _, value = pair.partition("=")
            if kind.strip() not in kinds:
                raise SystemExit(f"--thresholds: unknown device {kind!r}")
            kinds[kind.strip()] = float(value)
        agent.store.set_setting("thresholds", kinds)
    agent.start()
    server = make_server("127.0.0.1", args.port, create_agent_app(agent), threaded=True)
    print(f"rekam-agent {settings.station} on http://127.0.0.1:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        agent.stop()


if __name__ == "__main__":
    main()
