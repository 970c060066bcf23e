#!/usr/bin/env python3
"""Build or verify the course's bundled music excerpts in ``audio_samples/``.

This is a *maintainer* script. Students never need to run it: the excerpts,
``catalogue.csv``, ``CREDITS.md`` and the licence texts are committed.

Commands
--------
    python scripts/build_audio_samples.py build    # (re)create audio_samples/
    python scripts/build_audio_samples.py check    # rebuild into a temp dir and compare
    python scripts/build_audio_samples.py measure  # print loudness/spectral numbers of the committed files
    python scripts/build_audio_samples.py codec-study  # how far each Vorbis quality moves the course's features

What ``build`` does for every entry of ``SAMPLES`` below:

1. ``apt-get download`` the source package (cached in ``~/.cache/music-course-sources``,
   or ``$MUSIC_COURSE_SOURCES``) and verify it against the SHA256 apt reports;
2. extract only the needed files with ``dpkg-deb --fsys-tarfile`` (the package is
   never installed);
3. decode, (sum stems,) cut the excerpt, apply 50 ms raised-cosine fades at both
   ends, peak-normalise to -1 dBFS, encode Ogg Vorbis at the source's native
   sample rate and channel count;
4. rewrite the Ogg stream serial number (libsndfile picks a random one on every
   write) to a fixed value derived from the sample id and recompute each page's
   CRC, so two builds with the same libraries are byte-identical;
5. write ``catalogue.csv``, ``CREDITS.md``, ``licenses/`` (licence texts and each
   package's Debian copyright file).

Needs a Debian-based system (apt-get, dpkg-deb) plus numpy and soundfile;
``measure`` and ``codec-study`` also need librosa.

The Vorbis quality (``VORBIS_QUALITY``) was chosen with ``codec-study``: it encodes each excerpt's uncompressed
reference (step 3 before encoding) at several qualities and compares the features as the lessons compute them
(22050 Hz mono, soxr_hq, mean removed; ``helpers.summaries.frame_features``). At quality 0.25 (2.3 MB for the
seven files) Vorbis added high-frequency energy (orchestral: +1.1 dB at 4-8 kHz, +2.9 dB at 8-16 kHz) and
raised the clip-mean centroid and roll-off by up to 8.2 % and 9.1 % (orchestral; edm +6.4 %, piano +4.3 %),
and moved a clip-mean MFCC by up to 45 % of that coefficient's spread between the clips. At 0.50 every clip
stays within 1.4 % (centroid) and 1.7 % (roll-off), the clip-mean MFCCs within 11 % of the between-clip spread
(24 % for speech, whose quiet pauses change at every quality), in 3.6 MB. Higher qualities up to 0.80 still
leave 1.5-1.9 % (a slight loss of high frequencies); only 0.90 brought everything under 1 %, with 6.8 MB of
audio, over the folder's 6 MiB budget. Between clips the centroid differs by about 50 % (standard deviation).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path

import numpy as np
import soundfile as sf

# --------------------------------------------------------------------------------------
# The recipe: one entry per excerpt. Everything the build needs lives here.
#
# source_paths: paths inside the .deb (as listed by `dpkg -c`, without the leading "./").
#   "archive.pk3:member" reads a member of a zip archive inside the package.
#   More than one path means: decode each and sum them sample by sample (stems).
# start_s / duration_s: excerpt position in the decoded source; duration None = to the end.
# Start times were chosen by measurement (see `measure` and the notes below).
# --------------------------------------------------------------------------------------
SAMPLES: list[dict] = [
    {
        "id": "pop",
        "package": "pink-pony-data",
        "source_paths": ["usr/share/games/pink-pony/music/To be happy.mp3"],
        "start_s": 70.0,
        "duration_s": 30.0,
        "title": "To be happy",
        "artist": "Renich",
        "copyright": "Copyright (C) 2007 Renich <http://www.jamendo.com/en/artist/Renich>",
        "license": "CC-BY-SA-3.0",
        "license_file": "licenses/CC-BY-SA-3.0.txt",
        "style": "Pop / band instrumental",
        "listen_for": (
            "Drums, bass and melody instruments playing together at a steady pace, at an even loudness "
            "throughout."
        ),
        # 1:10-1:40: steady section after the intro (1-s RMS within -17..-14.5 dBFS).
    },
    {
        "id": "edm",
        "package": "nexuiz-music",
        "source_paths": ["usr/share/games/nexuiz/data/music.pk3:sound/cdtracks/sixtyfour_revisited.ogg"],
        "start_s": 30.0,
        "duration_s": 30.0,
        "title": "SixtyFour Revisited",
        "artist": "blkrbt",
        "copyright": (
            "Track by blkrbt (artist named in the file's Vorbis tags); "
            "Nexuiz (C) 2002-2009 Alientrap, Lee Vermeulen <lvermeulen@shaw.ca>"
        ),
        "license": "GPL-2.0-or-later",
        "license_file": "licenses/GPL-2.0.txt",
        "style": "EDM (four-on-the-floor)",
        "listen_for": (
            "A kick drum thumping on every beat (a little over two per second) under a deep, heavy bass."
        ),
        # 0:30-1:00: full groove; low-band onset autocorrelation peaks at one beat (~128 BPM).
    },
    {
        "id": "metal",
        "package": "fretsonfire-songs-sectoid",
        "source_paths": [
            "usr/share/games/fretsonfire/data/songs/sectoid/Metal madness/song.ogg",
            "usr/share/games/fretsonfire/data/songs/sectoid/Metal madness/guitar.ogg",
        ],
        "start_s": 10.0,
        "duration_s": 30.0,
        "title": "Metal madness",
        "artist": "Sectoid (Carlos Viola Iborra)",
        "copyright": "Copyright (c) 2006/2007 Carlos Viola Iborra <karuritosu@gmail.com>",
        "license": "MIT",
        "license_file": "licenses/MIT-Sectoid.txt",
        "style": "Metal (distorted guitars)",
        "listen_for": (
            "Distorted electric guitars: a dense, buzzing, almost noise-like wall of sound that stays loud all "
            "the time."
        ),
        # 0:10-0:40: guitar stem active throughout (it drops out around 1:25-1:35).
    },
    {
        "id": "orchestral",
        "package": "wesnoth-1.16-music",
        "source_paths": ["usr/share/games/wesnoth/1.16/data/core/music/heroes_rite.ogg"],
        "start_s": 80.0,
        "duration_s": 30.0,
        "title": "Heroes Rite",
        "artist": "Doug Kaufman",
        "copyright": "Doug Kaufman (C) 2008 (Vorbis tags); Battle for Wesnoth (C) 2003-2009 David White and contributors",
        "license": "GPL-2.0-or-later",
        "license_file": "licenses/GPL-2.0.txt",
        "style": "Orchestral (game score)",
        "listen_for": (
            "Strings, brass and woodwinds with hardly any drums: long held notes that grow and fade with the "
            "melody."
        ),
        # 1:20-1:50: full orchestra after the quiet opening; percussive energy share only ~6 %.
    },
    {
        "id": "ambient",
        "package": "singularity-music",
        "source_paths": ["usr/share/games/singularity/music/Advanced Simulacra.ogg"],
        "start_s": 20.0,
        "duration_s": 30.0,
        "title": "Advanced Simulacra",
        "artist": "Maxstack (Max McCracken)",
        "copyright": "Copyright (C) 2007-2008,2012 Max McCracken",
        "license": "CC-BY-SA-3.0",
        "license_file": "licenses/CC-BY-SA-3.0.txt",
        "style": "Ambient (sustained pads, no drums)",
        "listen_for": (
            "Soft, long synthesiser chords with no drums; new chords enter suddenly, then fade away slowly."
        ),
        # 0:20-0:50: pads only (percussive share ~1 %); later the track adds more rhythmic parts.
        # The source is 48 kHz; the native rate is kept.
    },
    {
        "id": "speech",
        "package": "asterisk-core-sounds-en-wav",
        "source_paths": ["usr/share/asterisk/sounds/en_US_f_Allison/demo-congrats.wav"],
        "start_s": 0.0,
        "duration_s": None,  # whole prompt (30.28 s; speech runs to ~30.1 s)
        "title": "demo-congrats (Asterisk demo prompt)",
        "artist": "Allison Smith",
        "copyright": "Copyright 2003-2010 Allison Smith (recorded by Allison Smith, http://www.theivrvoice.com; financial contributions by Digium, Inc.)",
        "license": "CC-BY-SA-3.0",
        "license_file": "licenses/CC-BY-SA-3.0.txt",
        "style": "Speech (female voice, telephone quality)",
        "listen_for": (
            "A woman's voice on a telephone line: listen for the short pauses between words and the muffled, "
            "narrow sound."
        ),
    },
    {
        "id": "piano",
        "package": "fluid-soundfont-gm",
        "source_paths": ["usr/share/sounds/sf2/FluidR3_GM.sf2"],
        # Not an excerpt of a recording: the score below is rendered with this SoundFont.
        "render": {"score": "BWV846_BARS", "bank": 0, "program": 0, "tempo_qpm": 80, "sample_rate": 44100},
        "start_s": 0.0,
        "duration_s": 31.0,  # bars 1-10 (30 s) plus 1 s of release
        "title": "Prelude in C major, BWV 846 (bars 1-10), solo-piano render",
        "artist": "J. S. Bach (composer); rendered by the course with FluidR3_GM",
        "copyright": ("Composition in the public domain; piano samples: FluidR3_GM SoundFont, "
                      "Copyright (C) 2000-2002, 2008 Frank Wen, (C) 2008 Toby Smithe"),
        "license": "MIT",
        "license_file": "licenses/MIT-FluidR3_GM.txt",
        "style": "Solo piano (synthesised render)",
        "listen_for": (
            "A piano playing a steady stream of broken chords, one note at a time; each note starts sharply and "
            "rings on. A computer render, not a recorded performance."
        ),
    },
]

LICENSE_NAMES: dict[str, dict] = {
    "CC-BY-SA-3.0": {"name": "Creative Commons Attribution-ShareAlike 3.0 Unported",
                     "url": "https://creativecommons.org/licenses/by-sa/3.0/"},
    "GPL-2.0-or-later": {"name": "GNU General Public License, version 2 or (at your option) any later version",
                         "url": "https://www.gnu.org/licenses/old-licenses/gpl-2.0.html"},
    "MIT": {"name": "MIT License (Expat)", "url": "https://opensource.org/license/mit"},
}

# Licence texts written to audio_samples/ (keys are the `license_file` paths). Each is generated
# from a file on this Debian system or cut from a package's copyright file, so `check` verifies it.
LICENSE_TEXTS: dict[str, dict] = {
    "licenses/CC-BY-SA-3.0.txt": {
        "license": "CC-BY-SA-3.0",
        "from_package": "singularity-music",  # the legal code including the CC notice
        "begin": "THE WORK (AS DEFINED BELOW) IS PROVIDED",
        "end": "Creative Commons may be contacted at http://creativecommons.org/.",
    },
    "licenses/GPL-2.0.txt": {
        "license": "GPL-2.0-or-later",
        "system_file": "/usr/share/common-licenses/GPL-2",
    },
    "licenses/MIT-Sectoid.txt": {
        "license": "MIT",
        "from_package": "fretsonfire-songs-sectoid",
        "begin": "The songs, performances and fret files are all Copyright",
        "end": "THE SOFTWARE.",
    },
    "licenses/MIT-FluidR3_GM.txt": {
        "license": "MIT",
        "from_package": "fluid-soundfont-gm",
        "begin": "Copyright: ",
        "end": "OTHER DEALINGS IN THE SOFTWARE.",
    },
}

FADE_S = 0.050  # raised-cosine fade at both ends of every excerpt
PEAK_DBFS = -1.0  # peak normalisation target
# Vorbis quality 0.50 (~160 kbit/s stereo at 44.1 kHz), chosen by `codec-study` (see the module docstring): the
# lowest quality at which the codec's bias on the clip-mean spectral centroid and roll-off stops shrinking.
VORBIS_QUALITY = 0.50
VORBIS_COMPRESSION_LEVEL = 1 - VORBIS_QUALITY  # libsndfile's setting: Vorbis quality = 1 - compression_level

CATALOGUE_COLUMNS = [
    "id", "file", "title", "artist", "style", "listen_for", "source_package", "source_version",
    "source_path", "license", "license_file", "excerpt_start_s", "excerpt_duration_s",
    "sample_rate_hz", "channels", "vorbis_quality", "processing", "sha256",
]

REPO = Path(__file__).resolve().parent.parent
OUT_DIR = REPO / "audio_samples"
DEFAULT_CACHE = Path(os.environ.get("MUSIC_COURSE_SOURCES", Path.home() / ".cache" / "music-course-sources"))


class BuildError(RuntimeError):
    pass


# --------------------------------------------------------------------------------------
# Debian packages
# --------------------------------------------------------------------------------------
def require_debian_tools() -> None:
    missing = [tool for tool in ("apt-get", "dpkg-deb") if shutil.which(tool) is None]
    if missing:
        raise BuildError(
            f"{' and '.join(missing)} not found: this maintainer script needs a Debian-based system "
            "(it downloads the source .deb packages with apt-get and unpacks them with dpkg-deb). "
            "Students do not need it - the built files are committed in audio_samples/."
        )


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def fetch_deb(package: str, cache: Path) -> Path:
    """Return the cached .deb of apt's current candidate version, downloading it if needed."""
    cache.mkdir(parents=True, exist_ok=True)
    res = _run(["apt-get", "download", "--print-uris", package])
    line = next((ln for ln in res.stdout.splitlines() if ln.startswith("'")), None)
    if res.returncode != 0 or line is None:
        raise BuildError(
            f"apt-get cannot find package {package!r} (exit {res.returncode}). Is the Debian "
            f"archive (main) in your sources, and have you run `apt-get update`?\n{res.stderr.strip()}"
        )
    _uri, filename, size, checksum = line.split()
    algo, _, expected = checksum.partition(":")
    deb = cache / filename
    if not (deb.exists() and deb.stat().st_size == int(size) and _file_hash(deb, algo) == expected):
        print(f"  downloading {filename} ({int(size) / 1e6:.1f} MB) ...", flush=True)
        res = _run(["apt-get", "download", package], cwd=cache)
        if res.returncode != 0 or not deb.exists():
            raise BuildError(f"`apt-get download {package}` failed:\n{res.stderr.strip()}")
        if _file_hash(deb, algo) != expected:
            raise BuildError(f"{deb} does not match the {algo} apt reports; delete it and retry")
    return deb


