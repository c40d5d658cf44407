"""The hot queries' plans for the `--scale` case: every statement the hot routes send, captured
in-process (a Flask test client over the kabupaten database, the request made once to warm up
and once captured, on SQLite after a write so that no kept answer stands in for it) and
explained where it ran: SQLite `EXPLAIN QUERY PLAN`, PostgreSQL `EXPLAIN`.

A plan that scans one of the large tables (not an index search) is flagged.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

LARGE = ("booking", "receipt", "slot", "outbox", "audit_log")
_EXPLAINED = ("SELECT", "UPDATE", "DELETE", "WITH")  # an INSERT's plan says nothing
_HEX = re.compile(r"'[0-9a-f]{64}'")


@dataclass
class Plan:
    route: str
    dialect: str
    statement: str
    lines: list[str] = field(default_factory=list)

    @property
    def scans(self) -> list[str]:
        found = []
        for line in self.lines:
            sqlite = re.match(r"\s*SCAN (\w+)", line)
            pg = re.search(r"Seq Scan on (\w+)", line)
            table = (sqlite or pg).group(1) if (sqlite or pg) else None
            if table in LARGE:
                found.append(line.strip())
        return found

    @property
    def short(self) -> str:
        return f"`{' '.join(self.statement.split())[:120]}…` → {'; '.join(self.scans)}"


def _requests(office: str, week: str, token: str, prepared: dict, serial: list[int]):
    auth = {"Authorization": f"Bearer {prepared['token']}"}

    def book(client):
        serial[0] += 1
        return client.post("/api/v1/bookings", headers=auth, json={
            "nik": f"35150402039{serial[0]:05d}"[:16], "name": "Uji Rencana",
            "service": "pemula", "slot_id": prepared["load_slot"]})

    return {
        "POST /api/v1/bookings": book,
        "GET /api/v1/offices/{code}/slots": lambda c: c.get(
            f"/api/v1/offices/{office}/slots?{week}"),
        "GET /api/v1/verify/{token}": lambda c: c.get(f"/api/v1/verify/{token}"),
        "GET /v/{token}/document": lambda c: c.get(f"/v/{token}/document"),
        "GET /.well-known/jwks.json": lambda c: c.get("/.well-known/jwks.json"),
        "GET /api/v1/offices": lambda c: c.get("/api/v1/offices"),
    }


def _forget_kept_answers(url: str) -> None:
    """On SQLite a worker keeps a public read's whole answer while nobody writes
    (app/answers.py): the captured request would send no SQL at all. A write from another
    connection (the content stamp moved, as any write moves it) makes it answer afresh."""
    if not url.startswith("sqlite"):
        return  # PostgreSQL: nothing is kept
    import sqlalchemy as sa

    from app.models import CONTENT_STAMP

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE change_stamp SET n = n + 1 WHERE topic = :topic"),
                         {"topic": CONTENT_STAMP})
    finally:
        engine.dispose()


def _captured(settings: dict, office: str, week: str, token: str, prepared: dict):
    from sqlalchemy import event

    from app import create_app

    app = create_app(settings)
    database = app.extensions["rekam_db"]
    engines = list({id(e): e for e in (database.read_engine, database.write_engine)}.values())
    client = app.test_client()
    out: list[tuple[str, str, object]] = []
    serial = [0]
    for route, send in _requests(office, week, token, prepared, serial).items():
        first = send(client)
        if first.status_code >= 400:
            raise RuntimeError(f"{route}: HTTP {first.status_code} {first.get_data()[:200]!r}")
        _forget_kept_answers(app.config["DATABASE_URL"])
        seen: list[tuple[str, object]] = []

        def record(_conn, _cursor, statement, parameters, _context, _many, seen=seen):
            seen.append((statement, parameters))

        for engine in engines:
            event.listen(engine, "before_cursor_execute", record)
        try:
            send(client)
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", record)
        out += [(route, s, p) for s, p in seen if s.lstrip().upper().startswith(_EXPLAINED)]
    return app, out


def hot_plans(targets: list[tuple[dict, dict]], token: str, office: str, week: str) -> list[Plan]:
    """targets: (settings, rush.prepare(...)) per database."""
    import sqlalchemy as sa

    plans: list[Plan] = []
    for settings, prepared in targets:
        app, statements = _captured(settings, office, week, token, prepared)
        engine = sa.create_engine(app.config["DATABASE_URL"])
        raw = engine.raw_connection()
        dialect = engine.dialect.name
        try:
            cursor = raw.cursor()
            for route, statement, parameters in statements:
                plan = Plan(route, "SQLite" if dialect == "sqlite" else "PostgreSQL", statement)
                if dialect == "sqlite":
                    cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                    depth = {0: 0}
                    for node, parent, _unused, detail in cursor.fetchall():
                        depth[node] = depth.get(parent, 0) + 1
                        plan.lines.append("  " * (depth[node] - 1) + detail)
                else:
                    cursor.execute("EXPLAIN " + statement, parameters)
                    plan.lines = [line for (line,) in cursor.fetchall()]
                plans.append(plan)
            raw.rollback()
        finally:
            raw.close()
            engine.dispose()
            app.extensions["rekam_db"].dispose()
    return plans


def render(plans: list[Plan]) -> str:
    """Markdown: per route, each statement once with its plan on both databases."""
    by_route: dict[str, dict[str, dict[str, list[str]]]] = {}
    for plan in plans:
        statement = " ".join(plan.statement.split())
        by_route.setdefault(plan.route, {}).setdefault(statement, {})[plan.dialect] = plan.lines
    parts = []
    for route, statements in by_route.items():
        flagged = sum(1 for p in plans if p.route == route and p.scans)
        body = []
        for statement, per_dialect in statements.items():
            body.append("```sql\n" + (statement if len(statement) <= 600
                                      else statement[:600] + " …") + "\n```")
            for dialect, lines in per_dialect.items():
                # PostgreSQL prints the parameters: no hash values (NIK hashes, token digests).
                shown = [_HEX.sub("'<sha256>'", line) for line in lines]
                body.append(f"{dialect}:\n\n```\n" + "\n".join(shown) + "\n```")
        counts = {}
        for plan in plans:
            if plan.route == route:
                counts[plan.dialect] = counts.get(plan.dialect, 0) + 1
        summary = (f"{route}: " + ", ".join(f"{n} statement(s) on {d}" for d, n in counts.items())
                   + (f", **{flagged} scan(s) of a large table**" if flagged else ", no scans"))
        parts.append(f"<details><summary>{summary}</summary>\n\n" + "\n\n".join(body)
                     + "\n\n</details>")
    return "\n\n".join(parts)


def as_json(plans: list[Plan]) -> str:
    return json.dumps([{"route": p.route, "dialect": p.dialect, "statement": p.statement,
                        "plan": p.lines, "scans": p.scans} for p in plans], indent=1)
