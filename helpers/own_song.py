"""Your own song in a lesson: loaded with a clear message when something is wrong, and the lesson goes on.

Every lesson from 00 on has a ``MY_SONG`` cell. A typo in the path, a silent or too-short file must not stop Run All
there (everything below it, the explorer and the exercises, would never run): :func:`own_song_clips` shows the
helpers' message, without a traceback, and the lesson carries on with the bundled songs.
"""

from __future__ import annotations

import html
import math

from .audio_io import load_audio, require_min_length, require_not_silent
from .errors import AudioInputError

#: The explorers' longest analysis frame (n_fft = 8192 samples at 22 050 Hz): the shortest song they can show.
EXPLORER_FRAME_SAMPLES = 8192
EXPLORER_RATE_HZ = 22050


def own_song_clips(path, *, name: str = "my song", duration: float = 30.0) -> dict:
    """``{name: (y, sr)}`` for the song at ``path``, ready for the explorers' ``extra_clips``; ``{}`` for none.

    ``path``: the ``MY_SONG`` setting, a file path (str or Path) or None. ``duration``: seconds read from the start
    of the file (s; 30 by default, like the bundled excerpts). ``y``: ``(n,)`` float32 mono, ``sr``: 22 050 Hz
    (:func:`helpers.load_audio`). When the file cannot be used (missing or misspelt, a folder, an unsupported or
    damaged file, silence, or shorter than the explorers' longest frame), the message says why and what to do,
    and ``{}`` is returned: the lesson goes on with the bundled songs. Taught in lesson 00.
    """
    from .arguments import require_number

    if not (isinstance(name, str) and name.strip() and "|" not in name):
        raise AudioInputError(f"name must be non-empty text without '|', such as 'my song'; not {name!r}.")
    if duration is not None:
        duration = require_number(duration, "duration", above=0, example="30", unit=" s")
    if path is None:
        return {}
    try:
        y, sr = load_audio(path, duration=duration)
        require_not_silent(y, feature="your song in the explorers")
        require_min_length(y, math.ceil(EXPLORER_FRAME_SAMPLES * sr / EXPLORER_RATE_HZ), sr, what=f"{path!s}")
    except AudioInputError as error:
        show_song_problem(path, error)
        return {}
    return {name: (y, sr)}


def show_song_problem(path, error: AudioInputError) -> None:
    """Show why the song at ``path`` cannot be used: the helpers' message in a notebook (an alert box) or a
    console, never a traceback."""
    text = (f"Your song ({path!s}) cannot be used: {error} The lesson goes on with the bundled songs; fix MY_SONG "
            "and run the cell again.")
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with every Jupyter install
        print(text)
        return
    if get_ipython() is None:
        print(text)
        return
    box = (f'<div role="alert" class="course-song-problem" style="border-left:4px solid #D55E00;'
           f'padding:0.4em 0.8em;background:#fff4ec;color:#1a1a1a">{html.escape(text)}</div>')
    display({"text/plain": text, "text/html": box}, raw=True)