def _file_hash(path: Path, algo: str = "sha256") -> str:
    h = hashlib.new(algo.lower().replace("-", ""))
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def deb_field(deb: Path, field: str) -> str:
    res = _run(["dpkg-deb", "-f", str(deb), field])
    if res.returncode != 0:
        raise BuildError(f"dpkg-deb could not read {deb}:\n{res.stderr.strip()}")
    return res.stdout.strip()


def extract_members(deb: Path, members: list[str], dest: Path) -> dict[str, Path]:
    """Extract only `members` (paths without leading './') of a .deb into `dest` (cached)."""
    wanted = {m: dest / m for m in members}
    if all(p.exists() for p in wanted.values()):
        return wanted
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    found = set()
    with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
        for info in tar:
            name = info.name.removeprefix("./")
            if name in wanted and info.isfile():
                target = wanted[name]
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(target.name + ".part")
                with tar.extractfile(info) as src, open(tmp, "wb") as out:
                    shutil.copyfileobj(src, out)
                tmp.replace(target)
                found.add(name)
    proc.wait()
    if proc.returncode != 0:
        raise BuildError(f"dpkg-deb --fsys-tarfile {deb} failed: {proc.stderr.read().decode().strip()}")
    missing = sorted(set(members) - found)
    if missing:
        raise BuildError(f"{deb.name} has no file(s) {missing}; the package layout changed - "
                         "update source_paths in SAMPLES (list the package with `dpkg-deb -c`)")
    return wanted


