"""A light audio player for notebooks and the course website (lesson 00).

``IPython.display.Audio(y, rate=sr)`` embeds an uncompressed WAV as base64 text: 30 s of 22 kHz audio becomes about
1.8 MB inside the notebook and the web page. :func:`play` embeds a compressed MP3 (mono, at most 22 050 Hz) instead,
about a tenth of that, which every browser can play.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np

from .audio_io import require_audio_array
from .errors import AudioInputError

PLAYER_SAMPLE_RATE = 22050
#: soundfile's MP3 'compression_level': 0 = best quality/largest, 1 = smallest. 0.6 gives about 30–40 kbit/s
#: for mono music at 22 050 Hz (measured on the bundled samples).
PLAYER_COMPRESSION = 0.6


class AudioPlayer:
    """An embedded, compressed audio player; shows as an HTML ``<audio>`` element in a notebook.

    Attributes: ``data`` (the encoded bytes), ``mime_type``, ``duration_s``, ``label``.
    """

    def __init__(self, data: bytes, mime_type: str, duration_s: float, label: str = ""):
        from .arguments import require_number, require_text

        if not isinstance(data, (bytes, bytearray)):
            raise AudioInputError(f"data must be the encoded audio as bytes (e.g. from encode_mp3), not "
                                  f"{type(data).__name__}; for samples use play(y, sr).")
        require_text(mime_type, "mime_type", example="'audio/mpeg'")
        duration_s = require_number(duration_s, "duration_s", minimum=0, example="30", unit=" s")
        require_text(label, "label", example="'my song'")
        self.data = data
        self.mime_type = mime_type
        self.duration_s = duration_s
        self.label = label

    def _repr_html_(self) -> str:
        caption = html.escape(self.label) if self.label else "audio"
        source, preload = self._site_file()
        if source is None:  # a notebook: the audio travels inside it
            source = f"data:{self.mime_type};base64,{base64.b64encode(self.data).decode('ascii')}"
        return (
            f'<figure style="margin:0.3em 0"><figcaption style="font-size:90%">{caption} '
            f"({self.duration_s:.1f} s)</figcaption>"
            f'<audio controls preload="{preload}" aria-label="{caption}" src="{source}"></audio></figure>'
        )

    def _site_file(self) -> tuple[str | None, str]:
        """While the course website is built (``$COURSE_SITE_AUDIO_DIR`` and ``$COURSE_SITE_AUDIO_URL`` set), the
        audio goes to a file named by its content, and the page loads it only when the reader presses play."""
        import hashlib
        import mimetypes
        import os
        from pathlib import Path

        folder, url = os.environ.get("COURSE_SITE_AUDIO_DIR"), os.environ.get("COURSE_SITE_AUDIO_URL")
        if not folder or not url:
            return None, "metadata"
        name = hashlib.sha256(self.data).hexdigest()[:20] + (mimetypes.guess_extension(self.mime_type) or ".bin")
        Path(folder).mkdir(parents=True, exist_ok=True)
        target = Path(folder) / name
        if not target.exists():
            target.write_bytes(self.data)
        return url + name, "none"

    def __repr__(self) -> str:
        return f"<AudioPlayer {self.label!r}: {self.duration_s:.1f} s, {len(self.data) / 1024:.0f} KiB {self.mime_type}>"


def encode_mp3(y: np.ndarray, sr: float, compression: float = PLAYER_COMPRESSION) -> tuple[bytes, int]:
    """Encode ``y`` (``(n,)`` or ``(channels, n)`` float, -1..1) as mono MP3 at ≤ 22 050 Hz; return (bytes, rate)."""
    import librosa
    import soundfile

    from .arguments import require_number, require_sample_rate

    y = require_audio_array(y, sr)
    compression = require_number(compression, "compression", minimum=0, maximum=1, example="0.6")
    if y.ndim == 2:
        y = y.mean(axis=0)
    rate = require_sample_rate(sr, allow_none=False)
    if rate > PLAYER_SAMPLE_RATE:
        y = librosa.resample(y, orig_sr=rate, target_sr=PLAYER_SAMPLE_RATE)
        rate = PLAYER_SAMPLE_RATE
    elif rate not in (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000):
        target = 16000 if rate < 16000 else 22050  # MP3 only allows these rates
        y = librosa.resample(y, orig_sr=rate, target_sr=target)
        rate = target
    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(y, -1, 1), rate, format="MP3", subtype="MPEG_LAYER_III",
                    compression_level=compression)
    return buffer.getvalue(), rate


def play(y: np.ndarray, sr: float, label: str = "", max_duration_s: float = 60.0) -> AudioPlayer:
    """A compressed player for samples ``y`` (``(n,)`` float mono or ``(channels, n)``) at ``sr`` Hz.

    Clips longer than ``max_duration_s`` are refused, to keep notebooks and web pages light: play an excerpt,
    e.g. ``play(y[: 10 * sr], sr)``.
    """
    __tracebackhide__ = True
    from .arguments import require_number, require_sample_rate, require_text

    y = require_audio_array(y, require_sample_rate(sr, allow_none=False))
    max_duration_s = require_number(max_duration_s, "max_duration_s", above=0, example="60", unit=" s")
    label = require_text(label, "label", example="'my song'")
    duration = y.shape[-1] / sr
    if duration > max_duration_s:
        raise AudioInputError(
            f"This clip lasts {duration:.0f} s; players are limited to {max_duration_s:.0f} s to keep the notebook "
            f"light. Play an excerpt, e.g. play(y[: 10 * sr], sr), or raise max_duration_s."
        )
    data, _ = encode_mp3(y, sr)
    return AudioPlayer(data, "audio/mpeg", duration, label)


def play_sample(name: str, offset_s: float = 0.0, duration_s: float | None = None, sr: float = 22050) -> AudioPlayer:
    """A compressed player for a bundled sample (or ``duration_s`` seconds of it from ``offset_s``) (lesson 00).

    The label gives the sample's id, title, artist and style.
    """
    __tracebackhide__ = True
    from .samples import load_sample_cached, sample_info

    from .arguments import require_number

    info = sample_info(name)
    offset_s = require_number(offset_s, "offset_s", minimum=0, example="10", unit=" s")
    if duration_s is not None:
        duration_s = require_number(duration_s, "duration_s", above=0, example="5", unit=" s")
    y, rate = load_sample_cached(name, sr)
    first = int(offset_s * rate)
    last = y.size if duration_s is None else first + int(duration_s * rate)
    if first >= y.size:
        raise AudioInputError(f"offset_s={offset_s} is past the end of {name!r} ({y.size / rate:.1f} s).")
    return play(y[first:last], rate, label=f"{info.id}: {info.title} ({info.artist}), {info.style}")
