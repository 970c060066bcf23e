"""The comparison dashboard of lesson 06: two or more clips side by side on shared scales, and a feature plane.

    from helpers.dashboard import ComparisonDashboard
    ComparisonDashboard(selected=("metal", "edm", "ambient"), view="zero_crossing_rate")

Controls: ``clips`` (pick two or more; Ctrl/Cmd- or Shift-click), ``view`` (what each picked clip's row shows:
waveform, spectrogram, one frame-wise feature, or the MFCCs), ``x_feature`` and ``y_feature`` (the axes of the
feature plane). The frame-wise features are :func:`helpers.summaries.frame_features` (all features from one STFT),
computed once per clip and kept in the :class:`helpers.widgets.ClipStore`; moving a control only redraws.

Shared scales: in one view every row has the same time axis and the same y range (features) or colour scale
(spectrograms, MFCCs), so heights and colours compare between clips. The feature plane shows every clip of the
dashboard at its means (over sounding frames) on the two chosen features: picked clips in colour with bars of ±1
standard deviation, the others as grey circles. Its title gives the Fisher score (:func:`fisher_score`) of the picked
clips on each axis. Below, a table lists each picked clip's mean ± standard deviation of every scalar feature.

Speed: the browser draws the rows, the plane and the table (``helpers/frontend/explorer.js``); the kernel sends each
clip's data once, when a view first needs it, plus every clip's summary statistics up front. Moving a control costs
the kernel nothing. The plane's Fisher scores are computed in the browser from each clip's count, mean and variance
of sounding frames, which gives exactly :func:`fisher_score` of the frames themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import traitlets

from . import explorer_data as data
from .arguments import near_miss, require_whole_number
from .errors import AudioInputError
from .explorer_data import format_value
from .summaries import HOP_LENGTH, N_FFT, N_MFCC, SCALAR_FEATURES, FrameFeatures, frame_features, summarise
from .widgets import ClipStore, Explorer

#: What the ``view`` control can show in each picked clip's row, in menu order.
VIEWS = {
    "waveform": "waveform",
    "spectrogram": "spectrogram (log frequency)",
    "rms": "RMS level",
    "zero_crossing_rate": "zero-crossing rate",
    "spectral_centroid": "spectral centroid",
    "spectral_bandwidth": "spectral bandwidth",
    "spectral_rolloff": "85 % roll-off",
    "mfcc": "MFCCs 0–12 (standardised)",
}
#: The cache key under which each clip's :class:`~helpers.summaries.FrameFeatures` is kept in the ClipStore.
FEATURES_KEY = "frame-features"
#: Colour range of the MFCC view, in standard deviations (each coefficient standardised over the picked clips).
MFCC_Z_RANGE = (-2.5, 2.5)


def plane_features(n_mfcc: int = N_MFCC) -> dict[str, tuple[str, str]]:
    """The features the plane and the table can use: ``{name: (label, unit)}``, the 5 scalar ones, then MFCCs.

    The names are those of :func:`helpers.summaries.summarise` without ``_mean``/``_std``; MFCCs have no unit.
    """
    n_mfcc = require_whole_number(n_mfcc, "n_mfcc", maximum=128, example="13", unit=" coefficients")
    names = {name: (label, unit) for name, (label, unit, _lesson) in SCALAR_FEATURES.items()}
    names.update({f"mfcc{index}": (f"MFCC {index}", "") for index in range(n_mfcc)})
    return names


def axis_label(feature: str) -> str:
    """``'spectral centroid (Hz)'``, ``'MFCC 1'``: a feature's label with its unit, for axes and menus."""
    label, unit = plane_features()[require_feature(feature)]
    return f"{label} ({unit})" if unit else label


def require_feature(feature: str, role: str = "feature") -> str:
    """``feature`` if it is one of :func:`plane_features`; otherwise a ValueError that lists the names."""
    names = plane_features()
    if not isinstance(feature, str) or feature not in names:
        raise AudioInputError(f"{role} must be one of {', '.join(names)}; not {feature!r}."
                              f"{near_miss(feature, names)}")
    return feature