class Package:
    """A downloaded Debian binary package (.deb) with lazily extracted files."""

    def __init__(self, name: str, cache: Path):
        self.name = name
        self.deb = fetch_deb(name, cache)
        self.version = deb_field(self.deb, "Version")
        self.source = (deb_field(self.deb, "Source") or name).split()[0]  # Debian source package
        self.root = cache / "extracted" / self.deb.stem

    def files(self, members: list[str]) -> dict[str, Path]:
        return extract_members(self.deb, members, self.root)

    def copyright_text(self) -> str:
        member = f"usr/share/doc/{self.name}/copyright"
        return self.files([member])[member].read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------
# Audio
# --------------------------------------------------------------------------------------
# Bach, Prelude in C major BWV 846 (Well-Tempered Clavier I), bars 1-10, written out by hand
# (the composition is in the public domain). Each bar is one five-note chord, MIDI note numbers
# from low to high, played twice per bar as the sixteenths n1 n2 n3 n4 n5 n3 n4 n5.
BWV846_BARS = [
    (60, 64, 67, 72, 76),  # 1  C
    (60, 62, 69, 74, 77),  # 2  Dm7/C
    (59, 62, 67, 74, 77),  # 3  G7/B
    (60, 64, 67, 72, 76),  # 4  C
    (60, 64, 69, 76, 81),  # 5  Am/C
    (60, 62, 66, 69, 74),  # 6  D7/C
    (59, 62, 67, 74, 79),  # 7  G/B
    (59, 60, 64, 67, 72),  # 8  Cmaj7/B
    (57, 60, 64, 67, 72),  # 9  Am7
    (50, 57, 62, 66, 72),  # 10 D7
]
SCORES = {"BWV846_BARS": BWV846_BARS}  # referred to by name from SAMPLES[...]["render"]["score"]


def bwv846_notes(bars: list[tuple], tempo_qpm: float) -> list[tuple[float, float, int, int]]:
    """(onset_s, release_s, midi_key, velocity) for the arpeggio pattern of the prelude.

    Every note is held to the end of its half bar, as with a sustain pedal, or until the same key
    is struck again.
    """
    sixteenth = 60.0 / tempo_qpm / 4
    notes = []
    for b, chord in enumerate(bars):
        for half in range(2):
            t0 = (b * 16 + half * 8) * sixteenth
            pattern = [0, 1, 2, 3, 4, 2, 3, 4]
            for k, idx in enumerate(pattern):
                later = [j for j in range(k + 1, 8) if pattern[j] == idx]
                end = t0 + (later[0] if later else 8) * sixteenth
                velocity = {0: 72, 1: 64}.get(idx, 62 if k == 2 else 56)
                notes.append((t0 + k * sixteenth, end, chord[idx], velocity))
    return notes


