"""What each face tells a person for a domain error code, in both languages (issue 10).

The domain returns codes per field (`app.domain.errors.ValidationError`, `BookingError.code`);
pages, the API and the CLI turn them into words only here, so "already booked" is worded once.
Indonesian msgids, English in the catalogue. Neutral: web and api both import it, neither the
other. Every message says how to fix the input (STYLE §6).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .extensions import current_language
from .formatting import local_date

_NAME_AS_ON_KK = _l("Tulis nama seperti di Kartu Keluarga (boleh satu kata, paling banyak 120 "
                    "huruf).")
_CHOOSE_OFFICE = _l("Pilih kantor kecamatan.")

# Per field, per code. `app.domain.nik.NikError`, `app.domain.names.NameError` and the booking
# rules (`app.domain.booking.validate_applicant`) name the codes.
FIELD_MESSAGES = {
    "nik": {
        "empty": _l("Masukkan 16 angka NIK Anda."),
        "digits": _l("NIK hanya berisi angka. Hapus huruf atau tanda hubung."),
        "length": _l("NIK terdiri dari 16 angka. Periksa lagi di KK Anda."),
        "province": _l("Dua angka pertama NIK bukan kode provinsi. Periksa lagi di KK Anda."),
        "date": _l("Angka ke-7 sampai ke-12 NIK bukan tanggal lahir yang mungkin. Periksa lagi "
                   "di KK Anda."),
        "serial": _l("Empat angka terakhir NIK tidak mungkin 0000. Periksa lagi di KK Anda."),
        # The day already says the age: the office's minimum (17, or 16 where it records earlier).
        "too_young": _l("Perekaman e-KTP pertama baru bisa mulai %(day)s, kecuali sudah atau "
                        "pernah menikah."),
        "already_booked": _l("NIK ini sudah punya jadwal yang aktif. Satu orang hanya boleh punya "
                             "satu jadwal. Untuk mengubah atau membatalkannya, buka Kelola jadwal "
                             "dengan kode booking dan NIK Anda."),
    },
    "name": {
        "empty": _NAME_AS_ON_KK,
        "length": _NAME_AS_ON_KK,
        "letters": _NAME_AS_ON_KK,
        "control": _l("Hapus tanda atau huruf yang tidak bisa dibaca dari nama ini, lalu ketik "
                      "ulang."),
        "bidi": _l("Nama ini berisi tanda pembalik arah tulisan yang tidak terlihat. Hapus lalu "
                   "ketik ulang nama seperti di Kartu Keluarga."),
        "combining": _l("Nama ini berisi terlalu banyak tanda di atas atau di bawah satu huruf. "
                        "Tulis nama seperti di Kartu Keluarga."),
    },
    "phone": {"invalid": _l("Tulis nomor HP Indonesia, misalnya 0812 3456 7890, atau "
                            "kosongkan.")},
    "desa_code": {
        "required": _l("Pilih desa atau kelurahan Anda, atau pilih dari luar kecamatan ini."),
        "unknown": _l("Desa ini bukan bagian dari kecamatan kantor jadwal ini."),
    },
    "needs": {
        "unknown": _l("Pilih dari daftar bantuan yang tersedia."),
        "home_visit": _l("Bila Anda tidak bisa keluar rumah, ajukan kunjungan ke rumah, bukan "
                         "jadwal di kantor."),
    },
    "service": {"unknown": _l("Layanan ini tidak dikenal: pemula, rusak, hilang, perubahan, "
                              "atau pindah.")},
    "slot_id": {"unknown": _l("Jadwal ini tidak ada atau tidak bisa dipesan lagi.")},
    "office": {"unknown": _CHOOSE_OFFICE},
    "consent": {"required": _l("Catat cara warga menyetujui pendaftaran ini: present (hadir "
                               "sendiri), phone (lewat telepon) atau written (tertulis).")},
    "code": {"invalid": _l("Tulis 8 huruf dan angka kode booking, misalnya K7Q2-M9XH.")},
    "ever_married": {"required": _l("Pilih Ya atau Tidak.")},
}

# Refusals of a whole request (`app.domain.booking.BookingError.code`).
CONFLICT_MESSAGES = {
    "already_booked": FIELD_MESSAGES["nik"]["already_booked"],
    "slot_full": _l("Jadwal ini sudah penuh. Pilih jadwal lain."),
    "slot_unavailable": FIELD_MESSAGES["slot_id"]["unknown"],
    "not_cancellable": _l("Booking ini tidak bisa dibatalkan lagi."),
    "not_eligible": FIELD_MESSAGES["nik"]["too_young"],
}

INVALID = _l("Periksa isian yang ditandai.")
CHOOSE_OFFICE = _CHOOSE_OFFICE


def _with_params(message, params: dict | None) -> str:
    if not params:
        return str(message)
    shown = {key: local_date(value, current_language()) if hasattr(value, "isoformat") else value
             for key, value in params.items()}
    return str(message) % shown


def field_message(field: str, code: str, params: dict | None = None) -> str:
    """The words for one field's error code, in the current language."""
    return _with_params(FIELD_MESSAGES[field][code], params)


