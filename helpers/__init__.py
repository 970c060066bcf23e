"""Shared plumbing for the course "Music pre-processing with Python".

Notebooks show the ideas; these helpers hide the plumbing (loading, plotting, players, explorers, exercise checks).

    from helpers import list_samples, load_sample, load_audio, play_sample
    list_samples()                    # the bundled excerpts and their licences
    y, sr = load_sample("edm")        # (n,) float32 mono at 22050 Hz
    y, sr = load_audio("my song.wav") # your own file, with clear errors when something is wrong
"""

from .caches import configure_cache_locations, ensure_numba_cache
from .librosa_compiled import install as cache_beat_tracker

configure_cache_locations()  # writable cache folders for numba and matplotlib, even in a read-only install
ensure_numba_cache()  # librosa's compiled functions: verified once, never compiled by two kernels at once
cache_beat_tracker()  # librosa's beat tracker: its one part numba compiled in every kernel is cached too

from .analysis import frame_count, frame_times, min_max_envelope, rms_envelope, spectrogram_db
from .audio_io import (
    SUPPORTED_EXTENSIONS,
    load_audio,
    require_audio_array,
    require_finite,
    require_min_length,
    require_not_silent,
)
from .errors import AudioInputError, show_messages_not_tracebacks
from .own_song import own_song_clips
from .player import AudioPlayer, play, play_sample
from .plotting import (CLIP_COLORS, compare_clips, plot_chroma, plot_cqt, plot_feature_curve, plot_spectrogram,
                       plot_waveform, show_notebook_figures_at_their_own_size)
from .rhythm import plot_onset_envelope, plot_tempo_curve
from .samples import SampleInfo, list_samples, load_sample, load_sample_cached, sample_ids, sample_info
from .signals import chirp, click_train, partials, pure_tone, sum_of_partials, white_noise
from .startup_objects import freeze_startup_objects_in_notebooks
from .threads import use_one_blas_thread_in_notebooks

__all__ = [
    "AudioInputError", "AudioPlayer", "CLIP_COLORS", "SUPPORTED_EXTENSIONS", "SampleInfo",
    "chirp", "click_train", "compare_clips", "frame_count", "frame_times", "list_samples", "load_audio",
    "load_sample", "load_sample_cached", "min_max_envelope", "own_song_clips", "partials", "play", "play_sample",
    "plot_chroma", "plot_cqt", "plot_feature_curve", "plot_onset_envelope", "plot_spectrogram", "plot_tempo_curve",
    "plot_waveform", "pure_tone",
    "require_audio_array", "require_finite", "require_min_length", "require_not_silent", "rms_envelope", "sample_ids",
    "sample_info", "spectrogram_db", "sum_of_partials", "white_noise",
]

show_messages_not_tracebacks()  # in a notebook: an AudioInputError shows as its message, not a traceback
use_one_blas_thread_in_notebooks()  # in a notebook: small matrix products do not wait for busy cores
show_notebook_figures_at_their_own_size()  # in a notebook: no second layout pass to crop each figure
freeze_startup_objects_in_notebooks()  # in a notebook, last: garbage collections skip the libraries' own objects