class SoundFont:
    """Just enough of a SoundFont 2 player to render one melodic preset.

    Supports key/velocity zones, stereo sample pairs via pan, root key / tuning, sample loops and
    the SF2 volume envelope (delay, attack, hold, decay, sustain, release) with velocity as
    amplitude (velocity/127)^2. No filters, modulators, LFOs, chorus or reverb.
    """

    DEFAULTS = {33: -12000, 34: -12000, 35: -12000, 36: -12000, 38: -12000, 56: 100, 58: -1}
    RANGES, TERMINAL = (43, 44), (41, 53)  # keyRange, velRange; instrument, sampleID
    NOT_ADDITIVE = {0, 1, 2, 3, 4, 12, 45, 50, 54, 57, 58}  # sample-level generators

    def __init__(self, path: Path):
        import struct

        self.data = np.memmap(path, dtype=np.uint8, mode="r")
        d = self.data

        def chunks(off, end):
            while off < end:
                cid, size = bytes(d[off:off + 4]), int.from_bytes(bytes(d[off + 4:off + 8]), "little")
                yield cid, off + 8, size
                off += 8 + size + (size & 1)

        if bytes(d[0:4]) != b"RIFF" or bytes(d[8:12]) != b"sfbk":
            raise BuildError(f"{path} is not a SoundFont 2 file")
        pdta = {}
        for cid, off, size in chunks(12, len(d)):
            if cid == b"LIST":
                kind = bytes(d[off:off + 4])
                for c2, o2, s2 in chunks(off + 4, off + size):
                    if kind == b"sdta" and c2 == b"smpl":
                        self.smpl = np.frombuffer(d[o2:o2 + s2], dtype="<i2")
                    elif kind == b"pdta":
                        pdta[c2.decode()] = bytes(d[o2:o2 + s2])
        rec = lambda name, fmt: list(struct.iter_unpack(fmt, pdta[name]))  # noqa: E731
        self.phdr, self.pbag, self.pgen = rec("phdr", "<20sHHHIII"), rec("pbag", "<HH"), rec("pgen", "<Hh")
        self.inst, self.ibag, self.igen = rec("inst", "<20sH"), rec("ibag", "<HH"), rec("igen", "<Hh")
        self.shdr = rec("shdr", "<20sIIIIIBbHH")

    @staticmethod
    def _zones(bags, gens, first, last):
        zones = []
        for b in range(first, last):
            z = {op: amount for op, amount in gens[bags[b][0]:bags[b + 1][0]]}
            for r in SoundFont.RANGES:
                if r in z:
                    raw = z[r] & 0xFFFF
                    z[r] = (raw & 0xFF, raw >> 8)
            zones.append(z)
        glob = zones.pop(0) if zones and not any(t in zones[0] for t in SoundFont.TERMINAL) else {}
        return glob, zones

    @staticmethod
    def _matches(z, key, vel):
        lo, hi = z.get(43, (0, 127))
        vlo, vhi = z.get(44, (0, 127))
        return lo <= key <= hi and vlo <= vel <= vhi

    def preset_name(self, bank, program) -> str:
        i = self._preset_index(bank, program)
        return self.phdr[i][0].split(b"\0")[0].decode("latin-1")

    def _preset_index(self, bank, program):
        for i, p in enumerate(self.phdr[:-1]):
            if p[1] == program and p[2] == bank:
                return i
        raise BuildError(f"SoundFont has no preset {bank}:{program}")

    def voices(self, bank, program, key, vel):
        """Merged generator dicts (plus sample header) for every voice a note triggers."""
        i = self._preset_index(bank, program)
        pglob, pzones = self._zones(self.pbag, self.pgen, self.phdr[i][3], self.phdr[i + 1][3])
        out = []
        for pz in pzones:
            if 41 not in pz or not self._matches(pz, key, vel):
                continue
            inst = pz[41] & 0xFFFF
            iglob, izones = self._zones(self.ibag, self.igen, self.inst[inst][1], self.inst[inst + 1][1])
            for iz in izones:
                if 53 not in iz or not self._matches(iz, key, vel):
                    continue
                g = dict(self.DEFAULTS)
                g.update({k: v for k, v in iglob.items() if k not in self.RANGES})
                g.update({k: v for k, v in iz.items() if k not in self.RANGES})
                for k, v in {**pglob, **pz}.items():
                    if k not in self.RANGES and k not in self.TERMINAL and k not in self.NOT_ADDITIVE:
                        g[k] = g.get(k, 0) + v
                g["sample"] = self.shdr[iz[53] & 0xFFFF]
                out.append(g)
        return out

    def render(self, notes, bank, program, sr) -> np.ndarray:
        end = max(off for _, off, _, _ in notes)
        out = np.zeros((int((end + 4.0) * sr), 2))
        tc = lambda v: 2.0 ** (v / 1200.0)  # noqa: E731  timecents -> seconds
        for onset, release_at, key, vel in notes:
            for g in self.voices(bank, program, key, vel):
                _name, start, stop, loop_start, loop_end, sample_sr, orig_pitch, pitch_corr, _l, _t = g["sample"]
                start += g.get(0, 0) + 32768 * g.get(4, 0)
                stop += g.get(1, 0) + 32768 * g.get(12, 0)
                loop_start += g.get(2, 0) + 32768 * g.get(45, 0)
                loop_end += g.get(3, 0) + 32768 * g.get(50, 0)
                root = g[58] if g[58] >= 0 else orig_pitch
                cents = (key - root) * g[56] + 100 * g.get(51, 0) + g.get(52, 0) + pitch_corr
                step = 2.0 ** (cents / 1200.0) * sample_sr / sr
                held = release_at - onset
                rel = tc(g[38])
                n = int((held + rel) * sr)
                pos = start + np.arange(n) * step
                looping = g.get(54, 0) & 1 and loop_end > loop_start
                if looping:
                    over = pos >= loop_end
                    pos[over] = loop_start + np.mod(pos[over] - loop_start, loop_end - loop_start)
                else:
                    pos = pos[pos < stop - 1]
                    n = len(pos)
                i0 = np.floor(pos).astype(np.int64)
                i1 = i0 + 1
                if looping:
                    i1[i1 >= loop_end] -= loop_end - loop_start
                frac = pos - i0
                wave = (self.smpl[i0] * (1 - frac) + self.smpl[i1] * frac) / 32768.0
                # volume envelope in dB of attenuation (SF2: decay/release = time for 100 dB)
                t = np.arange(n) / sr
                delay, attack, hold = tc(g[33]), tc(g[34]), tc(g[35])
                decay, sustain_db = tc(g[36]), min(max(g.get(37, 0), 0), 1440) / 10.0
                t_dec = delay + attack + hold
                att = np.minimum(np.maximum(t - t_dec, 0) / decay * 100.0, sustain_db)
                att_off = min(max(held - t_dec, 0) / decay * 100.0, sustain_db)
                after = t >= held
                att[after] = att_off + (t[after] - held) / rel * 100.0
                amp = 10 ** (-att / 20.0) * np.clip((t - delay) / attack, 0.0, 1.0)
                amp *= 10 ** (-g.get(48, 0) / 200.0) * (vel / 127.0) ** 2
                pan = min(max(g.get(17, 0), -500), 500) / 1000.0 + 0.5
                voice = wave * amp
                i = int(round(onset * sr))
                out[i:i + n, 0] += voice * np.cos(pan * np.pi / 2)
                out[i:i + n, 1] += voice * np.sin(pan * np.pi / 2)
        return out


def render_source(sample: dict, pkg: Package) -> tuple[np.ndarray, int, str]:
    spec = sample["render"]
    path = sample["source_paths"][0]
    font = SoundFont(pkg.files([path])[path])
    notes = bwv846_notes(SCORES[spec["score"]], spec["tempo_qpm"])
    y = font.render(notes, spec["bank"], spec["program"], spec["sample_rate"])
    preset = font.preset_name(spec["bank"], spec["program"])
    step = (f"rendered the score {spec['score']} ({len(notes)} notes written out in "
            f"scripts/build_audio_samples.py; public-domain composition) at {spec['tempo_qpm']} quarter notes "
            f"per minute, notes held to the end of each half bar like a sustain pedal, with "
            f"{Path(path).name} preset {spec['bank']}:{spec['program']} '{preset}' by the script's minimal "
            f"SoundFont player (stereo sample pairs, linear interpolation, SF2 volume envelope; no filter, "
            f"no reverb) at {spec['sample_rate']} Hz")
    return y, spec["sample_rate"], step


def read_source(pkg: Package, source_path: str, stop_s: float | None) -> tuple[np.ndarray, int]:
    """Decode one source file (optionally a member of a zip/pk3) to float64 (frames, channels).

    Decodes from the beginning (no seeking, so MP3 decoding is exact) up to `stop_s` (+1 s margin).
    """
    if ":" in source_path:
        archive, member = source_path.split(":", 1)
        with zipfile.ZipFile(pkg.files([archive])[archive]) as z:
            src = io.BytesIO(z.read(member))
    else:
        src = pkg.files([source_path])[source_path]
    with sf.SoundFile(src) as f:
        frames = -1 if stop_s is None else int((stop_s + 1.0) * f.samplerate)
        return f.read(frames, dtype="float64", always_2d=True), f.samplerate


def process(sample: dict, pkg: Package) -> tuple[np.ndarray, int, list[str]]:
    """Return the processed excerpt, its sample rate and the list of processing steps."""
    steps = []
    stop_s = None if sample["duration_s"] is None else sample["start_s"] + sample["duration_s"]
    if "render" in sample:
        y, sr, step = render_source(sample, pkg)
        steps.append(step)
    else:
        decoded = [read_source(pkg, p, stop_s) for p in sample["source_paths"]]
        sr = decoded[0][1]
        if len(decoded) > 1:
            if len({(d[1], d[0].shape) for d in decoded}) != 1:
                raise BuildError(f"{sample['id']}: stems differ in rate/shape: {[(d[1], d[0].shape) for d in decoded]}")
            y = np.sum([d[0] for d in decoded], axis=0)
            names = " + ".join(Path(p).name for p in sample["source_paths"])
            steps.append(f"decoded the stems {names} and summed them sample by sample")
        else:
            y = decoded[0][0]
            steps.append(f"decoded {Path(sample['source_paths'][0].split(':')[-1]).name}")
    start = int(round(sample["start_s"] * sr))
    n = len(y) - start if sample["duration_s"] is None else int(round(sample["duration_s"] * sr))
    if start + n > len(y):
        raise BuildError(f"{sample['id']}: excerpt ends at {(start + n) / sr:.2f} s but the source is only {len(y) / sr:.2f} s")
    y = y[start:start + n].copy()
    if sample["duration_s"] is None:
        steps.append(f"kept the whole file ({n / sr:.3f} s)")
    elif "render" in sample:
        steps.append(f"kept {start / sr:.3f}-{(start + n) / sr:.3f} s of the render")
    else:
        steps.append(f"cut {start / sr:.3f}-{(start + n) / sr:.3f} s")
    layout = {1: "mono", 2: "stereo"}.get(y.shape[1], f"{y.shape[1]} channels")
    steps.append(f"{'rendered' if 'render' in sample else 'kept native'} {sr} Hz, {layout}")
    nf = int(round(FADE_S * sr))
    ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(nf) + 0.5) / nf)
    y[:nf] *= ramp[:, None]
    y[-nf:] *= ramp[::-1, None]
    steps.append(f"{FADE_S * 1000:.0f} ms raised-cosine fade-in and fade-out")
    peak = float(np.max(np.abs(y)))
    gain = 10 ** (PEAK_DBFS / 20) / peak
    y *= gain
    steps.append(f"peak-normalised to {PEAK_DBFS:.1f} dBFS (gain {20 * np.log10(gain):+.2f} dB)")
    steps.append(f"encoded Ogg Vorbis with libsndfile (compression_level {VORBIS_COMPRESSION_LEVEL:.2f}, "
                 f"Vorbis quality {VORBIS_QUALITY:.2f})")
    steps.append("Ogg stream serial number fixed for byte-reproducible builds")
    return y, sr, steps