def feature_frames(features: FrameFeatures, feature: str) -> np.ndarray:
    """The values of ``feature`` (a name from :func:`plane_features`) in the sounding frames: ``(n_sounding,)``.

    These are the frames :func:`helpers.summaries.summarise` averages: silent frames are left out.
    """
    require_feature(feature)
    if not isinstance(features, FrameFeatures):
        raise AudioInputError(f"features must be the FrameFeatures that frame_features(y, sr) returns, not "
                              f"{type(features).__name__}.")
    values = features.mfcc[int(feature[4:])] if feature.startswith("mfcc") else features.scalars[feature]
    return np.asarray(values)[features.sounding]


def fisher_score(groups: Sequence[np.ndarray]) -> float:
    """How well one feature separates two or more groups of frame values: between- over within-group variance.

    ``groups``: one 1-D array of frame values per group (clip). Group ``g`` has ``n_g`` values with mean ``m_g``;
    ``m`` is the mean of all values together::

        score = sum_g n_g (m_g - m)**2 / sum_g sum_i (x_gi - m_g)**2

    0 when the group means coincide; 1 when the means are spread as widely as the frames vary inside the groups.
    This is the Fisher score of feature selection; it equals ``(k - 1) / (N - k)`` times the one-way ANOVA F
    statistic of ``k`` groups of ``N`` values in all. For two groups of equal size it is half of Fisher's two-class
    ratio ``(m_a - m_b)**2 / (var_a + var_b)``.
    """
    if isinstance(groups, (str, bytes, Mapping)) or not isinstance(groups, (Sequence, np.ndarray)):
        raise AudioInputError(f"groups must be a list of arrays of frame values, one per clip, e.g. "
                              f"[values_a, values_b]; not {type(groups).__name__}.")
    checked = []
    for index, group in enumerate(groups):
        array = np.asarray(group) if isinstance(group, (Sequence, np.ndarray)) and not isinstance(group, str) else None
        if array is None or array.dtype.kind not in "iuf" or array.size == 0 or not np.isfinite(array).all():
            raise AudioInputError(f"groups[{index}] must be a non-empty array of finite numbers (frame values of "
                                  f"one clip); not {group!r:.60}.")
        checked.append(array.astype(np.float64).reshape(-1))
    groups = checked
    if len(groups) < 2:
        raise AudioInputError("fisher_score needs at least two groups (clips) of frame values, e.g. "
                              "fisher_score([values_a, values_b]).")
    overall = np.concatenate(groups).mean()
    between = sum(group.size * (group.mean() - overall) ** 2 for group in groups)
    within = sum(float(np.sum((group - group.mean()) ** 2)) for group in groups)
    if within == 0:
        return float("inf") if between > 0 else 0.0
    return float(between / within)


