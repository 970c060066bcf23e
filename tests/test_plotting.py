"""Plotting helpers: draw on the given axes (or make a figure), return what they drew, label axes with units."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

import helpers

SR = 22050


@pytest.fixture
def tone():
    return helpers.sum_of_partials((220, 440, 880), (0.5, 0.3, 0.2), duration_s=2.0, sr=SR)


def test_waveform_on_given_axes_creates_no_figure(tone):
    fig, ax = plt.subplots()
    before = plt.get_fignums()
    band = helpers.plot_waveform(tone, SR, ax=ax, title="tone")
    assert plt.get_fignums() == before
    assert band.axes is ax
    assert "(s)" in ax.get_xlabel() and ax.get_ylabel()
    assert ax.get_xlim() == pytest.approx((0, tone.size / SR))
    values = band.get_paths()[0].vertices[:, 1]
    assert values.max() == pytest.approx(tone.max()) and values.min() == pytest.approx(tone.min())
    assert values.size <= 2 * 2000 + 5  # 44 100 samples shrunk to 2000 columns, peaks kept


def test_long_waveform_is_each_columns_lowest_to_highest_sample():
    rng = np.random.default_rng(0)
    y = (0.5 * rng.standard_normal(8000)).astype(np.float32)
    fig, ax = plt.subplots()
    band = helpers.plot_waveform(y, SR, ax=ax, max_columns=100)  # 80 samples per column
    vertices = band.get_paths()[0].vertices
    columns = y.reshape(100, 80)
    for start, lowest, highest in zip(np.arange(0, 8000, 80) / SR, columns.min(axis=1), columns.max(axis=1)):
        at_start = vertices[np.isclose(vertices[:, 0], start), 1]
        assert at_start.min() == pytest.approx(lowest) and at_start.max() == pytest.approx(highest)
    short = helpers.plot_waveform(y[:200], SR, ax=ax, max_columns=100)  # 200 samples: every one, as a line
    np.testing.assert_array_equal(short.get_ydata(), y[:200])
    np.testing.assert_allclose(short.get_xdata(), np.arange(200) / SR)
    plt.close(fig)


def test_waveform_without_axes_makes_a_figure(tone):
    before = len(plt.get_fignums())
    line = helpers.plot_waveform(tone, SR)
    assert len(plt.get_fignums()) == before + 1
    assert line.figure is not None


@pytest.mark.parametrize("scale", ["linear", "log", "mel"])
def test_spectrogram_axes_units_and_colormap(tone, scale):
    fig, ax = plt.subplots()
    mesh = helpers.plot_spectrogram(tone, SR, ax=ax, frequency_scale=scale, hop_length=256)
    assert mesh.axes is ax
    assert "Hz" in ax.get_ylabel() and "(s)" in ax.get_xlabel()
    assert mesh.get_cmap().name == "magma"
    # The time axis follows the STFT's own hop length: the last frame sits near the end of the clip.
    assert ax.get_xlim()[1] == pytest.approx(tone.size / SR, abs=2 * 256 / SR)
    assert len(fig.axes) == 2  # the spectrogram and its colour bar


def test_spectrogram_needs_audio_or_a_spectrogram():
    with pytest.raises(TypeError):
        helpers.plot_spectrogram()


def test_feature_curve_is_aligned_with_frame_centres(tone):
    rms, times = helpers.rms_envelope(tone, SR, hop_length=512)
    line = helpers.plot_feature_curve(rms, SR, hop_length=512, ylabel="RMS", label="RMS")
    np.testing.assert_allclose(line.get_xdata(), times)
    assert line.axes.get_ylabel() == "RMS"


def test_compare_clips_shares_axes_and_one_colour_scale(tone):
    quiet = 0.1 * tone
    clips = {"loud": (tone, SR), "quiet": (quiet, SR)}
    meshes = helpers.compare_clips(clips, kind="spectrogram")
    assert len(meshes) == 2
    assert meshes[0].get_clim() == meshes[1].get_clim()
    # One colour scale means the quiet clip really looks darker: its loudest cell is 20 dB lower.
    assert np.max(meshes[0].get_array()) - np.max(meshes[1].get_array()) == pytest.approx(20, abs=1)
    lines = helpers.compare_clips(clips, kind="waveform")
    assert lines[0].axes.get_shared_x_axes().joined(lines[0].axes, lines[1].axes)
    assert lines[0].axes.get_ylim() == lines[1].axes.get_ylim() == (-1, 1)


def test_compare_clips_by_sample_id_on_given_axes():
    names = helpers.sample_ids()[:2]
    fig, axes = plt.subplots(2, 1)
    lines = helpers.compare_clips(names, axes=axes)
    assert [line.axes for line in lines] == list(axes)
    assert [ax.get_title(loc="left") for ax in axes] == names
    with pytest.raises(ValueError, match="one axes per clip"):
        helpers.compare_clips(names, axes=axes[:1])


def test_waveform_in_milliseconds_without_offset_notation(tone):
    fig, ax = plt.subplots()
    line = helpers.plot_waveform(tone[:441], SR, ax=ax, start_s=12.0, time_unit="ms")
    # Milliseconds count from the excerpt's start, and the label says where that is (not 12000.0 ... 12020.0).
    assert ax.get_xlabel() == "Time after 12 s (ms)"
    assert ax.get_xlim() == pytest.approx((0, 1000 * 441 / SR))
    fig.canvas.draw()
    assert ax.xaxis.get_offset_text().get_text() == ""  # plain tick labels, no "+1.2e4"
    assert line.get_xdata()[0] == pytest.approx(0)
    assert max(float(t.get_text().replace("\u2212", "-")) for t in ax.get_xticklabels() if t.get_text()) <= 25
    fig2, ax2 = plt.subplots()
    helpers.plot_waveform(tone[:441], SR, ax=ax2, time_unit="ms")
    assert ax2.get_xlabel() == "Time (ms)"
    fig3, ax3 = plt.subplots()
    helpers.plot_waveform(tone[:441], SR, ax=ax3, start_s=2.0)
    assert ax3.get_xlabel() == "Time (s)" and ax3.get_xlim() == pytest.approx((2.0, 2.0 + 441 / SR))
    with pytest.raises(helpers.AudioInputError, match="start_s"):
        helpers.plot_waveform(tone[:441], SR, start_s="12")
    plt.close("all")


@pytest.mark.parametrize("scale", ["linear", "log", "mel"])
def test_a_spectrogram_looks_exactly_like_librosas_specshow(scale):
    # plot_spectrogram draws linear and log axes as an image (faster); the pixels must be specshow's own.
    import librosa.display

    y = helpers.chirp(start_hz=100, end_hz=8000, duration_s=3.0, sr=SR)
    S_db = helpers.spectrogram_db(y, SR, frequency_scale=scale)
    pictures = []
    for draw in ("helper", "specshow"):
        fig, ax = plt.subplots(figsize=(6, 3), dpi=80)
        if draw == "helper":
            helpers.plot_spectrogram(S_db=S_db, sr=SR, ax=ax, frequency_scale=scale, colorbar=False)
        else:
            librosa.display.specshow(S_db, sr=SR, hop_length=512, n_fft=2048, x_axis="time", y_axis=scale, ax=ax,
                                     cmap="magma", vmin=S_db.max() - 80, vmax=S_db.max(),
                                     fmax=SR / 2 if scale == "mel" else None)
            ax.set_xlabel("Time (s)")
            ax.set_ylabel(f"Frequency (Hz, {scale} scale)")
        fig.canvas.draw()
        pictures.append(np.asarray(fig.canvas.buffer_rgba()).astype(int))
        plt.close(fig)
    difference = np.abs(pictures[0] - pictures[1]).sum(axis=-1)
    assert (difference > 30).mean() < 0.001, f"{(difference > 30).mean():.2%} of the pixels differ"



@pytest.mark.parametrize("kind", ["linear", "log", "cqt", "chroma"])
def test_images_pick_their_cells_before_colouring_them_with_the_same_pixels(kind):
    # Spectrogram, constant-Q and chroma images ('nearest' cells) pick each pixel's cell before colouring it, which is
    # quicker when a long clip is shrunk; the pixels must be those of matplotlib's own order for shrinking (colour
    # every cell, then pick).
    rng = np.random.default_rng(0)
    values = {"linear": None, "log": None, "cqt": rng.uniform(-80, 0, (84, 1300)),
              "chroma": rng.uniform(0, 1, (12, 1300))}[kind]
    y = helpers.chirp(start_hz=100, end_hz=8000, duration_s=30.0, sr=SR)  # 1292 frames into a few hundred pixels
    pictures = []
    for stage in ("as drawn", "rgba"):
        fig, ax = plt.subplots(figsize=(6, 3), dpi=80)
        if kind in ("linear", "log"):
            image = helpers.plot_spectrogram(y, SR, ax=ax, frequency_scale=kind, colorbar=False)
        elif kind == "cqt":
            image = helpers.plot_cqt(values, SR, bins_per_octave=12, ax=ax, colorbar=False)
        else:
            image = helpers.plot_chroma(values, SR, ax=ax, colorbar=False)
        if stage == "as drawn":
            assert image.get_interpolation() == "nearest" and image.get_interpolation_stage() == "data"
        else:
            image.set_interpolation_stage("rgba")
        fig.canvas.draw()
        pictures.append(np.asarray(fig.canvas.buffer_rgba()).copy())
        plt.close(fig)
    assert np.array_equal(pictures[0], pictures[1])