_OGG_CRC_TABLE = []
for _i in range(256):
    _r = _i << 24
    for _ in range(8):
        _r = ((_r << 1) ^ 0x04C11DB7) if _r & 0x80000000 else (_r << 1)
    _OGG_CRC_TABLE.append(_r & 0xFFFFFFFF)


def ogg_crc(data: bytes) -> int:
    """CRC-32 as used by Ogg: polynomial 0x04C11DB7, not reflected, init 0, no final xor."""
    crc = 0
    table = _OGG_CRC_TABLE
    for b in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ table[(crc >> 24) ^ b]
    return crc


def fix_ogg_serial(data: bytes, serial: int) -> bytes:
    """Set the stream serial number of every page of a single-stream Ogg file; redo CRCs."""
    out = bytearray(data)
    pos = 0
    while pos < len(out):
        if out[pos:pos + 4] != b"OggS":
            raise BuildError(f"not an Ogg page at byte {pos}")
        nseg = out[pos + 26]
        end = pos + 27 + nseg + sum(out[pos + 27:pos + 27 + nseg])
        page = out[pos:end]
        stored = int.from_bytes(page[22:26], "little")
        page[22:26] = b"\0\0\0\0"
        if ogg_crc(bytes(page)) != stored:
            raise BuildError(f"Ogg CRC mismatch in the encoder output at byte {pos}")
        page[14:18] = serial.to_bytes(4, "little")
        page[22:26] = ogg_crc(bytes(page)).to_bytes(4, "little")
        out[pos:end] = page
        pos = end
    return bytes(out)


def encode(y: np.ndarray, sr: int, sample: dict, version: str,
           compression_level: float = VORBIS_COMPRESSION_LEVEL) -> bytes:
    buf = io.BytesIO()
    with sf.SoundFile(buf, "w", samplerate=sr, channels=y.shape[1], format="OGG", subtype="VORBIS",
                      compression_level=compression_level) as f:
        f.title = sample["title"]
        f.artist = sample["artist"]
        f.copyright = sample["copyright"]
        f.license = f"{sample['license']} ({LICENSE_NAMES[sample['license']]['url']})"
        f.comment = (f"Excerpt made for the course 'Music pre-processing with Python' from Debian package "
                     f"{sample['package']} {version}; see CREDITS.md")
        f.write(y)
    serial = int.from_bytes(hashlib.sha256(sample["id"].encode()).digest()[:4], "little")
    return fix_ogg_serial(buf.getvalue(), serial)


# --------------------------------------------------------------------------------------
# Texts
# --------------------------------------------------------------------------------------
def license_text(path: str, packages: dict[str, Package]) -> str:
    spec = LICENSE_TEXTS[path]
    names = LICENSE_NAMES[spec["license"]]
    header = f"{names['name']} ({spec['license']})\n{names['url']}\n"
    if "system_file" in spec:
        src = Path(spec["system_file"])
        if not src.exists():
            raise BuildError(f"{src} is missing (package base-files); this script needs a Debian-based system")
        return header + f"(Text from {src} of Debian's base-files package.)\n\n" + src.read_text(encoding="utf-8")
    pkg = packages[spec["from_package"]]
    text = pkg.copyright_text()
    i = text.index(spec["begin"])
    j = text.index(spec["end"], i) + len(spec["end"])
    body = textwrap.dedent(text[text.rfind("\n", 0, i) + 1:j])  # whole lines, common indent removed
    return (header + f"(Text from /usr/share/doc/{pkg.name}/copyright in the Debian package "
            f"{pkg.name} {pkg.version}.)\n\n" + body.rstrip() + "\n")