def field_messages(error) -> dict[str, str]:
    """{field: words} for a domain ValidationError."""
    return {field: field_message(field, code, error.params.get(field))
            for field, code in error.errors.items()}


def conflict_message(code: str, params: dict | None = None) -> str:
    return _with_params(CONFLICT_MESSAGES.get(code, INVALID), params)


# --- issue 14: outreach visits, resident imports, coverage ---
for _field, _codes in {
    "place": {"required": _l("Tulis tempat kunjungan, misalnya Balai Desa Kebonagung.")},
    "place_kind": {"unknown": _l("Pilih jenis tempat: balai desa, sekolah, dusun, atau lainnya.")},
    "date": {"required": _l("Tulis tanggal kunjungan sebagai YYYY-MM-DD."),
             "horizon": _l("Tanggal kunjungan harus mulai hari ini dan dalam masa pemesanan "
                           "kantor."),
             "closed": _l("Hari itu libur atau kantor tutup. Pilih hari lain.")},
    "start": {"past": _l("Kunjungan harus mulai paling cepat satu jam dari sekarang."),
              "overlap": _l("Pada jam ini sudah ada kunjungan keliling lain dari kantor ini. "
                            "Pilih jam atau hari lain."),
              "required": _l("Tulis jam mulai sebagai HH:MM.")},
    "end": {"order": _l("Jam selesai harus sesudah jam mulai (HH:MM).")},
    "stations": {"range": _l("Tulis jumlah alat perekaman keliling, 1 sampai 20.")},
    "row": {"columns": _l("Baris ini harus berisi 4 kolom: nik, name, phone, consent.")},
    "visit": {"full": _l("Kunjungan ini sudah penuh. Rencanakan kunjungan berikutnya."),
              "closed": _l("Kunjungan ini tidak bisa dipesan lagi.")},
    "file": {"header": _l("Baris pertama berkas harus berisi kolom yang diminta."),
             "too_many": _l("Berkas terlalu panjang. Bagi menjadi beberapa berkas."),
             "required": _l("Pilih berkas CSV."),
             "encoding": _l("Simpan berkas sebagai CSV UTF-8, lalu kirim lagi.")},
    "year": {"range": _l("Tulis tahun antara 2000 dan 2100.")},
    "delivered_by": {"required": _l("Tulis siapa yang menyerahkan undangan.")},
    "absence_reason": {"unknown": _l("Pilih alasan dari daftar.")},
    "target": {"unknown": _l("Pilih kunjungan berikutnya di desa yang sama.")},
    "code": {"unknown": _l("Kode booking ini tidak diundang ke kunjungan ini.")},
}.items():
    FIELD_MESSAGES.setdefault(_field, {}).update(_codes)
# --- issue 12: the lobby --- why a check-in or a walk-in was refused, the same plain words on
# the kiosk, the officer's screens and in the API.
CHECK_IN_REFUSALS = {
    "nik_mismatch": _l("NIK ini bukan NIK pemilik pendaftaran. Ketik 16 angka NIK dari Kartu "
                       "Keluarga Anda."),
    "not_today": _l("Jadwal booking ini bukan hari ini. Kedatangan hanya dicatat pada hari "
                    "jadwalnya."),
    "already_checked_in": _l("Kedatangan untuk pendaftaran ini sudah dicatat. Bukti "
                             "pendaftaran ini sudah terpakai."),
    "wrong_state": _l("Pendaftaran ini tidak bisa dicatat hadir: sudah dibatalkan atau sudah "
                      "lewat. Silakan ke petugas."),
    "not_found": _l("Kode pendaftaran ini tidak ditemukan di kantor ini. Periksa kode pada "
                    "bukti pendaftaran."),
    "no_walk_in_capacity": _l("Tempat untuk warga tanpa jadwal hari ini sudah habis. Pilih "
                              "jadwal berikutnya."),
}
QUEUE_REFUSALS = {
    "unknown_counter": _l("Loket ini tidak ada di kantor ini."),
    "wrong_state": _l("Nomor antrean ini sudah berubah. Muat ulang halaman."),
    "not_today": _l("Nomor antrean ini dari hari lain."),
    "busy": _l("Antrean sedang sibuk. Coba lagi."),
}
