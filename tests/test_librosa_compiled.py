"""helpers/librosa_compiled.py: librosa's beat tracker with its one uncached compiled part cached, same numbers."""

import subprocess
import sys
import types
from pathlib import Path

import numba
import numpy as np

import helpers  # noqa: F401 - installs the hook
from helpers import librosa_compiled

REPO = Path(__file__).resolve().parent.parent


def test_a_fresh_process_gets_the_cached_function_when_it_imports_librosa_beat():
    source = ("import sys, helpers; assert 'librosa.beat' not in sys.modules, 'imported too early'\n"
              "import librosa.beat\n"
              "print(librosa.beat.__dict__['__beat_local_score'].gufunc_builder.cache)")
    done = subprocess.run([sys.executable, "-c", source], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True"]


def test_the_cached_function_gives_librosas_numbers():
    import librosa.beat

    cached = librosa.beat.__dict__["__beat_local_score"]
    assert cached.gufunc_builder.cache and cached.is_dynamic
    original = numba.guvectorize("(t),(n)->(t)", nopython=True, cache=False)(cached.gufunc_builder.py_func)
    envelope = np.random.default_rng(10).random(1300).astype(np.float32)
    for frames_per_beat in (np.array([22.0]), np.full(envelope.size, 30.0)):  # one tempo; a tempo per frame
        ours, theirs = np.empty_like(envelope), np.empty_like(envelope)
        cached(envelope, frames_per_beat, ours)
        original(envelope, frames_per_beat, theirs)
        assert np.array_equal(ours, theirs) and ours.std() > 0
    beats = librosa.beat.beat_track(onset_envelope=np.tile(np.eye(1, 22, 0)[0], 60), sr=22050, bpm=120.0,
                                    units="frames", trim=False)[1]
    assert beats.size == 61 and np.all(np.diff(beats[:-1]) == 22), "a click every 22 frames: a beat on each"


def test_nothing_is_replaced_where_there_is_nothing_to_cache():
    assert not librosa_compiled.cache_beat_local_score(types.SimpleNamespace())  # a librosa without the function
    import librosa.beat

    before = librosa.beat.__dict__["__beat_local_score"]
    assert not librosa_compiled.cache_beat_local_score(librosa.beat)  # already cached: left as it is
    assert librosa.beat.__dict__["__beat_local_score"] is before
