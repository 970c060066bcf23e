"""Exercise checks pass correct answers, explain typical mistakes, and treat None as 'not answered yet'.

The correct answers here are computed a different way from the checks (librosa, or a loop), so a check that
computed the wrong thing would fail these tests.
"""

import librosa
import numpy as np
import pytest

import helpers
from helpers import checks
from check_assertions import assert_wrong

SR = 22050


@pytest.fixture
def clip():
    return helpers.white_noise(2.5, SR, amplitude=0.2, seed=7)


@pytest.mark.parametrize("check, arguments", [
    (checks.check_duration, ()),
    (checks.check_sample_count, ()),
    (checks.check_rms, ()),
    (checks.check_frame_count, ()),
    (checks.check_amplitude_envelope_function, None),
])
def test_none_means_not_answered_yet(check, arguments, clip):
    inputs = {
        checks.check_duration: (clip, SR),
        checks.check_sample_count: (2.5, SR),
        checks.check_rms: (clip[:2048],),
        checks.check_frame_count: (clip.size, 2048, 512),
        checks.check_amplitude_envelope_function: (),
    }[check]
    result = check(None, *inputs)
    assert result.status == "unanswered" and not result
    assert "Hint" in result.message and "Not answered yet" in result._repr_html_()


def test_duration(clip):
    assert checks.check_duration(librosa.get_duration(y=clip, sr=SR), clip, SR)
    assert_wrong(checks.check_duration(clip.size, clip, SR), "number of samples")
    assert_wrong(checks.check_duration(clip.size / 44100, clip, SR), "44100")
    assert_wrong(checks.check_duration(2.5 / 60, clip, SR), "minutes")
    assert_wrong(checks.check_duration([1, 2], clip, SR), "one number")


def test_sample_count():
    assert checks.check_sample_count(int(librosa.time_to_samples(1.5, sr=SR)), 1.5, SR)
    assert_wrong(checks.check_sample_count(1.5 / SR, 1.5, SR), "multiply")
    assert_wrong(checks.check_sample_count(1.5 * 44100, 1.5, SR), "44100")


def test_rms_of_one_frame(clip):
    frame = clip[:2048]
    reference = librosa.feature.rms(y=frame, frame_length=2048, center=False)[0, 0]
    assert checks.check_rms(reference, frame)
    assert_wrong(checks.check_rms(reference**2, frame), "square root")
    assert_wrong(checks.check_rms(np.abs(frame).mean(), frame), "mean absolute")
    assert_wrong(checks.check_rms(np.sqrt((frame.astype(float) ** 2).sum()), frame), "summed")
    assert_wrong(checks.check_rms(frame.mean(), frame), "plain mean")


def test_frame_count(clip):
    reference = librosa.feature.rms(y=clip, frame_length=2048, hop_length=512).shape[1]
    assert checks.check_frame_count(reference, clip.size, 2048, 512)
    uncentred = librosa.feature.rms(y=clip, frame_length=2048, hop_length=512, center=False).shape[1]
    assert_wrong(checks.check_frame_count(uncentred, clip.size, 2048, 512), "without centring")
    assert_wrong(checks.check_frame_count(reference - 1, clip.size, 2048, 512), "off by one")


