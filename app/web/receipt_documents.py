"""The receipt documents of the current request (the rendering itself is app/documents.py)."""

from __future__ import annotations

from flask import current_app

from ..db import get_session
from ..documents import ReceiptView, receipt_view
from ..domain import receipts


def view_of(result: receipts.Verification) -> ReceiptView:
    """The view of a genuine receipt, in the current request's session."""
    return receipt_view(get_session(), result.receipt, result.document,
                        current_app.config["BASE_URL"])
