"""The access matrix: every registered route (pages and API, every method) is called by every
kind of caller — anonymous, a citizen holding a booking's cookie, each staff role signed in,
each API token role with its office or desa scope matching the target or not — and exactly
the callers its declaration (app/access.py) names get past the gate. The rest are sent to the
sign-in page (pages, not signed in), 403 (pages, wrong role) or 401/403 (API).

A new route that nobody declared fails here, and so does a new route this file has no sample
request for: add one to SAMPLES below when you add a route.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from app.access import DEVICE, SESSION, Undeclared, access_for
from app.domain import accounts, receipts
from app.domain.guidance import STEPS
from app.models import CaptureRecord, Desa
from tests.conftest import TEST_PASSWORD
from tests.support.receipt_bookings import DATA_KEY, NIK, make_booking

pytestmark = pytest.mark.db

OFFICE, OTHER_OFFICE = "351504", "737109"
DESA = "3515041003"  # the target booking's desa
OTHER_DESA = "3515041004"  # another desa of the same office
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
MATRIX_STATION, MATRIX_RECORD = "351504-1", "matrix-record-1"  # issue 16


@dataclass(frozen=True)
class Caller:
    name: str
    kind: str  # "anonymous" | "citizen" | "staff" | "token"
    role: str | None = None
    office: str | None = None
    desa: str | None = None


def _callers(other_office_desa: str) -> list[Caller]:
    staff = [Caller(f"staff:{role}", "staff", role) for role in accounts.STAFF_ROLES]
    tokens = [
        Caller("token:kiosk@office", "token", "kiosk", OFFICE),
        Caller("token:kiosk@other", "token", "kiosk", OTHER_OFFICE),
        Caller("token:officer@office", "token", "officer", OFFICE),
        Caller("token:officer@other", "token", "officer", OTHER_OFFICE),
        Caller("token:capture_agent@office", "token", "capture_agent", OFFICE),
        Caller("token:capture_agent@other", "token", "capture_agent", OTHER_OFFICE),
        Caller("token:desa_staff@desa", "token", "desa_staff", OFFICE, DESA),
        Caller("token:desa_staff@other-desa", "token", "desa_staff", OFFICE, OTHER_DESA),
        Caller("token:desa_staff@other-office", "token", "desa_staff", OTHER_OFFICE,
               other_office_desa),
        Caller("token:admin@all", "token", "admin", None),
        Caller("token:admin@office", "token", "admin", OFFICE),
        Caller("token:admin@other", "token", "admin", OTHER_OFFICE),
    ]
    return [Caller("anonymous", "anonymous"), Caller("citizen", "citizen"), *staff, *tokens]


def expected_admitted(access, caller: Caller) -> bool:
    if access.roles is None:
        return True
    if access.via == DEVICE:  # issue 12: only a paired kiosk's cookie, which no caller holds
        return False
    if access.via == SESSION:
        return caller.kind == "staff" and caller.role in access.roles
    if caller.kind != "token" or caller.role not in access.roles:
        return False
    if "office" in access.scope and caller.office not in (None, OFFICE):
        return False
    return not ("desa" in access.scope and caller.role == "desa_staff" and caller.desa != DESA)


@dataclass
class World:
    booking_code: str
    token: str  # a genuine receipt token of the booking
    slot_id: int
    visit_id: int = 0  # issue 14: an outreach visit in DESA


def _slot_body(world: World) -> dict:
    return {"nik": "3515046508990007", "name": "Sri", "service": "pemula",
            "slot_id": world.slot_id, "desa_code": DESA, "consent": "present"}


# A request that reaches past the gate for each route: (path arguments, body). The API bodies
# are valid, so a scope check that sits after body validation is still reached.
def _samples(world: World) -> dict[tuple[str, str], tuple[dict, dict | None]]:
    code, office, token = {"code": world.booking_code}, {"code": OFFICE}, {"token": world.token}
    admin = {"office_code": OFFICE}  # issue 15 (F): the admin room acts on one office
    return {
        ("api.create_booking_json", "POST"): ({}, _slot_body(world)),
        ("api.show_booking_json", "GET"): (code, None),
        ("api.cancel_booking_json", "POST"): (code, None),
        ("api.check_in_booking_json", "POST"): (code, {"nik": NIK}),
        ("api.list_slots_json", "GET"): (office, None),
        ("api.show_office_status_json", "GET"): (office, None),
        ("api.set_office_status_json", "PUT"): (
            office, {"recording": "limited", "printing": "normal", "message": "Uji"}),
        ("api.verify_receipt", "GET"): (token, None),
        ("booking.show_manage", "GET"): (code, None),
        ("booking.open_manage", "POST"): (code, {}),
        ("booking.show_one_time_code", "GET"): (code, None),
        ("booking.check_one_time_code", "POST"): (code, {}),
        ("booking.show_reschedule", "GET"): (code, None),
        ("booking.show_reschedule_confirm", "GET"): ({**code, "slot_id": world.slot_id}, None),
        ("booking.reschedule", "POST"): ({**code, "slot_id": world.slot_id}, {}),
        ("booking.show_cancel", "GET"): (code, None),
        ("booking.cancel", "POST"): (code, {}),
        ("verify.show_verification", "GET"): (token, None),
        ("verify.download_document", "GET"): (token, None),
        ("verify.download_thermal", "GET"): (token, None),
        ("verify.show_receipt", "GET"): (token, None),
        ("guidance.show_checklist", "GET"): ({"service": "pemula"}, None),
        ("guidance.checklist_pdf", "GET"): ({"service": "pemula"}, None),
        ("guidance.show_guidance_step", "GET"): ({"slug": STEPS[0].slug}, None),
        ("status.show_office_status", "GET"): ({"office_code": OFFICE}, None),
        ("display.show_display", "GET"): ({"office_code": OFFICE}, None),
        ("static", "GET"): ({"filename": "css/rekam.css"}, None),
        # --- issue 13: the officer's day and the card
        ("officer.show_officer_booking", "GET"): (code, None),
        ("officer.take_booking_step", "POST"): ({**code, "step": "no_show"}, {}),
        ("api.show_office_day_json", "GET"): (office, None),
        ("api.start_capture_json", "POST"): (code, None),
        ("api.mark_recorded_json", "POST"): (code, None),
        ("api.set_card_json", "POST"): (code, {"status": "card_ready"}),
        # --- issue 17: the IKM summary of an office ---
        ("survey.show_public_summary", "GET"): ({"office_code": OFFICE}, None),
        # --- issue 12: the lobby ---
        ("api.create_walk_in_json", "POST"): (office, {
            "nik": "3515046508990008", "name": "Sri", "service": "pemula"}),
        ("api.show_queue_json", "GET"): (office, None),
        ("api.call_next_json", "POST"): (office, {"counter": "351504-1"}),
        ("kiosk.show_pairing", "GET"): ({"code": "no-such-code"}, None),
        ("kiosk.pair_kiosk", "POST"): ({"code": "no-such-code"}, {}),
        ("kiosk.show_kiosk_ticket", "GET"): ({"public_id": "no-such-ticket"}, None),
        ("display.show_ticket_status", "GET"): ({"public_id": "no-such-ticket"}, None),
        ("officer_queue.change_ticket", "POST"): ({"ticket_id": 999999, "action": "ulang"}, {}),
        ("officer_queue.send_ticket", "POST"): ({"ticket_id": 999999}, {"pool": "station"}),
        ("officer_queue.answer_help", "POST"): ({"call_id": 999999}, {}),
        # --- issue 16: capture
        ("api.capture_heartbeat_json", "POST"): ({}, {"station": MATRIX_STATION}),
        ("api.announce_record_json", "POST"): ({}, {
            "station": MATRIX_STATION, "record_id": "matrix-new-1", "booking_code": code["code"],
            "sha256": "1" * 64, "size": 10, "meta": {}}),
        ("api.store_record_json", "PUT"): ({"record_id": MATRIX_RECORD}, None),
        ("officer_stations.confirm_station_down", "POST"): ({"code": MATRIX_STATION}, {}),
        # --- issue 15 (F): admin ---
        ("admin.show_office", "GET"): (admin, None),
        ("admin.resolve_unplaced", "POST"): ({**admin, "entry_id": 1}, {}),
        ("admin.show_settings", "GET"): (admin, None),
        ("admin.change_settings", "POST"): (admin, {}),
        ("admin.show_hours", "GET"): (admin, None),
        ("admin.set_weekly_hours", "POST"): (admin, {}),
        ("admin.add_closure", "POST"): (admin, {}),
        ("admin.remove_closure", "POST"): ({**admin, "closure_id": 1}, {}),
        ("admin.add_extra_session", "POST"): (admin, {}),
        ("admin.remove_extra_session", "POST"): ({**admin, "extra_id": 1}, {}),
        ("admin.show_stations", "GET"): (admin, None),
        ("admin.set_station_state", "POST"): ({**admin, "station_code": "351504-1"}, {}),
        ("admin.show_people", "GET"): (admin, None),
        ("admin.create_user", "POST"): (admin, {}),
        ("admin.mint_token", "POST"): (admin, {}),
        ("admin.show_user", "GET"): ({**admin, "user_id": 1}, None),
        ("admin.change_user_role", "POST"): ({**admin, "user_id": 1}, {}),
        ("admin.reset_user_password", "POST"): ({**admin, "user_id": 1}, {}),
        ("admin.show_disable_user", "GET"): ({**admin, "user_id": 1}, None),
        ("admin.disable_user", "POST"): ({**admin, "user_id": 1}, {}),
        ("admin.show_revoke_token", "GET"): ({**admin, "token_id": 1}, None),
        ("admin.revoke_token", "POST"): ({**admin, "token_id": 1}, {}),
        ("admin.show_inbox", "GET"): (admin, None),
        ("admin.handle_home_visit", "GET"): ({**admin, "request_id": 1}, None),
        ("admin.handle_home_visit", "POST"): ({**admin, "request_id": 1}, {}),
        ("admin.handle_report", "GET"): ({"report_id": 1}, None),
        ("admin.handle_report", "POST"): ({"report_id": 1}, {}),
        ("admin.show_service_status", "GET"): (admin, None),
        ("admin.set_service_status", "POST"): (admin, {}),
        ("admin.show_audit", "GET"): (admin, None),
        ("admin.export_audit", "GET"): (admin, None),
        ("admin.show_outbox", "GET"): (admin, None),
        ("admin.retry_message", "POST"): ({**admin, "message_id": 1}, {}),
        ("admin.show_figures", "GET"): (admin, None),
        ("admin.export_figures", "GET"): (admin, None),
        ("report_status.show_report_status", "GET"): ({"reference": "LPR-000000"}, None),
        ("report_status.check_report_status", "POST"): ({"reference": "LPR-000000"}, {}),
        # --- integrate rooms: the people page's kiosks (issues 12 and 15) ---
        ("admin.pair_new_kiosk", "POST"): (admin, {}),
        ("admin.show_revoke_kiosk", "GET"): ({**admin, "kiosk_id": 1}, None),
        ("admin.revoke_kiosk", "POST"): ({**admin, "kiosk_id": 1}, {}),
        ("admin.top_up_blangko", "POST"): (admin, {}),
        # --- issue 14: staff room, outreach, coverage ---
        **_outreach_samples(world),
    }


def _outreach_samples(world: World) -> dict:
    visit, code = {"visit_id": world.visit_id}, {"code": world.booking_code}
    both = {**visit, **code}
    plan = {"desa_code": DESA, "place": "Balai Desa", "date": "2099-01-05", "start": "08:00",
            "end": "09:00", "stations": 1}
    return {
        ("staff.show_booking", "GET"): (code, None),
        ("staff.show_visit", "GET"): (visit, None),
        ("staff.import_residents", "POST"): (visit, {}),
        ("staff.visit_invitations", "GET"): (visit, None),
        ("staff.visit_sign_in_sheet", "GET"): (visit, None),
        ("staff.record_delivery", "POST"): (both, {"delivered_by": "RT"}),
        ("admin_outreach.show_outreach", "GET"): (visit, None),
        ("admin_outreach.record_absence", "POST"): (both, {"absence_reason": "sick"}),
        ("admin_outreach.move_no_shows", "POST"): (visit, {}),
        ("admin_outreach.outreach_report_pdf", "GET"): (visit, None),
        ("api.plan_outreach_json", "POST"): ({"code": OFFICE}, plan),
        ("api.import_residents_json", "POST"): (visit, None),
        ("api.invitations_pdf_json", "GET"): (visit, None),
        ("api.coverage_json", "GET"): ({"code": OFFICE}, None),
    }


def _routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted(rule.methods - SKIPPED_METHODS):
            yield rule, method


def _route_ids():
    from app import create_app

    instance = tempfile.mkdtemp(prefix="rekam-routes-")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATA_KEY": "y",
                      "DATABASE_URL": f"sqlite:///{instance}/unused.db",
                      "INSTANCE_PATH": instance})
    return [f"{method} {rule.rule} {rule.endpoint}" for rule, method in _routes(app)]


def test_every_registered_route_declares_who_may_use_it(app):
    undeclared = []
    for rule, _method in _routes(app):
        try:
            access_for(app.view_functions, rule.endpoint)
        except Undeclared:
            undeclared.append(rule.endpoint)
    assert not undeclared, "declare roles (guard/public/allow or route(roles=)) for: " + \
        ", ".join(sorted(set(undeclared)))


@pytest.fixture
def world(session) -> World:
    booking = make_booking(session, starts_at=datetime.now(UTC) + timedelta(days=2))
    booking.desa_code = DESA
    session.add(booking)
    receipt = receipts.issue_receipt(session, booking, "booking",
                                     data_key=DATA_KEY)
    # --- issue 16: an announced capture record of the office, so its PUT has a target
    session.add(CaptureRecord(record_id=MATRIX_RECORD, station_code=MATRIX_STATION,
                              booking_code=booking.code, sha256="0" * 64, size=1))
    session.commit()
    return World(booking.code, receipt.token, booking.slot_id, _outreach_visit(session))


def _outreach_visit(session) -> int:
    """issue 14: a visit in DESA a few days ahead, on a day the office is open."""
    from app.domain import capacity, outreach
    from app.models import Office

    office = session.get(Office, OFFICE)
    day = capacity.local_today(office, datetime.now(UTC)) + timedelta(days=4)
    while capacity.closed_days(session, office, day, day):
        day += timedelta(days=1)
    from datetime import time

    visit = outreach.plan_visit(session, office=office, desa_code=DESA, place="Balai Desa",
                                day=day, starts=time(8), ends=time(9), stations=1, actor="test")
    session.commit()
    return visit.id


def _client_for(app, session, caller: Caller, world: World):
    client = app.test_client()
    headers = {}
    if caller.kind == "staff":
        office = None if caller.role == "desa_staff" else OFFICE
        user = accounts.create_user(session, f"m-{caller.role}-{os.urandom(3).hex()}",
                                    TEST_PASSWORD, caller.role, office,
                                    DESA if caller.role == "desa_staff" else None)
        session.commit()
        signed_in = client.post("/login", data={"username": user.username,
                                                "password": TEST_PASSWORD})
        assert signed_in.status_code == 303
    elif caller.kind == "citizen":  # holds the booking's manage cookie (code + full NIK)
        opened = client.post("/booking/kelola", data={"code": world.booking_code, "nik": NIK})
        assert opened.status_code == 303 and "booking_manage" in opened.headers["Set-Cookie"]
    elif caller.kind == "token":
        office = None if caller.role == "desa_staff" else caller.office
        _token, secret = accounts.mint_token(session, caller.role, office, caller.desa)
        session.commit()
        headers["Authorization"] = f"Bearer {secret}"
    return client, headers


def _refusal(access, response) -> str | None:
    """How the gate refused, or None when it let the request through."""
    location = response.headers.get("Location", "")
    if access.via == SESSION:
        if response.status_code in (302, 303) and location.startswith("/login"):
            return "sign-in"
        return "403" if response.status_code == 403 else None
    if access.via == DEVICE:
        return "device" if response.status_code == 403 else None
    return str(response.status_code) if response.status_code in (401, 403) else None


@pytest.mark.parametrize("route", _route_ids())
def test_exactly_the_declared_callers_get_past_the_gate(app, session, world, route):
    method, rest = route.split(" ", 1)
    path, endpoint = rest.rsplit(" ", 1)
    access = access_for(app.view_functions, endpoint)
    samples = _samples(world)
    rule = next(r for r in app.url_map.iter_rules() if r.rule == path and r.endpoint == endpoint)
    if rule.arguments:
        assert (endpoint, method) in samples, f"add a sample request for {endpoint} {method}"
    arguments, body = samples.get((endpoint, method), ({}, None))
    with app.test_request_context():
        url = rule.build(arguments, append_unknown=False)[1]
    other_office_desa = session.exec(select(Desa.code).where(
        Desa.office_code == OTHER_OFFICE)).first()
    wrong = []
    for caller in _callers(other_office_desa):
        client, headers = _client_for(app, session, caller, world)
        kwargs = {"headers": headers}
        if body is not None:
            kwargs["json" if endpoint.startswith("api.") else "data"] = body
        response = client.open(url, method=method, **kwargs)
        refusal = _refusal(access, response)
        admitted = refusal is None
        if admitted != expected_admitted(access, caller):
            wrong.append(f"{caller.name}: {response.status_code} {refusal or 'admitted'}")
            continue
        if not admitted:  # and refused the right way
            right = ({"anonymous", "citizen", "staff", "token"} if refusal == "device" else
                     {"anonymous", "citizen", "token"} if refusal == "sign-in" else
                     {"staff"} if access.via == SESSION else
                     {"anonymous", "citizen", "staff"} if refusal == "401" else {"token"})
            if caller.kind not in right:
                wrong.append(f"{caller.name}: refused with {refusal}")
    assert not wrong, f"{route} declared {access}: " + "; ".join(wrong)


def test_a_view_may_narrow_or_open_its_blueprints_roles(app, client, login_as):
    """`allow` on one view overrides its blueprint's guard, in both directions, and the
    matrix reads the same declaration."""
    from flask import Blueprint

    from app.web.auth import allow, guard, public

    opened = Blueprint(f"t_open_{os.urandom(3).hex()}", __name__, url_prefix="/t-open")
    public(opened)
    guarded = Blueprint(f"t_guarded_{os.urandom(3).hex()}", __name__, url_prefix="/t-guarded")
    guard(guarded, "officer", "admin")

    @opened.get("/admins")
    @allow("admin")
    def admins_only():
        return "admins"

    @guarded.get("/anyone")
    @allow()
    def anyone():
        return "anyone"

    @guarded.get("/officers")
    def officers():
        return "officers"

    app.register_blueprint(opened)
    app.register_blueprint(guarded)
    assert access_for(app.view_functions, f"{opened.name}.admins_only").roles == {"admin"}
    assert access_for(app.view_functions, f"{guarded.name}.anyone").roles is None
    assert client.get("/t-open/admins").headers["Location"].startswith("/login")
    assert client.get("/t-guarded/anyone").status_code == 200
    login_as("officer")
    assert client.get("/t-open/admins").status_code == 403
    assert client.get("/t-guarded/officers").status_code == 200
