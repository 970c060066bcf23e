"""Checks of the bundled audio excerpts in audio_samples/ against audio_samples/catalogue.csv.

Fast and offline: only the committed files are read (no apt, no rebuild). The maintainer
rebuild/verification lives in scripts/build_audio_samples.py.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import re
import shutil
from pathlib import Path

import pytest
import soundfile as sf

AUDIO_DIR = Path(__file__).resolve().parent.parent / "audio_samples"
BUILD_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "build_audio_samples.py"
CATALOGUE = "catalogue.csv"
COLUMNS = [
    "id", "file", "title", "artist", "style", "listen_for", "source_package", "source_version",
    "source_path", "license", "license_file", "excerpt_start_s", "excerpt_duration_s",
    "sample_rate_hz", "channels", "vorbis_quality", "processing", "sha256",
]
AUDIO_EXTENSIONS = {".ogg", ".wav", ".flac", ".mp3"}
ALLOWED_LICENSES = {"CC0-1.0", "CC-BY-3.0", "CC-BY-4.0", "CC-BY-SA-3.0", "CC-BY-SA-4.0",
                    "GPL-2.0-or-later", "GPL-3.0-or-later", "MIT"}
MAX_FOLDER_BYTES = 6 * 1024 * 1024
DURATION_TOLERANCE_S = 0.1


# ---- small checking functions (each returns a list of problems; empty = fine) ----------

def read_catalogue(folder: Path) -> list[dict]:
    with open(folder / CATALOGUE, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def audio_files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS}


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hash_mismatches(folder: Path) -> list[str]:
    """Files whose bytes do not match the catalogue's sha256 (or are missing)."""
    bad = []
    for row in read_catalogue(folder):
        path = folder / row["file"]
        if not path.is_file() or sha256_of(path) != row["sha256"]:
            bad.append(row["file"])
    return bad


def format_mismatches(folder: Path) -> list[str]:
    """Rows whose sample rate, channel count or duration disagree with the file itself."""
    bad = []
    for row in read_catalogue(folder):
        info = sf.info(str(folder / row["file"]))
        if info.samplerate != int(row["sample_rate_hz"]):
            bad.append(f"{row['file']}: sample rate {info.samplerate} != {row['sample_rate_hz']}")
        if info.channels != int(row["channels"]):
            bad.append(f"{row['file']}: channels {info.channels} != {row['channels']}")
        if abs(info.duration - float(row["excerpt_duration_s"])) > DURATION_TOLERANCE_S:
            bad.append(f"{row['file']}: duration {info.duration:.3f} s != {row['excerpt_duration_s']} s")
    return bad


def encoding_mismatches(folder: Path, quality: float) -> list[str]:
    """Rows not encoded as the build encodes: Ogg Vorbis at ``quality``, declared in vorbis_quality and processing."""
    bad = []
    for row in read_catalogue(folder):
        info = sf.info(str(folder / row["file"]))
        if (info.format, info.subtype) != ("OGG", "VORBIS"):
            bad.append(f"{row['file']}: {info.format}/{info.subtype}, not OGG/VORBIS")
        if row["vorbis_quality"] != f"{quality:.2f}":
            bad.append(f"{row['file']}: vorbis_quality {row['vorbis_quality']!r}, the build uses {quality:.2f}")
        if f"Vorbis quality {quality:.2f}" not in row["processing"]:
            bad.append(f"{row['file']}: processing does not say 'Vorbis quality {quality:.2f}'")
    return bad


def build_vorbis_quality() -> float:
    """VORBIS_QUALITY of scripts/build_audio_samples.py (importing it runs no build)."""
    spec = importlib.util.spec_from_file_location("build_audio_samples", BUILD_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.VORBIS_QUALITY


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


# ---- tests ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_catalogue(AUDIO_DIR)


def test_catalogue_has_exact_columns():
    with open(AUDIO_DIR / CATALOGUE, encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header == COLUMNS


def test_all_fields_non_empty(rows):
    empty = [(r.get("id"), c) for r in rows for c in COLUMNS if not (r.get(c) or "").strip()]
    assert not empty, f"empty catalogue fields: {empty}"


def test_at_least_six_samples(rows):
    assert len(rows) >= 6


def test_ids_unique_lowercase_identifiers(rows):
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), f"duplicate ids: {ids}"
    bad = [i for i in ids if not re.fullmatch(r"[a-z][a-z0-9_]*", i)]
    assert not bad, f"ids must be lowercase identifiers: {bad}"


def test_every_audio_file_has_a_row(rows):
    listed = {r["file"] for r in rows}
    unlisted = sorted(audio_files(AUDIO_DIR) - listed)
    assert not unlisted, f"audio files without a catalogue row: {unlisted}"


def test_every_row_file_exists(rows):
    missing = [r["file"] for r in rows if not (AUDIO_DIR / r["file"]).is_file()]
    assert not missing, f"catalogue rows whose file is missing: {missing}"


def test_sha256_matches():
    assert hash_mismatches(AUDIO_DIR) == []


def test_licenses_allowed_and_files_exist(rows):
    bad = [(r["id"], r["license"]) for r in rows if r["license"] not in ALLOWED_LICENSES]
    assert not bad, f"licence ids outside {sorted(ALLOWED_LICENSES)}: {bad}"
    missing = [r["license_file"] for r in rows if not (AUDIO_DIR / r["license_file"]).is_file()]
    assert not missing, f"licence files missing: {missing}"


def test_credits_mention_every_file(rows):
    credits = (AUDIO_DIR / "CREDITS.md").read_text(encoding="utf-8")
    missing = [r["file"] for r in rows if r["file"] not in credits or r["artist"] not in credits]
    assert not missing, f"CREDITS.md does not credit: {missing}"


def test_format_and_duration_match_files():
    assert format_mismatches(AUDIO_DIR) == []


def test_encoding_matches_the_build_script():
    assert encoding_mismatches(AUDIO_DIR, build_vorbis_quality()) == []


def test_encoding_check_detects_another_quality(tmp_path):
    copy = tmp_path / "audio_samples"
    shutil.copytree(AUDIO_DIR, copy)
    rows = read_catalogue(copy)
    rows[0]["vorbis_quality"] = "0.25"
    with open(copy / CATALOGUE, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    quality = float(read_catalogue(AUDIO_DIR)[1]["vorbis_quality"])
    assert encoding_mismatches(copy, quality) == [
        f"{rows[0]['file']}: vorbis_quality '0.25', the build uses {quality:.2f}"]
    assert len(encoding_mismatches(AUDIO_DIR, quality + 0.1)) == 2 * len(rows)


def test_folder_under_size_limit():
    size = folder_size(AUDIO_DIR)
    assert size < MAX_FOLDER_BYTES, f"audio_samples/ is {size / 1e6:.2f} MB"


def test_hash_check_detects_a_changed_byte(tmp_path):
    copy = tmp_path / "audio_samples"
    shutil.copytree(AUDIO_DIR, copy)
    victim = sorted(audio_files(copy))[0]
    data = bytearray((copy / victim).read_bytes())
    data[len(data) // 2] ^= 0x01
    (copy / victim).write_bytes(bytes(data))
    assert hash_mismatches(copy) == [victim]