def envelope_loop(y, frame_length, hop_length, center=True, absolute=True):
    """A deliberately plain implementation, different from both the check's reference and librosa."""
    if center:
        y = np.concatenate([np.zeros(frame_length // 2), y, np.zeros(frame_length // 2)])
    values = []
    start = 0
    while start + frame_length <= len(y):
        frame = y[start:start + frame_length]
        values.append(max(abs(float(s)) for s in frame) if absolute else max(float(s) for s in frame))
        start += hop_length
    return np.array(values)


def test_amplitude_envelope_function_correct_and_typical_mistakes():
    assert checks.check_amplitude_envelope_function(envelope_loop)
    assert_wrong(checks.check_amplitude_envelope_function(lambda y, f, h: envelope_loop(y, f, h, center=False)),
                 "centred")
    assert_wrong(checks.check_amplitude_envelope_function(lambda y, f, h: envelope_loop(y, f, h, absolute=False)),
                 "np.abs")
    assert_wrong(checks.check_amplitude_envelope_function(lambda y, f, h: envelope_loop(y, f, h)[:-1]), "frames")
    assert_wrong(checks.check_amplitude_envelope_function(lambda y, f, h: 0.9 * envelope_loop(y, f, h)), "differs")

    def crashes(y, frame_length, hop_length):
        raise IndexError("index 5 is out of bounds")

    assert_wrong(checks.check_amplitude_envelope_function(crashes), "IndexError")


def test_results_render_in_both_views():
    result = checks.check_sample_count(22050, 1.0, SR)
    assert result.passed and "Correct" in repr(result) and "Correct" in result._repr_html_()


def test_envelope_padding_mistakes_are_caught_at_the_edges():
    def padded_loop(mode):
        def envelope(y, frame_length, hop_length):
            padded = np.pad(y, frame_length // 2, mode=mode)
            return np.array([np.abs(padded[k * hop_length: k * hop_length + frame_length]).max()
                             for k in range(1 + len(y) // hop_length)])
        return envelope

    assert checks.check_amplitude_envelope_function(padded_loop("constant"))
    # A maximum cannot see the padding mode (padded values repeat samples already in the frame, or are zeros),
    # so reflect padding gives the same envelope and is rightly accepted.
    assert checks.check_amplitude_envelope_function(padded_loop("reflect"))

    def left_only(y, frame_length, hop_length):
        padded = np.concatenate([np.zeros(frame_length), y, np.zeros(frame_length)])[frame_length // 2 + 7:]
        return np.array([np.abs(padded[k * hop_length: k * hop_length + frame_length]).max()
                         for k in range(1 + len(y) // hop_length)])

    assert_wrong(checks.check_amplitude_envelope_function(left_only), "edges")


def test_envelope_feedback_on_rms_none_and_non_functions():
    def rms_instead(y, frame_length, hop_length):
        return librosa.feature.rms(y=y, frame_length=frame_length, hop_length=hop_length)[0]

    assert_wrong(checks.check_amplitude_envelope_function(rms_instead), "RMS")
    unfinished = checks.check_amplitude_envelope_function(lambda y, f, h: None)
    assert unfinished.status == "unanswered" and "return" in unfinished.message
    assert_wrong(checks.check_amplitude_envelope_function(np.zeros(3)), "function itself")


def test_sample_count_rejects_strings_fractions_and_truncation():
    assert_wrong(checks.check_sample_count("55125", 2.5, SR), "whole number")
    assert_wrong(checks.check_sample_count(55125.5, 2.5, SR), "whole number")
    # 0.7 * 22050 is 15434.999999999998 in floating point: int() truncates it, round() does not.
    assert int(0.7 * SR) != round(0.7 * SR)
    assert_wrong(checks.check_sample_count(int(0.7 * SR), 0.7, SR), "round")
    assert checks.check_sample_count(round(0.7 * SR), 0.7, SR)


def test_duration_hints_for_integer_division_and_milliseconds(clip):
    assert_wrong(checks.check_duration(clip.size // SR, clip, SR), "integer division")
    assert_wrong(checks.check_duration(1000 * clip.size / SR, clip, SR), "milliseconds")
    assert_wrong(checks.check_duration(SR / clip.size, clip, SR), "upside down")


def test_rms_hints_for_peak_decibels_and_librosa_frames(clip):
    frame = clip[:2048]
    rms = float(np.sqrt(np.mean(frame.astype(float) ** 2)))
    assert_wrong(checks.check_rms(np.abs(frame).max(), frame), "peak")
    assert_wrong(checks.check_rms(20 * np.log10(rms), frame), "dB")
    assert_wrong(checks.check_rms(librosa.feature.rms(y=frame)[0], frame), "centres")


def test_frame_count_is_compared_exactly(clip):
    expected = 1 + clip.size // 512
    assert_wrong(checks.check_frame_count(expected + 1, clip.size, 2048, 512))
