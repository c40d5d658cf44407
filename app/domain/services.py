"""The e-KTP services offered at the kecamatan desk, what to bring, and the "not sure" questions.

Plain data and pure functions: no Flask, no database. Indonesian is the source language; every
user-facing string is an Indonesian source string marked with ``N_`` (app/i18n.py), extracted into
the Babel catalogues and translated by the face that shows it; codes and citations stay as
they are.

Legal basis (cited per item below):

* Requirements per service: Perpres 96/2018 on the requirements and procedures of population
  registration and civil registration. The application form is the one Permendagri 109/2019
  prescribes; it is cited by that regulation, not by a form number, because the offices number
  it differently (the Porong study names F-1.01, other offices F-1.02).
* Free of charge: Pasal 79A UU 23/2006 on population administration, inserted by UU 24/2013 —
  "pengurusan dan penerbitan Dokumen Kependudukan tidak dipungut biaya". Field studies found
  desa people asking residents Rp 20.000 when the card was picked up (Tanjung Lago); the UI must
  say plainly that nothing is paid, at pickup either.
* Validity for life: Pasal 64 ayat (7) huruf a UU 23/2006 as amended by UU 24/2013.
* No cover letter from the RT/RW or desa is among the Perpres 96/2018 requirements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..i18n import N_

__all__ = [
    "BIOMETRICS_ON_FILE_NOTE",
    "FORM_NOTE",
    "FREE_NOTE",
    "NO_COVER_LETTER_NOTE",
    "NONE_RESULT",
    "NONE_RESULT_TEXT",
    "OUTSIDE_DOMICILE_NOTE",
    "QUESTIONS",
    "SERVICES",
    "Document",
    "Question",
    "Service",
    "answered_path",
    "checklist",
    "get_service",
    "next_step",
    "service_as_json",
    "step_number",
    "total_steps",
]


@dataclass(frozen=True)
class Document:
    code: str
    name: str
    detail: str
    where_to_get: str
    regulation: str
    pictogram: str


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str
    needs_recording: bool
    pool: str  # "station" (biometric recording) | "counter" (document service)
    pictogram: str
    pictogram_alt: str
    documents: tuple[Document, ...]
    who: str
    regulation: str


PERPRES = "Perpres 96/2018"
FORM = "formulir pendaftaran penduduk menurut Permendagri 109/2019"

# What the form is for and who fills it: people brought (or bought) forms they did not need.
FORM_NOTE = N_(
    "Formulir pendaftaran penduduk (Permendagri 109/2019) berisi data diri Anda untuk layanan "
    "ini. Formulir itu diisi di kantor bersama petugas: Anda tidak perlu membawa atau membelinya.",
)

# --- general notes shown next to the catalogue -------------------------------------------------

# Pasal 79A UU 23/2006 (inserted by UU 24/2013): no fee for any population document.
FREE_NOTE = N_(
    "Semua layanan ini gratis, juga saat mengambil kartu. Tidak ada biaya untuk blangko, "
    "formulir, atau apa pun. Jika ada yang meminta uang, Anda berhak menolak dan melaporkannya.",
)

# Perpres 96/2018 lists the requirements exhaustively; an RT/RW or desa letter is not one of them.
NO_COVER_LETTER_NOTE = N_(
    "Anda tidak perlu surat pengantar dari RT/RW atau kantor desa/kelurahan.",
)

# Perekaman di luar domisili is allowed when no data changes; the home Disdukcapil prints the card.
OUTSIDE_DOMICILE_NOTE = N_(
    "Anda boleh merekam di sini walaupun alamat KTP Anda di daerah lain, asalkan tidak ada data "
    "yang berubah. Kartunya dicetak oleh Disdukcapil daerah asal Anda.",
)

# Biometrics are already in the central database for rusak/hilang/perubahan/pindah.
BIOMETRICS_ON_FILE_NOTE = N_(
    "Sidik jari, foto, dan iris Anda sudah tersimpan, jadi cukup dilayani di loket. Kartunya "
    "dicetak di tempat yang ditetapkan kantor; petugas memberi tahu kapan dan di mana kartu "
    "diambil. Jika datanya ternyata belum lengkap, petugas akan merekam ulang di tempat.",
)

# --- documents ---------------------------------------------------------------------------------

_KK_NAME = N_("Kartu Keluarga (KK)")
_KK_WHERE = N_(
    "Urus di Disdukcapil kabupaten/kota, lewat kantor desa/kelurahan, atau layanan Dukcapil "
    "daring. Gratis.",
)

KK = Document(
    code="kk",
    name=_KK_NAME,
    detail=N_(
        "Asli atau fotokopi; NIK Anda harus tercantum di dalamnya.",
    ),
    where_to_get=_KK_WHERE,
    regulation=PERPRES,
    pictogram="kk.svg",
)

KK_NEW_ADDRESS = Document(
    code="kk",
    name=_KK_NAME,
    detail=N_(
        "KK baru dengan alamat di sini; NIK Anda harus tercantum di dalamnya.",
    ),
    where_to_get=N_(
        "Dibuat oleh Disdukcapil kabupaten/kota ini saat Anda melapor pindah datang dengan "
        "SKPWNI. Gratis.",
    ),
    regulation=PERPRES,
    pictogram="kk.svg",
)

KK_UPDATED = Document(
    code="kk",
    name=_KK_NAME,
    detail=N_(
        "KK yang sudah memuat data baru Anda.",
    ),
    where_to_get=N_(
        "Perbarui KK dulu di Disdukcapil kabupaten/kota (atau lewat kantor desa/kelurahan) "
        "dengan membawa bukti perubahannya. Gratis.",
    ),
    regulation=PERPRES,
    pictogram="kk.svg",
)

SKPWNI = Document(
    code="skpwni",
    name=N_(
        "Surat Keterangan Pindah (SKPWNI)",
    ),
    detail=N_(
        "Surat pindah dari daerah asal Anda.",
    ),
    where_to_get=N_(
        "Minta di Disdukcapil daerah asal (tempat tinggal lama). Gratis.",
    ),
    regulation=PERPRES,
    pictogram="skpwni.svg",
)

POLICE_LETTER = Document(
    code="police_letter",
    name=N_(
        "Surat keterangan kehilangan dari polisi",
    ),
    detail=N_(
        "Surat yang menyatakan e-KTP Anda hilang.",
    ),
    where_to_get=N_(
        "Minta di Polsek atau Polres terdekat. Gratis.",
    ),
    regulation=PERPRES,
    pictogram="police_letter.svg",
)

OLD_EKTP = Document(
    code="old_ektp",
    name=N_("e-KTP lama"),
    detail=N_(
        "Kartu yang sekarang Anda pakai; akan diganti.",
    ),
    where_to_get=N_(
        "Jika kartunya hilang, pilih layanan 'e-KTP hilang' dan bawa surat dari polisi.",
    ),
    regulation=PERPRES,
    pictogram="old_ektp.svg",
)

DAMAGED_EKTP = Document(
    code="damaged_ektp",
    name=N_("e-KTP yang rusak"),
    detail=N_(
        "Bawa kartunya walaupun patah, retak, atau terkelupas.",
    ),
    where_to_get=N_(
        "Bawa saja kartunya apa adanya, juga potongannya jika patah.",
    ),
    regulation=PERPRES,
    pictogram="damaged_ektp.svg",
)

EVIDENCE_OF_CHANGE = Document(
    code="evidence_of_change",
    name=N_("Bukti perubahan data"),
    detail=N_(
        "Misalnya buku nikah atau akta perkawinan, akta cerai, atau penetapan pengadilan untuk "
        "ganti nama.",
    ),
    where_to_get=N_(
        "Buku nikah dari KUA (bagi yang beragama Islam), akta perkawinan dari Disdukcapil, "
        "penetapan ganti nama dari pengadilan negeri.",
    ),
    regulation=PERPRES,
    pictogram="evidence_of_change.svg",
)

# Only for a first recording before 17 on the ground of marriage (see checklist()).
MARRIAGE_CERTIFICATE = Document(
    code="marriage_certificate",
    name=N_("Bukti perkawinan"),
    detail=N_(
        "Buku nikah atau akta perkawinan, karena Anda belum berusia 17 tahun.",
    ),
    where_to_get=N_(
        "Buku nikah dari KUA (bagi yang beragama Islam), akta perkawinan dari Disdukcapil.",
    ),
    regulation=PERPRES,
    pictogram="marriage_certificate.svg",
)

# --- services ----------------------------------------------------------------------------------

_COUNTER_WHO = N_("Pemilik e-KTP")

SERVICES: dict[str, Service] = {
    "pemula": Service(
        code="pemula",
        name=N_("Perekaman pertama"),
        description=N_(
            "Belum pernah punya e-KTP: foto, tanda tangan, sidik jari, dan iris direkam.",
        ),
        needs_recording=True,
        pool="station",
        pictogram="pemula.svg",
        pictogram_alt=N_("Orang dengan tanda tambah"),
        documents=(KK,),
        who=N_(
            "Berusia 17 tahun ke atas, atau sudah/pernah menikah walaupun belum 17 tahun.",
        ),
        regulation=f"{PERPRES}; {FORM}",
    ),
    "rusak": Service(
        code="rusak",
        name=N_("e-KTP rusak"),
        description=N_(
            "Kartu patah, retak, atau tidak terbaca: kartu dicetak ulang.",
        ),
        needs_recording=False,
        pool="counter",
        pictogram="rusak.svg",
        pictogram_alt=N_("Kartu yang retak"),
        documents=(DAMAGED_EKTP, KK),
        who=_COUNTER_WHO,
        regulation=f"{PERPRES}; {FORM}",
    ),
    "hilang": Service(
        code="hilang",
        name=N_("e-KTP hilang"),
        description=N_(
            "Kartu hilang: dengan surat dari polisi, kartu dicetak ulang.",
        ),
        needs_recording=False,
        pool="counter",
        pictogram="hilang.svg",
        pictogram_alt=N_("Kartu dengan tanda tanya"),
        documents=(POLICE_LETTER, KK),
        who=_COUNTER_WHO,
        regulation=f"{PERPRES}; {FORM}",
    ),
    "perubahan": Service(
        code="perubahan",
        name=N_("Perubahan data"),
        description=N_(
            "Nama, agama, status perkawinan, alamat, atau data lain berubah: kartu dicetak dengan "
            "data baru.",
        ),
        needs_recording=False,
        pool="counter",
        pictogram="perubahan.svg",
        pictogram_alt=N_("Kartu dengan pensil"),
        documents=(KK_UPDATED, OLD_EKTP, EVIDENCE_OF_CHANGE),
        who=_COUNTER_WHO,
        regulation=f"{PERPRES}; {FORM}",
    ),
    "pindah": Service(
        code="pindah",
        name=N_("Pindah datang"),
        description=N_(
            "Pindah ke kabupaten/kota ini dari daerah lain: kartu dicetak dengan alamat baru.",
        ),
        needs_recording=False,
        pool="counter",
        pictogram="pindah.svg",
        pictogram_alt=N_("Panah menuju rumah"),
        documents=(SKPWNI, KK_NEW_ADDRESS),
        who=N_(
            "Penduduk yang pindah ke kabupaten/kota ini dari daerah lain.",
        ),
        regulation=f"{PERPRES}; {FORM}",
    ),
}


def get_service(code: str) -> Service:
    """The service with this code; KeyError if there is none."""
    return SERVICES[code]


def checklist(service_code: str, *, ever_married: bool = False) -> tuple[Document, ...]:
    """What to bring.

    ``ever_married`` matters only for ``pemula``: pass True for a person under 17 who qualifies
    because they are (or were) married — they also bring the marriage evidence. A person of 17 or
    older qualifies by age alone, so the caller passes False for them.
    """
    service = get_service(service_code)
    if service.code == "pemula" and ever_married:
        return (*service.documents, MARRIAGE_CERTIFICATE)
    return service.documents


def service_as_json(service: Service, translate: Callable[[str], str], *,
                    ever_married: bool = False) -> dict:
    """A JSON-ready description of the service, its texts put through ``translate`` (the
    caller's gettext for its language)."""
    return {
        "code": service.code,
        "name": translate(service.name),
        "description": translate(service.description),
        "needs_recording": service.needs_recording,
        "pool": service.pool,
        "pictogram": service.pictogram,
        "requirements": [
            {
                "code": doc.code,
                "name": translate(doc.name),
                "detail": translate(doc.detail),
                "where_to_get": translate(doc.where_to_get),
                "regulation": doc.regulation,
            }
            for doc in checklist(service.code, ever_married=ever_married)
        ],
    }


# --- "Saya tidak yakin": which service do I need? ----------------------------------------------


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    hint: str
    choices: tuple[tuple[str, str], ...]


_YES_NO = (("yes", N_("Ya")), ("no", N_("Tidak")))

NONE_RESULT = "none"

# Pasal 64 ayat (7) huruf a UU 23/2006 as amended by UU 24/2013: an e-KTP of a citizen is valid
# for life, so nobody needs a new card just because time has passed.
NONE_RESULT_TEXT = N_(
    "Anda tidak perlu kartu baru. e-KTP berlaku seumur hidup, walaupun tanggal di kartu sudah "
    "lewat.",
)

QUESTIONS: dict[str, Question] = {
    "has_ektp": Question(
        code="has_ektp",
        text=N_("Apakah Anda sudah punya e-KTP?"),
        hint=N_(
            "Jawab 'Ya' juga jika kartunya hilang atau rusak. Sudah pernah merekam tetapi "
            "kartunya belum jadi? Anda tidak perlu merekam lagi: bawa tanda terima ke loket.",
        ),
        choices=_YES_NO,
    ),
    "lost_or_damaged": Question(
        code="lost_or_damaged",
        text=N_(
            "Apakah e-KTP Anda hilang atau rusak?",
        ),
        hint=N_(
            "Rusak artinya patah, retak, terkelupas, atau chip-nya tidak terbaca.",
        ),
        choices=_YES_NO,
    ),
    "which": Question(
        code="which",
        text=N_("Kartunya hilang atau rusak?"),
        hint=N_(
            "Jika kartunya masih ada walaupun rusak, pilih 'Rusak'.",
        ),
        choices=(("lost", N_("Hilang")), ("damaged", N_("Rusak"))),
    ),
    "moved_from_other_city": Question(
        code="moved_from_other_city",
        text=N_(
            "Apakah Anda pindah ke sini dari kabupaten/kota lain?",
        ),
        hint=N_(
            "Pindah rumah di dalam kabupaten/kota yang sama termasuk perubahan alamat: jawab "
            "'Tidak'.",
        ),
        choices=_YES_NO,
    ),
    "data_changed": Question(
        code="data_changed",
        text=N_(
            "Apakah data Anda berubah: nama, agama, status perkawinan, alamat, atau lainnya?",
        ),
        hint=N_(
            "Contoh: Anda menikah, bercerai, atau mengganti nama lewat pengadilan.",
        ),
        choices=_YES_NO,
    ),
}

# Where each answer leads: the next question's code, or a result (a service code or "none").
# A person without an e-KTP needs a first recording whatever else applies to them.
_FLOW: dict[str, dict[str, str]] = {
    "has_ektp": {"no": "pemula", "yes": "lost_or_damaged"},
    "lost_or_damaged": {"yes": "which", "no": "moved_from_other_city"},
    "which": {"lost": "hilang", "damaged": "rusak"},
    "moved_from_other_city": {"yes": "pindah", "no": "data_changed"},
    "data_changed": {"yes": "perubahan", "no": NONE_RESULT},
}
_FIRST = "has_ektp"


def _walk(answers: dict[str, str]) -> tuple[list[tuple[Question, str]], str]:
    """Follow the answers from the first question.

    Returns the answered questions on the path and where it stops: the code of the next
    question to ask, or a result. Answers to questions off the path are ignored.
    """
    path: list[tuple[Question, str]] = []
    node = _FIRST
    while node in QUESTIONS:
        answer = answers.get(node)
        if answer is None:
            break
        if not isinstance(answer, str) or answer not in _FLOW[node]:
            allowed = ", ".join(_FLOW[node])
            raise ValueError(f"{node}: {answer!r} is not one of {allowed}")
        path.append((QUESTIONS[node], answer))
        node = _FLOW[node][answer]
    return path, node


def next_step(answers: dict[str, str]) -> Question | str:
    """The next question to ask, or the result: a service code or "none"."""
    _, node = _walk(answers)
    return QUESTIONS.get(node, node)


def answered_path(answers: dict[str, str]) -> tuple[tuple[Question, str], ...]:
    """The questions answered so far on the path, with their answers (for a summary)."""
    path, _ = _walk(answers)
    return tuple(path)


def _longest_from(node: str) -> int:
    """Number of questions on the longest path starting at ``node`` (0 for a result)."""
    if node not in QUESTIONS:
        return 0
    return 1 + max(_longest_from(nxt) for nxt in _FLOW[node].values())


def total_steps(answers: dict[str, str]) -> int:
    """Questions answered so far plus the most that may still come ("Langkah 2 dari 4")."""
    path, node = _walk(answers)
    return len(path) + _longest_from(node)


def step_number(answers: dict[str, str]) -> int:
    """The number of the question being asked; once there is a result, the last one answered."""
    path, node = _walk(answers)
    return len(path) + 1 if node in QUESTIONS else len(path)
