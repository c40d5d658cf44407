"""Fresh valid NIKs for tests that book through a live server (one active booking per NIK).

One counter for the whole test process: it lives here, in a module imported under one name, and
not in a test module (pytest imports a test module under another name than `tests.browser....`,
so a counter there was counted twice and two tests booked the same NIK).
"""

import itertools

_serials = itertools.count(7001)


def fresh_nik() -> str:
    """A woman born 12 March 1970 in Porong, with the next unused serial."""
    return f"3515045203{70:02d}{next(_serials):04d}"
