"""The citizen room's blueprints and its guard, set once: anyone may enter every one of them
(a view that needs more says so itself with `allow`)."""

from ..auth import public
from . import booking, guidance, report_status, status, survey, verify
from . import public as home

BLUEPRINTS = (home.bp, guidance.bp, booking.bp, verify.bp, status.bp, survey.bp,
              report_status.bp)  # issue 15 (F): /lapor/{reference}
for _blueprint in BLUEPRINTS:
    public(_blueprint)
