"""Every booking step with CSRF enforced as in production: the token comes from the step's own
page, and a post without it is refused and changes nothing."""

import re

import pytest
from sqlmodel import select

from app.models import Booking

pytestmark = pytest.mark.db

WOMAN = "3515045203070003"


def _token(pg) -> str:
    return pg.select_one('main form[method="post"] input[name="csrf_token"]')["value"]


def _step(client, page, url: str, data: dict, to: str, post_to: str | None = None):
    """Post the step's form without its token (refused, no step further), then with the token
    its page carries (on to the next step)."""
    shown = page(client, url)
    target = post_to or url.split("?")[0]
    refused = client.post(target, data=data)
    assert refused.status_code in (400, 422), (target, refused.status_code)
    assert "Location" not in refused.headers
    moved = client.post(target, data={**data, "csrf_token": _token(shown)})
    assert moved.status_code == 303, (target, moved.get_data(as_text=True)[:500])
    assert moved.headers["Location"].split("?")[0] == to
    return shown


def _first(pg, name: str) -> str:
    return pg.select(f'input[name="{name}"]')[0]["value"]


def test_each_booking_and_manage_step_needs_the_token_of_its_page(client, page, session):
    with client.without_csrf():
        _step(client, page, "/booking?service=pemula", {"service": "pemula"}, "/booking/kantor")
        _step(client, page, "/booking/kantor", {"office": "351504"}, "/booking/hari")
        days = page(client, "/booking/hari")
        _step(client, page, "/booking/hari", {"day": _first(days, "day")}, "/booking/jam")
        times = page(client, "/booking/jam")
        _step(client, page, "/booking/jam", {"slot": _first(times, "slot")}, "/booking/data")
        _step(client, page, "/booking/data", {"nik": WOMAN, "name": "Siti Aminah",
                                              "desa": "3515041003", "phone": ""},
              "/booking/periksa")
        _step(client, page, "/booking/periksa", {}, "/booking/selesai")
        done = page(client, "/booking/selesai")
        code = done.select_one(".booking-code-value").get_text(strip=True).replace("-", "")
        assert session.exec(select(Booking).where(Booking.code == code)).one().status == "booked"

        _step(client, page, "/booking/kelola", {"code": code, "nik": WOMAN}, f"/booking/{code}")
        days = page(client, f"/booking/{code}/ubah")
        times = page(client, [a for a in days.links() if "day=" in a][-1])
        choice = next(a for a in times.links() if re.search(rf"/booking/{code}/ubah/\d+$", a))
        _step(client, page, choice, {}, f"/booking/{code}")
        _step(client, page, f"/booking/{code}/batal", {}, f"/booking/{code}")
    session.expire_all()
    statuses = session.exec(select(Booking.status).where(Booking.code == code)).all()
    assert sorted(statuses) == ["cancelled", "moved"]
