"""The e-KTP services offered at the kecamatan desk, what to bring, and the "not sure" questions.

Plain data and pure functions: no Flask, no database. Indonesian is the source language; every
user-facing string is a bilingual :class:`Text`.

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

from dataclasses import dataclass

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
    "Text",
    "answered_path",
    "checklist",
    "get_service",
    "next_step",
    "service_as_json",
    "step_number",
    "total_steps",
]


@dataclass(frozen=True)
class Text:
    """A bilingual string: Indonesian (source) and English."""

    id: str
    en: str

    def __call__(self, lang: str) -> str:
        """English for "en" (also "en-GB", "en_US"), Indonesian for anything else."""
        primary = (lang or "").replace("_", "-").split("-", 1)[0].lower()
        return self.en if primary == "en" else self.id


@dataclass(frozen=True)
class Document:
    code: str
    name: Text
    detail: Text
    where_to_get: Text
    regulation: str
    pictogram: str


@dataclass(frozen=True)
class Service:
    code: str
    name: Text
    description: Text
    needs_recording: bool
    pool: str  # "station" (biometric recording) | "counter" (document service)
    pictogram: str
    pictogram_alt: Text
    documents: tuple[Document, ...]
    who: Text
    regulation: str


PERPRES = "Perpres 96/2018"
FORM = "formulir pendaftaran penduduk menurut Permendagri 109/2019"

# What the form is for and who fills it: people brought (or bought) forms they did not need.
FORM_NOTE = Text(
    "Formulir pendaftaran penduduk (Permendagri 109/2019) berisi data diri Anda untuk layanan "
    "ini. Formulir itu diisi di kantor bersama petugas: Anda tidak perlu membawa atau membelinya.",
    "The population registration form (Permendagri 109/2019) holds your details for this "
    "service. It is filled in at the office with the officer: you do not need to bring or buy it.",
)

# --- general notes shown next to the catalogue -------------------------------------------------

# Pasal 79A UU 23/2006 (inserted by UU 24/2013): no fee for any population document.
FREE_NOTE = Text(
    "Semua layanan ini gratis, juga saat mengambil kartu. Tidak ada biaya untuk blangko, "
    "formulir, atau apa pun. Jika ada yang meminta uang, Anda berhak menolak dan melaporkannya.",
    "Every service here is free, collecting the card too. There is no fee for the blank card, "
    "the form or anything else. If anyone asks you for money, you may refuse and report it.",
)

# Perpres 96/2018 lists the requirements exhaustively; an RT/RW or desa letter is not one of them.
NO_COVER_LETTER_NOTE = Text(
    "Anda tidak perlu surat pengantar dari RT/RW atau kantor desa/kelurahan.",
    "You do not need a letter from the RT/RW or the village office.",
)

# Perekaman di luar domisili is allowed when no data changes; the home Disdukcapil prints the card.
OUTSIDE_DOMICILE_NOTE = Text(
    "Anda boleh merekam di sini walaupun alamat KTP Anda di daerah lain, asalkan tidak ada data "
    "yang berubah. Kartunya dicetak oleh Disdukcapil daerah asal Anda.",
    "You may record here even if your address is in another area, as long as none of your data "
    "changes. The card is then printed by the Disdukcapil of your home area.",
)

# Biometrics are already in the central database for rusak/hilang/perubahan/pindah.
BIOMETRICS_ON_FILE_NOTE = Text(
    "Sidik jari, foto, dan iris Anda sudah tersimpan, jadi cukup dilayani di loket. Kartunya "
    "dicetak di tempat yang ditetapkan kantor; petugas memberi tahu kapan dan di mana kartu "
    "diambil. Jika datanya ternyata belum lengkap, petugas akan merekam ulang di tempat.",
    "Your fingerprints, photo and iris are already on file, so you are served at the counter. "
    "The card is printed at the place the office has set; the officer tells you when and where "
    "to collect it. If the record turns out to be incomplete, the officer records you again on "
    "the spot.",
)

# --- documents ---------------------------------------------------------------------------------

_KK_NAME = Text("Kartu Keluarga (KK)", "Family card (Kartu Keluarga, KK)")
_KK_WHERE = Text(
    "Urus di Disdukcapil kabupaten/kota, lewat kantor desa/kelurahan, atau layanan Dukcapil "
    "daring. Gratis.",
    "Apply at the Disdukcapil of the kabupaten/kota, through the village office, or the online "
    "Dukcapil service. Free.",
)

KK = Document(
    code="kk",
    name=_KK_NAME,
    detail=Text(
        "Asli atau fotokopi; NIK Anda harus tercantum di dalamnya.",
        "Original or a copy; your NIK must be on it.",
    ),
    where_to_get=_KK_WHERE,
    regulation=PERPRES,
    pictogram="kk.svg",
)

KK_NEW_ADDRESS = Document(
    code="kk",
    name=_KK_NAME,
    detail=Text(
        "KK baru dengan alamat di sini; NIK Anda harus tercantum di dalamnya.",
        "The new KK with your address here; your NIK must be on it.",
    ),
    where_to_get=Text(
        "Dibuat oleh Disdukcapil kabupaten/kota ini saat Anda melapor pindah datang dengan "
        "SKPWNI. Gratis.",
        "Issued by the Disdukcapil of this kabupaten/kota when you report your arrival with the "
        "SKPWNI. Free.",
    ),
    regulation=PERPRES,
    pictogram="kk.svg",
)

KK_UPDATED = Document(
    code="kk",
    name=_KK_NAME,
    detail=Text(
        "KK yang sudah memuat data baru Anda.",
        "The KK that already shows your new data.",
    ),
    where_to_get=Text(
        "Perbarui KK dulu di Disdukcapil kabupaten/kota (atau lewat kantor desa/kelurahan) "
        "dengan membawa bukti perubahannya. Gratis.",
        "First update the KK at the Disdukcapil of the kabupaten/kota (or through the village "
        "office), bringing the evidence of the change. Free.",
    ),
    regulation=PERPRES,
    pictogram="kk.svg",
)

SKPWNI = Document(
    code="skpwni",
    name=Text(
        "Surat Keterangan Pindah (SKPWNI)",
        "Certificate of moving (Surat Keterangan Pindah, SKPWNI)",
    ),
    detail=Text(
        "Surat pindah dari daerah asal Anda.",
        "The moving certificate from the place you came from.",
    ),
    where_to_get=Text(
        "Minta di Disdukcapil daerah asal (tempat tinggal lama). Gratis.",
        "Ask the Disdukcapil of your previous place of residence. Free.",
    ),
    regulation=PERPRES,
    pictogram="skpwni.svg",
)

POLICE_LETTER = Document(
    code="police_letter",
    name=Text(
        "Surat keterangan kehilangan dari polisi",
        "Police letter of loss",
    ),
    detail=Text(
        "Surat yang menyatakan e-KTP Anda hilang.",
        "A letter stating that your e-KTP was lost.",
    ),
    where_to_get=Text(
        "Minta di Polsek atau Polres terdekat. Gratis.",
        "Ask at the nearest police station (Polsek or Polres). Free.",
    ),
    regulation=PERPRES,
    pictogram="police_letter.svg",
)

OLD_EKTP = Document(
    code="old_ektp",
    name=Text("e-KTP lama", "Your old e-KTP"),
    detail=Text(
        "Kartu yang sekarang Anda pakai; akan diganti.",
        "The card you have now; it will be replaced.",
    ),
    where_to_get=Text(
        "Jika kartunya hilang, pilih layanan 'e-KTP hilang' dan bawa surat dari polisi.",
        "If the card is lost, choose the 'lost e-KTP' service and bring the police letter.",
    ),
    regulation=PERPRES,
    pictogram="old_ektp.svg",
)

DAMAGED_EKTP = Document(
    code="damaged_ektp",
    name=Text("e-KTP yang rusak", "The damaged e-KTP"),
    detail=Text(
        "Bawa kartunya walaupun patah, retak, atau terkelupas.",
        "Bring the card even if it is broken, cracked or peeling.",
    ),
    where_to_get=Text(
        "Bawa saja kartunya apa adanya, juga potongannya jika patah.",
        "Just bring the card as it is, including the pieces if it broke.",
    ),
    regulation=PERPRES,
    pictogram="damaged_ektp.svg",
)

EVIDENCE_OF_CHANGE = Document(
    code="evidence_of_change",
    name=Text("Bukti perubahan data", "Evidence of the change"),
    detail=Text(
        "Misalnya buku nikah atau akta perkawinan, akta cerai, atau penetapan pengadilan untuk "
        "ganti nama.",
        "For example a marriage book or marriage certificate, a divorce certificate, or a court "
        "ruling for a change of name.",
    ),
    where_to_get=Text(
        "Buku nikah dari KUA (bagi yang beragama Islam), akta perkawinan dari Disdukcapil, "
        "penetapan ganti nama dari pengadilan negeri.",
        "Marriage book from the KUA (for Muslims), marriage certificate from the Disdukcapil, "
        "name-change ruling from the district court.",
    ),
    regulation=PERPRES,
    pictogram="evidence_of_change.svg",
)

# Only for a first recording before 17 on the ground of marriage (see checklist()).
MARRIAGE_CERTIFICATE = Document(
    code="marriage_certificate",
    name=Text("Bukti perkawinan", "Evidence of marriage"),
    detail=Text(
        "Buku nikah atau akta perkawinan, karena Anda belum berusia 17 tahun.",
        "Marriage book or marriage certificate, because you are not yet 17.",
    ),
    where_to_get=Text(
        "Buku nikah dari KUA (bagi yang beragama Islam), akta perkawinan dari Disdukcapil.",
        "Marriage book from the KUA (for Muslims), marriage certificate from the Disdukcapil.",
    ),
    regulation=PERPRES,
    pictogram="marriage_certificate.svg",
)

# --- services ----------------------------------------------------------------------------------

_COUNTER_WHO = Text("Pemilik e-KTP", "e-KTP holders")

SERVICES: dict[str, Service] = {
    "pemula": Service(
        code="pemula",
        name=Text("Perekaman pertama", "First recording"),
        description=Text(
            "Belum pernah punya e-KTP: foto, tanda tangan, sidik jari, dan iris direkam.",
            "You never had an e-KTP: your photo, signature, fingerprints and iris are recorded.",
        ),
        needs_recording=True,
        pool="station",
        pictogram="pemula.svg",
        pictogram_alt=Text("Orang dengan tanda tambah", "A person with a plus sign"),
        documents=(KK,),
        who=Text(
            "Berusia 17 tahun ke atas, atau sudah/pernah menikah walaupun belum 17 tahun.",
            "Aged 17 or older, or married or ever married even if younger.",
        ),
        regulation=f"{PERPRES}; {FORM}",
    ),
    "rusak": Service(
        code="rusak",
        name=Text("e-KTP rusak", "Damaged e-KTP"),
        description=Text(
            "Kartu patah, retak, atau tidak terbaca: kartu dicetak ulang.",
            "The card is broken, cracked or unreadable: it is reprinted.",
        ),
        needs_recording=False,
        pool="counter",
        pictogram="rusak.svg",
        pictogram_alt=Text("Kartu yang retak", "A cracked card"),
        documents=(DAMAGED_EKTP, KK),
        who=_COUNTER_WHO,
        regulation=f"{PERPRES}; {FORM}",
    ),
    "hilang": Service(
        code="hilang",
        name=Text("e-KTP hilang", "Lost e-KTP"),
        description=Text(
            "Kartu hilang: dengan surat dari polisi, kartu dicetak ulang.",
            "The card is lost: with the police letter, it is reprinted.",
        ),
        needs_recording=False,
        pool="counter",
        pictogram="hilang.svg",
        pictogram_alt=Text("Kartu dengan tanda tanya", "A card with a question mark"),
        documents=(POLICE_LETTER, KK),
        who=_COUNTER_WHO,
        regulation=f"{PERPRES}; {FORM}",
    ),
    "perubahan": Service(
        code="perubahan",
        name=Text("Perubahan data", "Change of data"),
        description=Text(
            "Nama, agama, status perkawinan, alamat, atau data lain berubah: kartu dicetak dengan "
            "data baru.",
            "Your name, religion, marital status, address or other data changed: a card with the "
            "new data is printed.",
        ),
        needs_recording=False,
        pool="counter",
        pictogram="perubahan.svg",
        pictogram_alt=Text("Kartu dengan pensil", "A card with a pencil"),
        documents=(KK_UPDATED, OLD_EKTP, EVIDENCE_OF_CHANGE),
        who=_COUNTER_WHO,
        regulation=f"{PERPRES}; {FORM}",
    ),
    "pindah": Service(
        code="pindah",
        name=Text("Pindah datang", "Moved here"),
        description=Text(
            "Pindah ke kabupaten/kota ini dari daerah lain: kartu dicetak dengan alamat baru.",
            "You moved to this kabupaten/kota from elsewhere: a card with the new address is "
            "printed.",
        ),
        needs_recording=False,
        pool="counter",
        pictogram="pindah.svg",
        pictogram_alt=Text("Panah menuju rumah", "An arrow pointing to a house"),
        documents=(SKPWNI, KK_NEW_ADDRESS),
        who=Text(
            "Penduduk yang pindah ke kabupaten/kota ini dari daerah lain.",
            "Residents who moved to this kabupaten/kota from another one.",
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


def service_as_json(service: Service, lang: str, *, ever_married: bool = False) -> dict:
    """A JSON-ready description of the service in one language."""
    return {
        "code": service.code,
        "name": service.name(lang),
        "description": service.description(lang),
        "needs_recording": service.needs_recording,
        "pool": service.pool,
        "pictogram": service.pictogram,
        "requirements": [
            {
                "code": doc.code,
                "name": doc.name(lang),
                "detail": doc.detail(lang),
                "where_to_get": doc.where_to_get(lang),
                "regulation": doc.regulation,
            }
            for doc in checklist(service.code, ever_married=ever_married)
        ],
    }


# --- "Saya tidak yakin": which service do I need? ----------------------------------------------


@dataclass(frozen=True)
class Question:
    code: str
    text: Text
    hint: Text
    choices: tuple[tuple[str, Text], ...]


_YES_NO = (("yes", Text("Ya", "Yes")), ("no", Text("Tidak", "No")))

NONE_RESULT = "none"

# Pasal 64 ayat (7) huruf a UU 23/2006 as amended by UU 24/2013: an e-KTP of a citizen is valid
# for life, so nobody needs a new card just because time has passed.
NONE_RESULT_TEXT = Text(
    "Anda tidak perlu kartu baru. e-KTP berlaku seumur hidup, walaupun tanggal di kartu sudah "
    "lewat.",
    "You do not need a new card. An e-KTP is valid for life, even if the date printed on it has "
    "passed.",
)

QUESTIONS: dict[str, Question] = {
    "has_ektp": Question(
        code="has_ektp",
        text=Text("Apakah Anda sudah punya e-KTP?", "Do you already have an e-KTP?"),
        hint=Text(
            "Jawab 'Ya' juga jika kartunya hilang atau rusak. Sudah pernah merekam tetapi "
            "kartunya belum jadi? Anda tidak perlu merekam lagi: bawa tanda terima ke loket.",
            "Also answer 'Yes' if the card is lost or damaged. Already recorded but the card is "
            "not ready yet? You do not need to record again: bring your receipt to the counter.",
        ),
        choices=_YES_NO,
    ),
    "lost_or_damaged": Question(
        code="lost_or_damaged",
        text=Text(
            "Apakah e-KTP Anda hilang atau rusak?",
            "Is your e-KTP lost or damaged?",
        ),
        hint=Text(
            "Rusak artinya patah, retak, terkelupas, atau chip-nya tidak terbaca.",
            "Damaged means broken, cracked, peeling, or the chip cannot be read.",
        ),
        choices=_YES_NO,
    ),
    "which": Question(
        code="which",
        text=Text("Kartunya hilang atau rusak?", "Is the card lost or damaged?"),
        hint=Text(
            "Jika kartunya masih ada walaupun rusak, pilih 'Rusak'.",
            "If you still have the card, even broken, choose 'Damaged'.",
        ),
        choices=(("lost", Text("Hilang", "Lost")), ("damaged", Text("Rusak", "Damaged"))),
    ),
    "moved_from_other_city": Question(
        code="moved_from_other_city",
        text=Text(
            "Apakah Anda pindah ke sini dari kabupaten/kota lain?",
            "Did you move here from another kabupaten/kota?",
        ),
        hint=Text(
            "Pindah rumah di dalam kabupaten/kota yang sama termasuk perubahan alamat: jawab "
            "'Tidak'.",
            "Moving within the same kabupaten/kota counts as a change of address: answer 'No'.",
        ),
        choices=_YES_NO,
    ),
    "data_changed": Question(
        code="data_changed",
        text=Text(
            "Apakah data Anda berubah: nama, agama, status perkawinan, alamat, atau lainnya?",
            "Has any of your data changed: name, religion, marital status, address or other?",
        ),
        hint=Text(
            "Contoh: Anda menikah, bercerai, atau mengganti nama lewat pengadilan.",
            "For example: you married, divorced, or changed your name through a court.",
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