def credits_md(rows: list[dict], samples: list[dict], source_packages: dict[str, str]) -> str:
    by_id = {s["id"]: s for s in samples}
    out = [
        "# Credits and licences of the audio excerpts",
        "",
        "The short music and speech excerpts in this folder are **not** covered by the course's",
        "licences (MIT for code, CC BY 4.0 for lesson text). Each file is distributed under the licence",
        "of the material it was made from, listed below and in `catalogue.csv`. Every file was made from",
        "freely licensed material in a Debian package (the packages were downloaded, never installed);",
        "`piano.ogg` is not a recording but a render of a public-domain score with a free SoundFont.",
        "",
        "All files were **modified**: cut to about 30 seconds (stems summed where noted), given",
        f"{FADE_S * 1000:.0f} ms fades at both ends, peak-normalised to {PEAK_DBFS:.0f} dBFS and re-encoded as Ogg",
        f"Vorbis at quality {VORBIS_QUALITY:.2f} (column `vorbis_quality`). The exact steps for each file are in the",
        "`processing` column of `catalogue.csv`.",
        "",
        f"The quality was chosen by measurement (`python scripts/build_audio_samples.py codec-study`): at",
        f"{VORBIS_QUALITY:.2f} the codec moves each file's average spectral centroid and 85 % roll-off, computed",
        "as the lessons compute them, by at most 1.4 % and 1.7 % against the uncompressed excerpt, and the",
        "average MFCCs by at most 11 % of how much they differ between the clips (24 % for the speech clip,",
        "whose quiet pauses change at every quality). At the earlier quality 0.25 the same changes reached",
        "8.2 %, 9.1 % and 45 %.",
        "",
    ]
    for row in rows:
        s = by_id[row["id"]]
        lic = LICENSE_NAMES[row["license"]]
        out += [
            f"## `{row['file']}` - {row['style']}",
            "",
            f"- **Title:** {row['title']}",
            f"- **Artist / author:** {row['artist']}",
            f"- **Copyright:** {s['copyright']}",
            f"- **Source:** Debian package `{row['source_package']}` version `{row['source_version']}`, "
            f"file `{row['source_path']}`",
            f"- **Licence:** [{row['license']}]({row['license_file']}) - {lic['name']} (<{lic['url']}>); "
            f"Debian copyright file: [licenses/debian-copyright/{row['source_package']}.txt]"
            f"(licenses/debian-copyright/{row['source_package']}.txt)",
            f"- **Changes:** {row['processing']}.",
            f"- **Excerpt:** {float(row['excerpt_start_s']):.3f} s to "
            f"{float(row['excerpt_start_s']) + float(row['excerpt_duration_s']):.3f} s of the "
            f"{'render' if 'render' in s else 'source'}, "
            f"{row['sample_rate_hz']} Hz, {row['channels']} channel(s)",
            "",
        ]
    out += [
        "## Licence obligations",
        "",
    ]
    ids = {spdx: ", ".join(f"`{r['id']}`" for r in rows if r["license"] == spdx) for spdx in LICENSE_NAMES}
    mit_files = sorted({r["license_file"] for r in rows if r["license"] == "MIT"})
    gpl_sources = sorted({source_packages[r["source_package"]]
                          for r in rows if r["license"] == "GPL-2.0-or-later"})
    if ids["CC-BY-SA-3.0"]:
        out += [
            f"- **CC BY-SA 3.0** ({ids['CC-BY-SA-3.0']}): the credits above give the author, title,",
            "  source and licence and state the changes. The excerpts are adaptations and are themselves",
            "  licensed under CC BY-SA 3.0 (ShareAlike): if you share them, or works made from them, keep",
            "  these credits and use the same (or a compatible) licence. Full text:",
            "  [licenses/CC-BY-SA-3.0.txt](licenses/CC-BY-SA-3.0.txt).",
        ]
    if ids["GPL-2.0-or-later"]:
        out += [
            f"- **GPL-2.0-or-later** ({ids['GPL-2.0-or-later']}): the excerpts are modified versions distributed",
            "  under the GNU GPL version 2 or later ([licenses/GPL-2.0.txt](licenses/GPL-2.0.txt)). Their",
            "  corresponding source is the complete original file in the Debian package named above",
            f"  (Debian source packages {', '.join(f'`{x}`' for x in gpl_sources)}, available from the Debian",
            "  archive and https://snapshot.debian.org/) together with `scripts/build_audio_samples.py`,",
            "  which performs every modification. There is no warranty.",
        ]
    if ids["MIT"]:
        out += [
            f"- **MIT** ({ids['MIT']}): the copyright and permission notices in "
            + ", ".join(f"[{f}]({f})" for f in mit_files),
            "  must accompany copies. `piano.ogg` is a render of a public-domain composition made from the",
            "  MIT-licensed FluidR3_GM piano samples, so it is distributed under the SoundFont's MIT terms.",
        ]
    out += [
        "",
        "`licenses/CC-BY-SA-3.0.txt` is the CC BY-SA 3.0 Unported legal code as shipped with",
        "`singularity-music`; `asterisk-core-sounds-en-wav` ships an earlier wording of the same 3.0",
        "licence (\"Derivative Work\"/\"Collective Work\"), preserved in its Debian copyright file in",
        "`licenses/debian-copyright/`. The artist of `edm.ogg` (blkrbt) is named only in the original",
        "file's Vorbis tags; the Debian copyright file credits Nexuiz to Alientrap as a whole.",
        "",
        "## Rebuilding",
        "",
        "On a Debian-based system a maintainer can rebuild every file, this credits file and",
        "`catalogue.csv` from the Debian packages with",
        "",
        "```",
        "python scripts/build_audio_samples.py build",
        "```",
        "",
        "and verify the committed files with `python scripts/build_audio_samples.py check`",
        "(it reports any byte difference and any Debian package version that has changed).",
        "",
    ]
    return "\n".join(out)


def write_catalogue(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CATALOGUE_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def read_catalogue(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------
def build_all(out: Path, cache: Path) -> dict:
    """Build every file into `out`. Returns {'rows': [...], 'versions': {pkg: version}}."""
    require_debian_tools()
    out.mkdir(parents=True, exist_ok=True)
    (out / "licenses" / "debian-copyright").mkdir(parents=True, exist_ok=True)
    packages: dict[str, Package] = {}

    def package(name: str) -> Package:
        if name not in packages:
            print(f"[{name}]", flush=True)
            packages[name] = Package(name, cache)
        return packages[name]

    for path in sorted({s["license_file"] for s in SAMPLES}):  # packages needed for licence texts
        if "from_package" in LICENSE_TEXTS[path]:
            package(LICENSE_TEXTS[path]["from_package"])
    rows = []
    for s in SAMPLES:
        pkg = package(s["package"])
        t0 = time.perf_counter()
        y, sr, steps = process(s, pkg)
        data = encode(y, sr, s, pkg.version)
        fname = f"{s['id']}.ogg"
        (out / fname).write_bytes(data)
        rows.append({
            "id": s["id"], "file": fname, "title": s["title"], "artist": s["artist"], "style": s["style"],
            "listen_for": s["listen_for"], "source_package": s["package"], "source_version": pkg.version,
            "source_path": "+".join("/" + p for p in s["source_paths"]), "license": s["license"],
            "license_file": s["license_file"], "excerpt_start_s": f"{s['start_s']:.3f}",
            "excerpt_duration_s": f"{len(y) / sr:.3f}", "sample_rate_hz": str(sr), "channels": str(y.shape[1]),
            "vorbis_quality": f"{VORBIS_QUALITY:.2f}", "processing": "; ".join(steps), "sha256": hashlib.sha256(data).hexdigest(),
        })
        print(f"  {fname}: {len(data) / 1024:.0f} KB, {sr} Hz x {y.shape[1]} ch, {len(y) / sr:.2f} s "
              f"({time.perf_counter() - t0:.1f} s)", flush=True)
    for path in sorted({s["license_file"] for s in SAMPLES}):
        (out / path).write_text(license_text(path, packages), encoding="utf-8")
    for name in sorted({s["package"] for s in SAMPLES}):
        (out / "licenses" / "debian-copyright" / f"{name}.txt").write_text(
            packages[name].copyright_text(), encoding="utf-8")
    write_catalogue(out / "catalogue.csv", rows)
    (out / "CREDITS.md").write_text(credits_md(rows, SAMPLES, {n: p.source for n, p in packages.items()}), encoding="utf-8")
    return {"rows": rows, "versions": {n: p.version for n, p in packages.items()}}


def expected_files() -> set[str]:
    files = {f"{s['id']}.ogg" for s in SAMPLES} | {"catalogue.csv", "CREDITS.md"}
    files |= {s["license_file"] for s in SAMPLES}
    files |= {f"licenses/debian-copyright/{s['package']}.txt" for s in SAMPLES}
    return files


def list_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


def cmd_build(args) -> int:
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="audio_samples_") as tmp:
        build_all(Path(tmp), args.cache)
        args.out.mkdir(parents=True, exist_ok=True)
        for rel in sorted(list_files(Path(tmp))):
            dst = args.out / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(tmp) / rel, dst)
    extra = sorted(list_files(args.out) - expected_files())
    if extra:
        print(f"warning: files in {args.out} that the build does not produce (remove them or add a recipe): {extra}")
    size = sum((args.out / f).stat().st_size for f in list_files(args.out))
    print(f"wrote {args.out} ({size / 1e6:.2f} MB) in {time.perf_counter() - t0:.1f} s")
    return 0


# Tolerances for "the decoded audio still matches" when bytes differ. Encoding the same excerpt
# with a slightly different Vorbis setup moved the 100 ms loudness envelope by <= 0.45 dB, the
# overall level by <= 0.003 dB and the long-term spectrum by <= 0.14 dB; a 0.3 dB gain change,
# a 10 ms shift or an extra fade all fail at least one of these limits.
MATCH_TOLERANCE = {"level_db": 0.1, "envelope_db": 1.5, "spectrum_db": 1.0}


