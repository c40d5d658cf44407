"""Words for what a person typed wrong, shared by every face (pages, API, CLI), so all of them
say the same thing. Indonesian msgids; English in the catalogue. Every message says how to fix
the input (STYLE §6)."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from .domain.names import NameError
from .domain.nik import NikError, parse_nik

# What to tell a person for each way a typed NIK can be wrong (app.domain.nik.NikError codes).
NIK_MESSAGES = {
    "empty": _l("Masukkan 16 angka NIK Anda."),
    "digits": _l("NIK hanya berisi angka. Hapus huruf, titik, atau tanda hubung."),
    "length": _l("NIK terdiri dari 16 angka. Periksa lagi di KK Anda."),
    "province": _l("Dua angka pertama NIK bukan kode provinsi. Periksa lagi di KK Anda."),
    "date": _l("Angka ke-7 sampai ke-12 NIK bukan tanggal lahir yang mungkin. Periksa lagi di "
               "KK Anda."),
    "serial": _l("Empat angka terakhir NIK tidak mungkin 0000. Periksa lagi di KK Anda."),
}

# What to tell a person for each way a typed name is refused (app.domain.names codes).
_NAME_AS_ON_KK = _l("Tulis nama seperti di Kartu Keluarga (boleh satu kata, paling banyak 120 "
                    "huruf).")
NAME_MESSAGES = {
    "empty": _NAME_AS_ON_KK,
    "length": _NAME_AS_ON_KK,
    "letters": _NAME_AS_ON_KK,
    "control": _l("Hapus tanda atau huruf yang tidak bisa dibaca dari nama ini, lalu ketik "
                  "ulang."),
    "bidi": _l("Nama ini berisi tanda pembalik arah tulisan yang tidak terlihat. Hapus lalu "
               "ketik ulang nama seperti di Kartu Keluarga."),
    "combining": _l("Nama ini berisi terlalu banyak tanda di atas atau di bawah satu huruf. "
                    "Tulis nama seperti di Kartu Keluarga."),
}

NAME_MESSAGE = _l("Tulis nama Anda seperti di Kartu Keluarga (boleh satu kata, paling banyak "
                  "120 huruf).")


def name_message(error: NameError):
    """What to say about a refused name: the general words, or what exactly to remove."""
    return NAME_MESSAGES[error.code] if error.code in ("control", "bidi", "combining") \
        else NAME_MESSAGE


PHONE_MESSAGE = _l("Tulis nomor HP Indonesia, misalnya 0812 3456 7890, atau kosongkan.")
NEEDS_MESSAGE = _l("Pilih dari daftar bantuan yang tersedia.")
HOME_VISIT_MESSAGE = _l("Bila Anda tidak bisa keluar rumah, ajukan kunjungan ke rumah, bukan "
                        "jadwal di kantor.")
# The day already says the age: the office's minimum (17, or 16 where it records earlier).
TOO_YOUNG = _l("Perekaman e-KTP pertama baru bisa mulai %(day)s, kecuali sudah atau pernah "
               "menikah.")


def too_young_message(eligible_from) -> str:
    return TOO_YOUNG % {"day": format_date(eligible_from, "long")}


def nik_info(raw: str, today):
    """(info, None) or (None, message) for what was typed as a NIK."""
    try:
        return parse_nik(raw, today), None
    except NikError as error:
        return None, NIK_MESSAGES[error.code]
