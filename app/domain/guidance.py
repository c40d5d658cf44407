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

from ..i18n import N_

__all__ = ["STEPS", "GuidanceStep", "get_step"]


@dataclass(frozen=True)
class GuidanceStep:
    slug: str
    title: str
    pictogram: str  # file name under static/img/pictograms/
    summary: str
    tips: tuple[str, ...]


STEPS: tuple[GuidanceStep, ...] = (
    GuidanceStep(
        slug="nik-kk",
        title=N_("Cek NIK dan KK"),
        pictogram="nik-kk.svg",
        summary=N_(
            "Petugas mencocokkan NIK dan KK Anda dengan data kependudukan (SIAK), lalu Anda "
            "menunggu dipanggil ke meja perekaman.",
        ),
        tips=(
            N_(
                "Siapkan KK, asli atau fotokopi. Surat pengantar RT/RW atau desa tidak diperlukan.",
            ),
            N_(
                "Jika NIK Anda tidak ditemukan, petugas akan menjelaskan di mana datanya bisa "
                "dibetulkan. Tanyakan sampai jelas.",
            ),
        ),
    ),
    GuidanceStep(
        slug="foto",
        title=N_("Foto"),
        pictogram="foto.svg",
        summary=N_(
            "Anda duduk menghadap kamera dan difoto untuk kartu.",
        ),
        tips=(
            N_(
                "Pakai baju rapi, sebaiknya berkerah.",
            ),
            N_(
                "Lepas topi. Jilbab atau penutup kepala keagamaan boleh dipakai asalkan wajah "
                "terlihat jelas.",
            ),
            N_(
                "Lihat lurus ke kamera dan jangan bergerak sampai petugas selesai.",
            ),
        ),
    ),
    GuidanceStep(
        slug="tanda-tangan",
        title=N_("Tanda tangan"),
        pictogram="tanda-tangan.svg",
        summary=N_(
            "Anda menandatangani papan tanda tangan elektronik dengan pena khusus.",
        ),
        tips=(
            N_(
                "Tanda tangani seperti di dokumen Anda yang lain, misalnya ijazah atau buku "
                "tabungan.",
            ),
            N_(
                "Jika hasilnya kurang jelas, petugas bisa meminta Anda mengulang. Itu biasa.",
            ),
        ),
    ),
    GuidanceStep(
        slug="sidik-jari",
        title=N_("Sidik jari"),
        pictogram="sidik-jari.svg",
        summary=N_(
            "Empat jari tiap tangan lalu kedua ibu jari ditempelkan ke alat pemindai.",
        ),
        tips=(
            N_(
                "Tangan yang bersih dan kering paling mudah terbaca. Jika jari sangat kering, "
                "basahi sedikit saja.",
            ),
            N_(
                "Orang lanjut usia atau yang jarinya aus sering perlu beberapa kali. Itu wajar, "
                "bukan kesalahan Anda.",
            ),
            N_(
                "Jari terluka atau tidak ada? Beri tahu petugas: itu dicatat sebagai "
                "pengecualian, bukan alasan untuk menolak Anda.",
            ),
        ),
    ),
    GuidanceStep(
        slug="iris",
        title=N_("Iris mata"),
        pictogram="iris.svg",
        summary=N_(
            "Kamera iris memotret kedua mata Anda.",
        ),
        tips=(
            N_(
                "Lepas kacamata dan lensa kontak sebelum giliran Anda.",
            ),
            N_(
                "Lihat lurus ke alat dan buka mata lebar-lebar sampai petugas bilang selesai.",
            ),
        ),
    ),
    GuidanceStep(
        slug="tanda-terima",
        title=N_("Tanda terima"),
        pictogram="tanda-terima.svg",
        summary=N_(
            "Petugas memeriksa hasil rekaman, menyimpan dan mengirimnya, lalu memberi Anda "
            "tanda terima perekaman.",
        ),
        tips=(
            N_(
                "Simpan tanda terima baik-baik: Anda perlu menunjukkannya saat mengambil kartu.",
            ),
            N_(
                "Semuanya gratis, juga saat mengambil kartu. Tidak ada yang boleh meminta bayaran, "
                "termasuk orang desa yang mengantar atau menyerahkan kartu.",
            ),
        ),
    ),
)

_BY_SLUG: dict[str, GuidanceStep] = {step.slug: step for step in STEPS}


def get_step(slug: str) -> GuidanceStep:
    """The step with this slug; KeyError if there is none."""
    return _BY_SLUG[slug]
