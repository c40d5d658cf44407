"""What happens at the recording desk, step by step, with practical tips. Plain data, no Flask.

The order follows the recording procedure at the kecamatan: the NIK and KK are checked against
the population database (SIAK); the resident is called to the recording station; photo,
signature, fingerprints (four-finger slaps and both thumbs) and iris are captured; the operator
checks the result; the record is saved and sent, and the resident gets the recording receipt
(tanda terima) that is shown later to collect the card.

The tips answer what the field studies found going wrong: fingerprints captured again and again
(dry or worn fingers, elderly residents), people not told what is happening, and being asked to
pay. Recording is free: Pasal 79A UU 23/2006, inserted by UU 24/2013.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.services import Text

__all__ = ["STEPS", "GuidanceStep", "get_step"]


@dataclass(frozen=True)
class GuidanceStep:
    slug: str
    title: Text
    pictogram: str  # file name under static/img/pictograms/
    summary: Text
    tips: tuple[Text, ...]


STEPS: tuple[GuidanceStep, ...] = (
    GuidanceStep(
        slug="nik-kk",
        title=Text("Cek NIK dan KK", "NIK and KK check"),
        pictogram="nik-kk.svg",
        summary=Text(
            "Petugas mencocokkan NIK dan KK Anda dengan data kependudukan (SIAK), lalu Anda "
            "menunggu dipanggil ke meja perekaman.",
            "The officer checks your NIK and KK against the population database (SIAK). Then "
            "you wait to be called to the recording desk.",
        ),
        tips=(
            Text(
                "Siapkan KK, asli atau fotokopi. Surat pengantar RT/RW atau desa tidak diperlukan.",
                "Have your KK ready, original or a copy. No letter from the RT/RW or village is "
                "needed.",
            ),
            Text(
                "Jika NIK Anda tidak ditemukan, petugas akan menjelaskan di mana datanya bisa "
                "dibetulkan. Tanyakan sampai jelas.",
                "If your NIK is not found, the officer will explain where the data can be "
                "corrected. Ask until it is clear.",
            ),
        ),
    ),
    GuidanceStep(
        slug="foto",
        title=Text("Foto", "Photo"),
        pictogram="foto.svg",
        summary=Text(
            "Anda duduk menghadap kamera dan difoto untuk kartu.",
            "You sit facing the camera and your photo for the card is taken.",
        ),
        tips=(
            Text(
                "Pakai baju rapi, sebaiknya berkerah.",
                "Wear neat clothes, preferably with a collar.",
            ),
            Text(
                "Lepas topi. Jilbab atau penutup kepala keagamaan boleh dipakai asalkan wajah "
                "terlihat jelas.",
                "Take off your hat. A headscarf or other religious headwear may stay on as long "
                "as your face is clearly visible.",
            ),
            Text(
                "Lihat lurus ke kamera dan jangan bergerak sampai petugas selesai.",
                "Look straight at the camera and keep still until the officer is done.",
            ),
        ),
    ),
    GuidanceStep(
        slug="tanda-tangan",
        title=Text("Tanda tangan", "Signature"),
        pictogram="tanda-tangan.svg",
        summary=Text(
            "Anda menandatangani papan tanda tangan elektronik dengan pena khusus.",
            "You sign on an electronic signature pad with a special pen.",
        ),
        tips=(
            Text(
                "Tanda tangani seperti di dokumen Anda yang lain, misalnya ijazah atau buku "
                "tabungan.",
                "Sign the way you do on your other documents, such as a school certificate or "
                "bank book.",
            ),
            Text(
                "Jika hasilnya kurang jelas, petugas bisa meminta Anda mengulang. Itu biasa.",
                "If it comes out unclear, the officer may ask you to sign again. That is normal.",
            ),
        ),
    ),
    GuidanceStep(
        slug="sidik-jari",
        title=Text("Sidik jari", "Fingerprints"),
        pictogram="sidik-jari.svg",
        summary=Text(
            "Empat jari tiap tangan lalu kedua ibu jari ditempelkan ke alat pemindai.",
            "Four fingers of each hand, then both thumbs, are placed on the scanner.",
        ),
        tips=(
            Text(
                "Tangan yang bersih dan kering paling mudah terbaca. Jika jari sangat kering, "
                "basahi sedikit saja.",
                "Clean, dry hands are read best. If your fingers are very dry, moisten them "
                "lightly.",
            ),
            Text(
                "Orang lanjut usia atau yang jarinya aus sering perlu beberapa kali. Itu wajar, "
                "bukan kesalahan Anda.",
                "Older people or people with worn fingers often need a few tries. That is normal "
                "and not your fault.",
            ),
            Text(
                "Jari terluka atau tidak ada? Beri tahu petugas: itu dicatat sebagai "
                "pengecualian, bukan alasan untuk menolak Anda.",
                "A finger injured or missing? Tell the officer: it is recorded as an exception, "
                "never a reason to turn you away.",
            ),
        ),
    ),
    GuidanceStep(
        slug="iris",
        title=Text("Iris mata", "Iris"),
        pictogram="iris.svg",
        summary=Text(
            "Kamera iris memotret kedua mata Anda.",
            "The iris camera takes a picture of both your eyes.",
        ),
        tips=(
            Text(
                "Lepas kacamata dan lensa kontak sebelum giliran Anda.",
                "Take off glasses and contact lenses before your turn.",
            ),
            Text(
                "Lihat lurus ke alat dan buka mata lebar-lebar sampai petugas bilang selesai.",
                "Look straight into the device and keep your eyes wide open until the officer "
                "says it is done.",
            ),
        ),
    ),
    GuidanceStep(
        slug="tanda-terima",
        title=Text("Tanda terima", "Receipt"),
        pictogram="tanda-terima.svg",
        summary=Text(
            "Petugas memeriksa hasil rekaman, menyimpan dan mengirimnya, lalu memberi Anda "
            "tanda terima perekaman.",
            "The officer checks the recording, saves and sends it, and gives you the recording "
            "receipt.",
        ),
        tips=(
            Text(
                "Simpan tanda terima baik-baik: Anda perlu menunjukkannya saat mengambil kartu.",
                "Keep the receipt safe: you need to show it when you collect the card.",
            ),
            Text(
                "Semuanya gratis, juga saat mengambil kartu. Tidak ada yang boleh meminta bayaran, "
                "termasuk orang desa yang mengantar atau menyerahkan kartu.",
                "Everything is free, collecting the card too. Nobody may ask you to pay, not even "
                "desa people who bring or hand over the card.",
            ),
        ),
    ),
)

_BY_SLUG: dict[str, GuidanceStep] = {step.slug: step for step in STEPS}


def get_step(slug: str) -> GuidanceStep:
    """The step with this slug; KeyError if there is none."""
    return _BY_SLUG[slug]