class ComparisonDashboard(Explorer):
    """Two or more clips side by side on shared scales, with a feature plane and a summary table (lesson 06).

    ``clips``: bundled sample ids (default: all) or ``{name: (y, sr)}``; ``extra_clips``: your own
    ``{name: (y, sr)}``, added to the picker. ``selected``: the clips picked at first (default: the first two).
    ``view``: a key of :data:`VIEWS`; ``x``, ``y``: feature names from :func:`plane_features`. ``features``:
    optional ``{name: FrameFeatures}`` already computed with :func:`helpers.summaries.frame_features` (default
    settings), so that a notebook which has them does not compute them again.

    Controls (traits): ``selected`` (a list of clip names; with fewer than two the rows show what is picked and the
    plane says it needs two), ``view``, ``x_feature``, ``y_feature``. Every clip's frame features are computed when
    the dashboard is made (the plane shows every clip).
    """

    controls = ("selected", "view", "x_feature", "y_feature")
    selected = traitlets.Any([]).tag(sync=True)
    view = traitlets.Any("spectral_centroid").tag(sync=True)
    x_feature = traitlets.Any("spectral_centroid").tag(sync=True)
    y_feature = traitlets.Any("zero_crossing_rate").tag(sync=True)

    def label(self) -> str:
        return ("Interactive comparison dashboard: the picked clips' features in rows on shared scales, a feature "
                "plane of every clip, and a summary table")

    def __init__(self, clips=None, extra_clips: Mapping[str, tuple[np.ndarray, float]] | None = None,
                 selected: Sequence[str] | None = None, view: str = "spectral_centroid",
                 x: str = "spectral_centroid", y: str = "zero_crossing_rate", sr: int = 22050,
                 features: Mapping[str, FrameFeatures] | None = None):
        store = ClipStore(clips, sr=sr, extra_clips=extra_clips)
        names = store.names
        if len(names) < 2:
            raise AudioInputError("The dashboard compares clips: give it at least two.")
        if isinstance(selected, str):
            raise AudioInputError(f"selected should be a list of clip names, e.g. ({selected!r}, 'edm'), not one "
                                  f"name.")
        if selected is not None and not isinstance(selected, (list, tuple)):
            raise AudioInputError(f"selected should be a list of clip names, e.g. ['metal', 'edm']; not "
                                  f"{selected!r:.40}.")
        if features is not None and not (isinstance(features, Mapping) and all(
                isinstance(value, FrameFeatures) for value in features.values())):
            raise AudioInputError("features must be a dict {clip name: frame_features(y, sr)}, e.g. "
                                  "{'pop': frame_features(*load_sample('pop'))}.")
        self.store = store
        given = dict(features or {})
        for name in names:  # the feature plane shows every clip, so compute (or take) every clip's features now
            self.frame_features(name, given.get(name))
        self._summaries = {name: summarise(self.frame_features(name)) for name in names}
        picked = names[:2] if selected is None else [store.check_name(name, None, "selected") for name in selected]
        super().__init__(store, kind="dashboard", selected=list(dict.fromkeys(picked)),
                         view=self._check_view(view), x_feature=require_feature(x, "x"),
                         y_feature=require_feature(y, "y"))
        self.setup = {**self._base_setup(), "views": [{"name": key, "label": label} for key, label in VIEWS.items()],
                      "features": [{"name": name, "label": label, "unit": unit, "axis_label": axis_label(name)}
                                   for name, (label, unit) in plane_features().items()],
                      "scalar_features": [{"name": name, "label": label, "unit": unit, "lesson": lesson}
                                          for name, (label, unit, lesson) in SCALAR_FEATURES.items()],
                      "statistics": {name: self.statistics(name) for name in names},
                      "n_fft_samples": N_FFT, "hop_length_samples": HOP_LENGTH,
                      "frequency_ticks": data.frequency_ticks("log", sr)[::2],
                      "mfcc_z_range": list(MFCC_Z_RANGE), "amplitude_label": "Amplitude (full scale = ±1)"}
        self._prepare_first_view()

    @staticmethod
    def _check_view(view) -> str:
        if not isinstance(view, str) or view not in VIEWS:
            raise AudioInputError(f"view must be one of {', '.join(VIEWS)}; not {view!r}.{near_miss(view, VIEWS)}")
        return view

    @traitlets.validate("selected")
    def _validate_selected(self, proposal):
        value = proposal["value"]
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise AudioInputError(f"selected should be a list of clip names, e.g. ['metal', 'edm']; not {value!r}.")
        return list(dict.fromkeys(self.store.check_name(name, None, "selected") for name in value))

    @traitlets.validate("view")
    def _validate_view(self, proposal):
        return self._check_view(proposal["value"])

    @traitlets.validate("x_feature", "y_feature")
    def _validate_feature(self, proposal):
        return require_feature(proposal["value"], proposal["trait"].name)

    # ------------------------------------------------------------------ data, each computed once per clip

    def frame_features(self, name: str, given: FrameFeatures | None = None) -> FrameFeatures:
        """The cached :func:`~helpers.summaries.frame_features` of clip ``name`` (``given`` seeds the cache)."""
        return self.store.feature(name, FEATURES_KEY,
                                  lambda y, sr: given if given is not None else frame_features(y, sr))

    def summary(self, name: str) -> dict[str, float]:
        """:func:`~helpers.summaries.summarise` of clip ``name``: mean and std of every feature, sounding frames."""
        return self._summaries[name]

    def color(self, name: str) -> str:
        """Clip ``name``'s colour (Okabe–Ito), the same in the rows, the plane and the table."""
        return next(clip["color"] for clip in self._clip_setup() if clip["name"] == name)

    def statistics(self, name: str) -> dict:
        """What the browser needs of clip ``name`` for the plane, the table and the shared scales, per feature:
        ``count`` of sounding frames, ``mean`` and ``variance`` (population) over them, the ``text`` the table shows
        (mean ± std, as :func:`helpers.summaries.summarise` gives them) and ``percentile_99_5`` over all frames."""
        features = self.frame_features(name)
        summary = self.summary(name)
        result = {}
        for feature, (_label, unit) in plane_features().items():
            values = feature_frames(features, feature).astype(np.float64)
            every = features.mfcc[int(feature[4:])] if feature.startswith("mfcc") else features.scalars[feature]
            result[feature] = {
                "count": int(values.size), "mean": float(values.mean()), "variance": float(values.var()),
                "text": f"{format_value(summary[feature + '_mean'], unit)} ± "
                        f"{format_value(summary[feature + '_std'], unit)}",
                "percentile_99_5": float(np.percentile(every, 99.5)),
            }
        return result

    def plane_values(self, name: str) -> tuple[float, float, float, float]:
        """``(x mean, y mean, x std, y std)`` of clip ``name`` on the plane's current features."""
        summary = self.summary(name)
        x, y = self.x_feature, self.y_feature
        return summary[f"{x}_mean"], summary[f"{y}_mean"], summary[f"{x}_std"], summary[f"{y}_std"]

    def plane_scores(self) -> tuple[float, float]:
        """The :func:`fisher_score` of the picked clips' frames on the plane's x and y features."""
        frames = [self.frame_features(name) for name in self.selected]
        return tuple(fisher_score([feature_frames(features, feature) for features in frames])
                     for feature in (self.x_feature, self.y_feature))

    def feature_limits(self, feature: str, selected=None) -> tuple[float, float]:
        """The shared y range of a feature view: 0 to 5 % above the largest 99.5th percentile of the picked clips."""
        selected = self.selected if selected is None else selected
        top = max(float(np.percentile(self.frame_features(name).scalars[feature], 99.5)) for name in selected)
        return 0.0, 1.05 * top if top > 0 else 1.0

    def mfcc_standardisation(self, selected=None) -> tuple[np.ndarray, np.ndarray]:
        """Mean and std ``(n_mfcc, 1)`` of each MFCC over the sounding frames of all picked clips together.

        The MFCC view shows ``(mfcc - mean) / std``: one colour scale per coefficient, the same for every clip.
        (Raw MFCCs span very different ranges, MFCC 0 hundreds, MFCC 12 a few units: on one raw colour scale only
        the first two would show.)
        """
        selected = self.selected if selected is None else selected
        pooled = np.concatenate([self.frame_features(name).mfcc[:, self.frame_features(name).sounding]
                                 for name in selected], axis=1)
        return pooled.mean(axis=1, keepdims=True), pooled.std(axis=1, keepdims=True)

    def compute_other(self, kind, name, settings):
        if kind != "frames":
            return super().compute_other(kind, name, settings)
        feature = settings[0]
        features = self.frame_features(name)
        meta = {"feature": feature, "hop_length_samples": HOP_LENGTH, "n_fft_samples": N_FFT,
                "sample_rate_hz": features.sr, "time_of_frame_0_s": 0.0}
        if feature == "mfcc":
            values = features.mfcc
        elif feature in SCALAR_FEATURES:
            label, unit, lesson = SCALAR_FEATURES[feature]
            meta.update({"label": label, "unit": unit, "lesson": lesson})
            values = features.scalars[feature]
        else:
            raise AudioInputError(f"frames of {feature!r}: the dashboard has {', '.join(SCALAR_FEATURES)} and mfcc.")
        return meta, {"values": np.asarray(values, dtype=np.float32),
                      "sounding": np.asarray(features.sounding, dtype=np.uint8)}

    # ------------------------------------------------------------------ keys

    def view_keys(self, name: str, view: str) -> list[str]:
        """The payloads one picked clip's row needs in ``view``."""
        if view == "waveform":
            return [data.make_key("clip", name)]
        if view == "spectrogram":
            return [data.make_key("spectrogram", name, N_FFT, "log")]
        return [data.make_key("frames", name, view)]

    def initial_keys(self):
        return [key for name in self.selected for key in self.view_keys(name, self.view)]

    def static_keys(self):
        return [key for name in self.store.names for view in VIEWS for key in self.view_keys(name, view)]