def compare_decoded(a: Path, b: Path) -> tuple[bool, str]:
    """Compare the decoded audio of two files; return (matches, description)."""
    import scipy.signal as sps

    ya, sra = sf.read(a, dtype="float64", always_2d=True)
    yb, srb = sf.read(b, dtype="float64", always_2d=True)
    if sra != srb or ya.shape != yb.shape:
        return False, f"decoded format differs ({sra} Hz {ya.shape} vs {srb} Hz {yb.shape})"
    sr = sra

    def envelope(y):
        n = int(0.1 * sr)
        frames = y[: len(y) // n * n].reshape(-1, n, y.shape[1])
        return 10 * np.log10((frames ** 2).mean(axis=(1, 2)) + 1e-12)

    def spectrum(y):
        m = y.mean(axis=1)
        blocks = m[: len(m) // 4096 * 4096].reshape(-1, 4096) * np.hanning(4096)
        power = np.abs(np.fft.rfft(blocks, axis=1)) ** 2
        freqs = np.fft.rfftfreq(4096, 1 / sr)
        edges = np.geomspace(50, 0.45 * sr, 25)
        return np.array([10 * np.log10(power[:, (freqs >= lo) & (freqs < hi)].mean() + 1e-20)
                         for lo, hi in zip(edges[:-1], edges[1:])])

    sos = sps.butter(4, min(2000.0, sr / 4), fs=sr, output="sos")
    la, lb = sps.sosfilt(sos, ya.mean(axis=1)), sps.sosfilt(sos, yb.mean(axis=1))
    corr = sps.correlate(la, lb, mode="full", method="fft")
    w, mid = int(0.1 * sr), len(lb) - 1
    lag = int(np.argmax(corr[mid - w: mid + w + 1])) - w
    level = 10 * np.log10(np.mean(ya ** 2) / max(np.mean(yb ** 2), 1e-30))
    ea, eb = envelope(ya), envelope(yb)
    loud = ea > ea.max() - 40
    env_diff = float(np.max(np.abs(ea - eb)[loud]))
    sa, sb = spectrum(ya), spectrum(yb)
    strong = sa > sa.max() - 40
    spec_diff = float(np.max(np.abs(sa - sb)[strong]))
    tol = MATCH_TOLERANCE
    ok = (lag == 0 and abs(level) <= tol["level_db"] and env_diff <= tol["envelope_db"]
          and spec_diff <= tol["spectrum_db"])
    return ok, (f"time offset {lag} samples, level {level:+.3f} dB (tol {tol['level_db']}), "
                f"envelope max {env_diff:.2f} dB (tol {tol['envelope_db']}), "
                f"spectrum max {spec_diff:.2f} dB (tol {tol['spectrum_db']})")


def decoded_match(a: Path, b: Path) -> str:
    ok, detail = compare_decoded(a, b)
    if ok:
        return ("decoded audio still matches within tolerance - probably a different libvorbis/libsndfile "
                f"encoded it ({detail})")
    return f"decoded audio does NOT match ({detail})"


def cmd_check(args) -> int:
    t0 = time.perf_counter()
    problems = 0
    committed_rows = {r["id"]: r for r in read_catalogue(args.out / "catalogue.csv")} \
        if (args.out / "catalogue.csv").exists() else {}
    with tempfile.TemporaryDirectory(prefix="audio_samples_check_") as tmp:
        tmp = Path(tmp)
        built = build_all(tmp, args.cache)
        print()
        for row in built["rows"]:
            sid, fname = row["id"], row["file"]
            notes = []
            old = committed_rows.get(sid)
            if old is None:
                notes.append("no row in the committed catalogue.csv")
            else:
                if old["source_version"] != row["source_version"]:
                    notes.append(f"Debian package {row['source_package']} version changed: catalogue has "
                                 f"{old['source_version']}, apt now provides {row['source_version']}")
                fields = [c for c in CATALOGUE_COLUMNS if c not in ("sha256", "source_version")
                          and old.get(c) != row[c]]
                if fields:
                    notes.append(f"catalogue fields differ: {', '.join(fields)}")
            committed = args.out / fname
            if not committed.exists():
                notes.append("committed file missing")
            else:
                digest = hashlib.sha256(committed.read_bytes()).hexdigest()
                if old is not None and digest != old["sha256"]:
                    notes.append("committed file does not match the sha256 in catalogue.csv")
                if digest != row["sha256"]:
                    notes.append("rebuilt bytes differ; " + decoded_match(committed, tmp / fname))
            problems += bool(notes)
            print(f"{fname:18s} {'OK' if not notes else 'DIFFERS'}")
            for n in notes:
                print(f"    - {n}")
        for sid in sorted(set(committed_rows) - {r["id"] for r in built["rows"]}):
            problems += 1
            print(f"{sid:18s} DIFFERS\n    - catalogue row has no recipe in SAMPLES")
        for rel in sorted(expected_files() - {r["file"] for r in built["rows"]}):
            ok = (args.out / rel).exists() and (args.out / rel).read_bytes() == (tmp / rel).read_bytes()
            if rel == "catalogue.csv" and not ok and (args.out / rel).exists():
                continue  # row-by-row differences were reported above
            problems += not ok
            print(f"{rel:18s} {'OK' if ok else 'DIFFERS (missing or text changed)'}")
        extra = sorted(list_files(args.out) - expected_files()) if args.out.exists() else []
        for rel in extra:
            problems += 1
            print(f"{rel:18s} UNEXPECTED (not produced by the build)")
    print(f"\n{'all files match' if not problems else f'{problems} problem(s)'} "
          f"({time.perf_counter() - t0:.1f} s)")
    return 1 if problems else 0


def cmd_measure(args) -> int:
    import librosa  # only needed here

    print(f"{'id':11s} {'RMS dBFS':>8s} {'1s-RMS min..max':>16s} {'centroid Hz':>11s} {'perc %':>6s} "
          f"{'onsets/s':>8s} {'<150Hz %':>8s} {'peak dBFS':>9s}")
    for row in read_catalogue(args.out / "catalogue.csv"):
        y, sr = sf.read(args.out / row["file"], dtype="float32", always_2d=True)
        peak = 20 * np.log10(np.max(np.abs(y)))
        m = librosa.resample(np.ascontiguousarray(y.mean(axis=1)), orig_sr=sr, target_sr=22050)
        rms = 20 * np.log10(np.sqrt(np.mean(m ** 2)))
        sec = [20 * np.log10(np.sqrt(np.mean(m[i:i + 22050] ** 2)) + 1e-12) for i in range(0, len(m) - 22049, 22050)]
        cent = librosa.feature.spectral_centroid(y=m, sr=22050)[0].mean()
        S = np.abs(librosa.stft(m))
        H, P = librosa.decompose.hpss(S)
        perc = 100 * (P ** 2).sum() / ((H ** 2).sum() + (P ** 2).sum())
        low = 100 * (S[librosa.fft_frequencies(sr=22050) < 150] ** 2).sum() / (S ** 2).sum()
        onsets = len(librosa.onset.onset_detect(y=m, sr=22050)) / (len(m) / 22050)
        print(f"{row['id']:11s} {rms:8.1f} {min(sec):7.1f}..{max(sec):6.1f} {cent:11.0f} {perc:6.1f} "
              f"{onsets:8.2f} {low:8.1f} {peak:9.2f}")
    return 0


# --------------------------------------------------------------------------------------
# Codec study: how far does Vorbis at each quality move the features the course computes?
# --------------------------------------------------------------------------------------
STUDY_QUALITIES = (0.0, 0.1, 0.25, 0.4, 0.5, 0.7)  # Vorbis quality = 1 - libsndfile compression_level
ANALYSIS_SR = 22050  # helpers.load_audio's default rate


def course_features(y: np.ndarray, sr: int):
    """Frame features of a ``(frames, channels)`` excerpt as the lessons see it.

    helpers.load_audio's steps (float32, channel mean, soxr_hq to 22050 Hz, the clip's mean removed), then
    helpers.summaries.frame_features (n_fft 2048, hop 512, 13 MFCCs from librosa's default mel spectrogram).
    """
    import librosa

    sys.path.insert(0, str(REPO))
    from helpers.summaries import frame_features

    m = y.astype(np.float32).mean(axis=1, dtype=np.float32)
    m = librosa.resample(m, orig_sr=sr, target_sr=ANALYSIS_SR, res_type="soxr_hq").astype(np.float32)
    m = (m - m.mean(dtype=np.float64)).astype(np.float32)
    return frame_features(m, ANALYSIS_SR)


def bandwidth_hz(y: np.ndarray, sr: int, below_db: float = 60.0) -> float:
    """Highest frequency at which the long-term spectrum (channel mean, 4096-point Hann blocks, native rate) is
    within ``below_db`` of its peak."""
    m = y.mean(axis=1)
    blocks = m[: len(m) // 4096 * 4096].reshape(-1, 4096) * np.hanning(4096)
    power = (np.abs(np.fft.rfft(blocks, axis=1)) ** 2).mean(axis=0)
    loud = np.nonzero(power > power.max() * 10 ** (-below_db / 10))[0]
    return float(np.fft.rfftfreq(4096, 1 / sr)[loud[-1]])


def codec_errors(ref, enc) -> dict[str, np.ndarray | float]:
    """Centroid/roll-off change of the clip mean and median frame-wise error (%), MFCC differences per coefficient."""
    keep = ref.sounding & enc.sounding
    out = {}
    for name, key in (("centroid", "spectral_centroid"), ("rolloff", "spectral_rolloff")):
        r, e = ref.scalars[key][keep], enc.scalars[key][keep]
        out[f"{name}_mean_pct"] = 100 * (e.mean() / r.mean() - 1)
        out[f"{name}_frame_pct"] = 100 * float(np.median(np.abs(e - r) / r))
    diff = enc.mfcc[:, keep] - ref.mfcc[:, keep]
    out["mfcc_frame_rms"] = np.sqrt((diff ** 2).mean(axis=1))  # (n_mfcc,) frame-wise RMS difference
    out["mfcc_mean_diff"] = np.abs(diff.mean(axis=1))  # (n_mfcc,) change of the clip-mean MFCC
    return out


def cmd_codec_study(args) -> int:
    """Encode each excerpt's uncompressed reference at several Vorbis qualities and compare the course's features."""
    require_debian_tools()
    packages: dict[str, Package] = {}
    refs = {}
    for s in SAMPLES:
        if s["package"] not in packages:
            packages[s["package"]] = Package(s["package"], args.cache)
        y, sr, _steps = process(s, packages[s["package"]])  # decoded, cut, faded, normalised: what build encodes
        refs[s["id"]] = (y, sr, course_features(y, sr), bandwidth_hz(y, sr))
    ref_means = np.array([f.mfcc[:, f.sounding].mean(axis=1) for _, _, f, _ in refs.values()])
    spread = ref_means.std(axis=0)  # between-clip spread of each clip-mean MFCC: what lessons 06-07 compare
    print(f"Between-clip spread (std over the {len(refs)} clips) of the clip-mean MFCCs 0..12:\n  "
          + " ".join(f"{v:.1f}" for v in spread))
    for key in ("spectral_centroid", "spectral_rolloff"):
        means = np.array([f.scalars[key][f.sounding].mean() for _, _, f, _ in refs.values()])
        print(f"Clip-mean {key.replace('_', ' ')}: {means.min():.0f}..{means.max():.0f} Hz, "
              f"between-clip std {means.std():.0f} Hz ({100 * means.std() / means.mean():.0f} % of the average)")
    print("\nPer clip: d = change of the clip-mean (%), med = median frame-wise |error| (%); MFCC: frame-wise RMS\n"
          "difference (mean over coefficients 1-12) and the largest clip-mean change as % of the between-clip spread;\n"
          "bandwidth: highest frequency within 60 dB of the long-term spectrum's peak (the analysis at 22050 Hz\n"
          "sees only up to 11.0 kHz).")
    worst = {}
    for q in args.qualities:
        print(f"\nVorbis quality {q:.2f} (compression_level {1 - q:.2f})")
        print(f"  {'id':11s} {'KB':>5s} {'kbit/s':>6s} {'bw ref..enc kHz':>15s} {'centroid d':>10s} {'med':>5s} "
              f"{'roll-off d':>10s} {'med':>5s} {'MFCC rms':>8s} {'max/spread':>11s}")
        total, rows = 0, []
        for s in SAMPLES:
            y, sr, ref, bw_ref = refs[s["id"]]
            data = encode(y, sr, s, packages[s["package"]].version, compression_level=1 - q)
            dec, dec_sr = sf.read(io.BytesIO(data), dtype="float32", always_2d=True)
            if dec_sr != sr or dec.shape != y.shape:
                raise BuildError(f"{s['id']}: decoded {dec.shape} at {dec_sr} Hz, expected {y.shape} at {sr} Hz")
            err = codec_errors(ref, course_features(dec, sr))
            ratios = 100 * err["mfcc_mean_diff"] / spread
            ratio, worst_k = float(ratios.max()), int(ratios.argmax())
            total += len(data)
            rows.append((err, ratio))
            print(f"  {s['id']:11s} {len(data) / 1024:5.0f} {len(data) * 8 / 1000 / (len(y) / sr):6.0f} "
                  f"{bw_ref / 1000:7.1f}..{bandwidth_hz(dec, sr) / 1000:5.1f}  "
                  f"{err['centroid_mean_pct']:+9.2f}% {err['centroid_frame_pct']:5.2f} "
                  f"{err['rolloff_mean_pct']:+9.2f}% {err['rolloff_frame_pct']:5.2f} "
                  f"{err['mfcc_frame_rms'][1:].mean():8.2f} {ratio:6.1f}% c{worst_k}")
        worst[q] = (max(max(abs(e["centroid_mean_pct"]), abs(e["rolloff_mean_pct"])) for e, _ in rows),
                    max(r for _, r in rows), total)
        print(f"  total {total / 1e6:.2f} MB; worst clip-mean centroid/roll-off change {worst[q][0]:.2f} %, "
              f"worst MFCC clip-mean change {worst[q][1]:.2f} % of the between-clip spread")
    current = 1 - VORBIS_COMPRESSION_LEVEL
    print(f"\nThe build encodes at quality {current:.2f}: " + ", ".join(
        f"q {q:.2f}: {w[0]:.2f} % / {w[1]:.1f} % / {w[2] / 1e6:.2f} MB" for q, w in worst.items()))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["build", "check", "measure", "codec-study"])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"audio folder (default {OUT_DIR})")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"download cache (default {DEFAULT_CACHE}; env MUSIC_COURSE_SOURCES)")
    parser.add_argument("--qualities", type=float, nargs="+", default=STUDY_QUALITIES,
                        help=f"codec-study: Vorbis qualities to try (default {' '.join(map(str, STUDY_QUALITIES))})")
    args = parser.parse_args(argv)
    try:
        return {"build": cmd_build, "check": cmd_check, "measure": cmd_measure,
                "codec-study": cmd_codec_study}[args.command](args)
    except BuildError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
