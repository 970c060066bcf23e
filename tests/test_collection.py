"""The collection pipeline (helpers/collection.py, lesson 08) and its command (python3 course.py features).

Every expected value is computed here independently of the pipeline: the lessons' own per-clip functions
(segment_vectors, as lesson 07 calls it) and librosa itself for the features; the files' bytes for the hashes; a
fresh run for what an interrupted one must end with. No timings are asserted.
"""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import librosa
import numpy as np
import pyarrow.parquet as pq
import pytest
import soundfile
from threadpoolctl import threadpool_limits

import helpers
from helpers.collection import (FEATURE_COLUMNS, INDEX_COLUMNS, build_demo_collection, extract_features,
                                feature_matrix, list_collection, parse_augmentation)
from helpers.features_command import main as features_main
from helpers.segments import segment_vectors

REPO = Path(__file__).resolve().parent.parent
SR = 22050


def write_tone_file(path, seconds, frequencies=(220, 660), noise=0.02, seed=0, sr=SR):
    """A steady chord plus a little noise: a usable, distinctive file of ``seconds`` seconds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    y = helpers.sum_of_partials(frequencies, [0.3 / len(frequencies)] * len(frequencies), duration_s=seconds, sr=sr)
    y = y + helpers.white_noise(seconds, sr, amplitude=noise, seed=seed)
    soundfile.write(path, y, sr, subtype="PCM_16")
    return path


def small_collection(folder, n=4, seconds=4.0):
    """``n`` files in two label folders (GTZAN's layout), each a different chord."""
    for index in range(n):
        label = ("low", "high")[index % 2]
        base = 150 + 70 * index if label == "low" else 900 + 130 * index
        write_tone_file(folder / label / f"{label}.{index:05d}.wav", seconds, (base, 2 * base), seed=index)
    return folder


def column(table, name):
    return table.column(name).to_pylist()


def file_bytes_digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


# ------------------------------------------------------------------ the features are the lessons' features


def test_the_table_holds_the_lessons_features_for_the_same_clips(tmp_path):
    names = ["edm", "piano"]
    report = extract_features([str(helpers.sample_info(name).path) for name in names], tmp_path / "f.parquet",
                              jobs=1, progress=False)
    table = pq.read_table(tmp_path / "f.parquet")
    assert report.n_used == 2 and table.column_names == list(INDEX_COLUMNS) + list(FEATURE_COLUMNS)
    for name in names:
        rows = table.filter(np.array([Path(f).stem == name for f in column(table, "file")]))
        # Lesson 07, section 2: segment_vectors(load_sample_cached(name)[0], sr, segment_s=3.0). The pipeline uses
        # one BLAS thread per file; with the same, the numbers are identical to the last bit (with several BLAS
        # threads the mel filterbank's sums can come out in another order: float32 rounding, below 1e-6).
        y, sr = helpers.load_sample_cached(name)
        with threadpool_limits(limits=1, user_api="blas"):
            vectors, bounds = segment_vectors(y, sr, segment_s=3.0)
        np.testing.assert_array_equal(feature_matrix(rows), vectors)
        np.testing.assert_allclose(feature_matrix(rows), segment_vectors(y, sr, segment_s=3.0)[0], rtol=1e-5,
                                   atol=1e-5)
        np.testing.assert_array_equal(column(rows, "start_s"), bounds[:, 0] / sr)
        np.testing.assert_array_equal(column(rows, "end_s"), bounds[:, 1] / sr)
        assert column(rows, "segment") == list(range(len(bounds))) and len(bounds) == 10
        assert set(column(rows, "content_sha256")) == {file_bytes_digest(helpers.sample_info(name).path)}


def test_a_segments_features_match_librosa_over_its_frames(tmp_path):
    """Independently of the helpers: librosa on the whole clip, the frames centred in segment 4, sounding only."""
    path = helpers.sample_info("pop").path
    extract_features([str(path)], tmp_path / "f.parquet", jobs=1, progress=False)
    table = pq.read_table(tmp_path / "f.parquet")
    y, sr = librosa.load(path, sr=SR, mono=True, res_type="soxr_hq")
    if abs(float(np.mean(y, dtype=np.float64))) >= 1e-3:  # the course's DC-offset rule (lesson 03)
        y = (y - np.mean(y, dtype=np.float64)).astype(np.float32)
    magnitude = np.abs(librosa.stft(y, n_fft=2048, hop_length=512))
    centres = np.arange(magnitude.shape[1]) * 512
    inside = (centres >= 4 * 3 * sr) & (centres < 5 * 3 * sr) & (magnitude.sum(axis=0) > 0)
    reference = {
        "rms_mean": librosa.feature.rms(y=y, frame_length=2048, hop_length=512)[0][inside].mean(),
        "zero_crossing_rate_mean": librosa.feature.zero_crossing_rate(y, frame_length=2048, hop_length=512)[0][inside].mean(),
        "spectral_centroid_mean": librosa.feature.spectral_centroid(S=magnitude, sr=sr)[0][inside].mean(),
        "spectral_rolloff_std": librosa.feature.spectral_rolloff(S=magnitude, sr=sr)[0][inside].std(),
        "mfcc1_mean": librosa.feature.mfcc(S=librosa.power_to_db(librosa.feature.melspectrogram(S=magnitude**2, sr=sr),
                                                                  top_db=80.0), n_mfcc=13)[1][inside].mean(),
    }
    row = table.slice(4, 1).to_pylist()[0]
    assert row["start_s"] == 12.0 and row["end_s"] == 15.0
    for name, value in reference.items():
        assert row[name] == pytest.approx(float(value), rel=1e-5), name


def test_units_and_settings_are_stored_in_the_schema(tmp_path):
    small_collection(tmp_path / "music", n=2)
    extract_features(tmp_path / "music", tmp_path / "f.parquet", jobs=1, progress=False)
    schema = pq.read_schema(tmp_path / "f.parquet")
    unit = {field.name: field.metadata[b"unit"].decode() for field in schema}
    assert unit["spectral_centroid_mean"] == "Hz" and unit["start_s"] == "s" and unit["rms_std"] == "full scale"
    assert unit["zero_crossing_rate_mean"] == "crossings per sample"
    settings = json.loads(schema.metadata[b"course.settings"])
    assert settings["n_fft"] == 2048 and settings["hop_length"] == 512 and settings["segment_s"] == 3.0


# ------------------------------------------------------------------ a real collection: layout and bad files


def test_a_folder_gives_labels_from_its_subfolders_in_sorted_order(tmp_path):
    root = small_collection(tmp_path / "genres", n=4)
    (root / "cover.jpg").write_bytes(b"\xff\xd8\xff")
    (root / ".hidden.wav").write_bytes(b"RIFF")
    soundfile.write(root / "low" / "old.au", np.zeros(10), SR)  # the original GTZAN archive's format
    collection = list_collection(root)
    files = [item.file for item in collection.files]
    assert files == sorted(files) and "low/old.au" in files and ".hidden.wav" not in files
    assert {item.label for item in collection.files} == {"low", "high"}
    assert all(item.group == item.file for item in collection.files)  # a folder says nothing about recordings
    assert collection.ignored == ["cover.jpg"]


@pytest.fixture
def collection_with_bad_files(tmp_path, monkeypatch):
    root = small_collection(tmp_path / "music", n=3)
    bad = root / "bad"
    bad.mkdir()
    (bad / "corrupt.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(200)))
    (bad / "empty.wav").write_bytes(b"")
    (bad / "notes.wav").write_text("not audio at all, just a note about the songs\n")
    write_tone_file(bad / "short.wav", 1.0)
    soundfile.write(bad / "silent.wav", np.zeros(4 * SR), SR, subtype="PCM_16")
    write_tone_file(bad / "locked.wav", 4.0)
    (bad / "song.m4a").write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(40))
    locked = str((bad / "locked.wav").absolute())
    real_access = os.access
    # The tests may run as root, who may read anything: the helpers' permission check is made to see a locked file.
    monkeypatch.setattr("helpers.audio_io.os.access",
                        lambda path, mode, **kwargs: False if str(path) == locked else real_access(path, mode, **kwargs))
    return root


def test_bad_files_are_skipped_with_their_reason_and_the_rest_is_processed(collection_with_bad_files, tmp_path):
    report = extract_features(collection_with_bad_files, tmp_path / "f.parquet", jobs=1, progress=False)
    reasons = dict(report.skipped)
    expected = {"bad/corrupt.wav": "damaged", "bad/empty.wav": "empty (0 bytes)", "bad/notes.wav": "contains text",
                "bad/short.wav": "shorter than one 3 s segment", "bad/silent.wav": "silent",
                "bad/locked.wav": "permission denied", "bad/song.m4a": "cannot read"}
    assert set(reasons) == set(expected)
    for name, fragment in expected.items():
        assert fragment in reasons[name], (name, reasons[name])
    table = pq.read_table(tmp_path / "f.parquet")
    assert sorted(set(column(table, "file"))) == ["high/high.00001.wav", "low/low.00000.wav", "low/low.00002.wav"]
    assert report.n_used == 3 and table.num_rows == 3  # one 3 s segment per 4 s file
    assert json.loads(table.schema.metadata[b"course.skipped"]) == [list(pair) for pair in report.skipped]
    listed = (tmp_path / "f.skipped.csv").read_text()
    assert all(name in listed for name in expected)


def test_the_command_exits_0_with_a_summary_when_some_files_were_used(collection_with_bad_files, tmp_path, capsys):
    code = features_main([str(collection_with_bad_files), "--out", str(tmp_path / "f.parquet"), "--jobs", "1",
                          "--no-progress"])
    shown = capsys.readouterr()
    assert code == 0 and "3 rows" in shown.out and "7 skipped" in shown.out and "Traceback" not in shown.err


def test_the_command_exits_1_when_no_file_could_be_used(tmp_path, capsys):
    (tmp_path / "music").mkdir()
    soundfile.write(tmp_path / "music" / "silent.wav", np.zeros(4 * SR), SR)
    (tmp_path / "music" / "notes.wav").write_text("nothing here\n")
    code = features_main([str(tmp_path / "music"), "--out", str(tmp_path / "f.parquet"), "--no-progress"])
    shown = capsys.readouterr()
    assert code == 1 and "no file could be used" in shown.err and "silent" in shown.out


def test_the_command_names_what_exists_when_the_folder_is_missing(tmp_path):
    (tmp_path / "music").mkdir()
    (tmp_path / "songs.csv").write_text("file,label\n")
    completed = subprocess.run([sys.executable, str(REPO / "course.py"), "features", "musik", "--out", "f.parquet"],
                               cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 1
    assert "No folder or CSV list at 'musik'" in completed.stderr
    assert "music/" in completed.stderr and "songs.csv" in completed.stderr and "Traceback" not in completed.stderr


@pytest.mark.parametrize("header, fragments", [
    ("file,genre", ["lacks the column 'label'", "'genre' to 'label'"]),
    ("path,label,group", ["lacks the column 'file'", "'path' to 'file'"]),
    ("song;label", ["lacks the columns 'file' and 'label'", "separated by commas", "not semicolons"]),
])
def test_a_list_without_its_columns_says_which_are_missing(tmp_path, capsys, header, fragments):
    listing = tmp_path / "list.csv"
    listing.write_text(header + "\nsong.wav,rock\n")
    code = features_main([str(listing), "--out", str(tmp_path / "f.parquet"), "--no-progress"])
    error = capsys.readouterr().err
    assert code == 1
    for fragment in fragments:
        assert fragment in error, error


def test_a_list_with_a_duplicate_or_an_empty_entry_is_refused(tmp_path):
    write_tone_file(tmp_path / "a.wav", 4.0)
    (tmp_path / "twice.csv").write_text("file,label\na.wav,x\nb.wav,y\na.wav,x\n")
    with pytest.raises(helpers.AudioInputError, match="appears twice"):
        list_collection(tmp_path / "twice.csv")
    (tmp_path / "gap.csv").write_text("file,label\na.wav,x\n,y\n")
    with pytest.raises(helpers.AudioInputError, match="line 3"):
        list_collection(tmp_path / "gap.csv")


# ------------------------------------------------------------------ resumable and deterministic


def test_a_second_run_computes_nothing_and_a_changed_file_is_computed_again(tmp_path):
    root = small_collection(tmp_path / "music", n=4)
    out = tmp_path / "f.parquet"
    first = extract_features(root, out, jobs=1, progress=False)
    first_bytes = out.read_bytes()
    second = extract_features(root, out, jobs=1, progress=False)
    assert (first.n_computed, first.n_reused) == (4, 0)
    assert (second.n_computed, second.n_reused) == (0, 4) and out.read_bytes() == first_bytes
    changed = root / "high" / "high.00001.wav"
    write_tone_file(changed, 4.0, (2000, 4000), seed=9)
    write_tone_file(root / "high" / "high.00005.wav", 4.0, (3000, 5000), seed=5)  # a new file
    third = extract_features(root, out, jobs=1, progress=False)
    assert (third.n_computed, third.n_reused) == (2, 3)
    table = pq.read_table(out)
    by_file = {row["file"]: row for row in table.to_pylist()}
    assert by_file["high/high.00001.wav"]["content_sha256"] == file_bytes_digest(changed)
    y, sr = helpers.load_audio(changed)
    np.testing.assert_allclose(feature_matrix(table.filter(np.array(column(table, "file")) == "high/high.00001.wav")),
                                  segment_vectors(y, sr)[0], rtol=1e-5, atol=1e-5)


def _same_size_other_bytes(path):
    """Rewrite a 16-bit WAV with other samples (its second half negated), same size, and give it back its
    modification time: only its content and its change time (which no program can set) differ."""
    before = os.stat(path)
    data = bytearray(Path(path).read_bytes())
    samples = np.frombuffer(bytes(data[44:]), dtype="<i2").copy()
    samples[samples.size // 2:] = -samples[samples.size // 2:]
    data[44:] = samples.tobytes()
    Path(path).write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


@pytest.fixture
def counted_hashing(monkeypatch):
    """Counts the files whose bytes the pipeline reads to hash them."""
    import helpers.collection as collection

    reads = []
    real = collection.file_sha256
    monkeypatch.setattr(collection, "file_sha256", lambda path: reads.append(Path(path).name) or real(path))
    return reads


def test_unchanged_files_are_not_read_again_and_a_changed_one_is_found_by_its_change_time(tmp_path, monkeypatch,
                                                                                            counted_hashing):
    """Like git's index: a file whose size, times and inode are unchanged keeps its hash without being read; a file
    rewritten with other bytes of the same size, its modification time set back, is found by its change time and
    computed again; a file only touched is read again, found unchanged, and not computed."""
    import helpers.collection as collection

    # every file here was written before it was hashed; how long before is the next test's question
    monkeypatch.setattr(collection, "RACY_NANOSECONDS", 0)
    monkeypatch.setattr(collection, "RACY_NANOSECONDS_FINE", 0)
    root = small_collection(tmp_path / "music", n=3)
    out = tmp_path / "f.parquet"
    first = extract_features(root, out, jobs=1, progress=False)
    assert first.n_computed == 3 and len(counted_hashing) == 3
    counted_hashing.clear()
    second = extract_features(root, out, jobs=1, progress=False)
    assert (second.n_computed, second.n_reused, counted_hashing) == (0, 3, [])

    changed = root / "high" / "high.00001.wav"
    _same_size_other_bytes(changed)
    third = extract_features(root, out, jobs=1, progress=False)
    assert counted_hashing == ["high.00001.wav"] and (third.n_computed, third.n_reused) == (1, 2)
    rows = pq.read_table(out).to_pylist()
    assert {row["content_sha256"] for row in rows if row["file"] == "high/high.00001.wav"} == \
        {file_bytes_digest(changed)}
    table_bytes = out.read_bytes()

    counted_hashing.clear()
    touched = root / "low" / "low.00000.wav"
    os.utime(touched, ns=(time.time_ns(), time.time_ns()))
    fourth = extract_features(root, out, jobs=1, progress=False)
    assert counted_hashing == ["low.00000.wav"] and (fourth.n_computed, fourth.n_reused) == (0, 3)
    assert out.read_bytes() == table_bytes
    counted_hashing.clear()
    fifth = extract_features(root, out, jobs=1, progress=False)
    assert counted_hashing == [] and fifth.n_computed == 0  # the touched file's new times are remembered


def test_a_file_changed_within_the_timestamps_resolution_is_hashed_again(tmp_path, monkeypatch, counted_hashing):
    """On a file system with coarse timestamps (FAT keeps 2 s, rounding down) a file can be rewritten, same size,
    without any timestamp changing. Imitated here: every time reads as the same whole second, 0.1 to 1.1 s before
    the pipeline first looks at a file. A hash taken less than RACY_NANOSECONDS (2 s, for whole-second times)
    after that is not trusted, so the next run reads the file again and finds the change. (The 0.1 s margin of
    finer timestamps would trust it: the test fails if whole-second times are not recognised.)"""
    import helpers.collection as collection

    real_stat = os.stat
    frozen = []

    def coarse_stat(path):
        if not frozen:
            frozen.append((time.time_ns() - 10**8) // 10**9 * 10**9)
        status = real_stat(path)
        fields = list(status)
        fields[7] = fields[8] = fields[9] = frozen[0] // 10**9  # st_atime, st_mtime, st_ctime
        return os.stat_result(fields, {"st_atime_ns": frozen[0], "st_mtime_ns": frozen[0], "st_ctime_ns": frozen[0]})

    monkeypatch.setattr(collection, "_file_status", coarse_stat)
    root = small_collection(tmp_path / "music", n=2)
    out = tmp_path / "f.parquet"
    assert extract_features(root, out, jobs=1, progress=False).n_computed == 2
    changed = root / "low" / "low.00000.wav"
    _same_size_other_bytes(changed)
    counted_hashing.clear()
    second = extract_features(root, out, jobs=1, progress=False)
    assert sorted(counted_hashing) == ["high.00001.wav", "low.00000.wav"]
    assert second.n_computed == 1
    assert {row["content_sha256"] for row in pq.read_table(out).to_pylist() if row["file"] == "low/low.00000.wav"} \
        == {file_bytes_digest(changed)}


def test_a_table_deleted_or_changed_by_hand_is_written_again(tmp_path):
    root = small_collection(tmp_path / "music", n=2)
    out = tmp_path / "f.parquet"
    extract_features(root, out, jobs=1, progress=False)
    table_bytes = out.read_bytes()
    out.unlink()
    assert extract_features(root, out, jobs=1, progress=False).n_computed == 0 and out.read_bytes() == table_bytes
    out.write_bytes(b"not a table")
    again = extract_features(root, out, jobs=1, progress=False)
    assert again.n_rows == 2 and out.read_bytes() == table_bytes


def test_other_settings_are_computed_again_and_renaming_or_relabelling_is_not(tmp_path):
    root = small_collection(tmp_path / "music", n=2)
    listing = tmp_path / "list.csv"
    listing.write_text("file,label,group\nmusic/low/low.00000.wav,a,g1\nmusic/high/high.00001.wav,b,g2\n")
    out = tmp_path / "f.parquet"
    assert extract_features(listing, out, jobs=1, progress=False).n_computed == 2
    listing.write_text("file,label,group\nmusic/low/low.00000.wav,quiet,artist-1\n"
                       "music/high/high.00001.wav,loud,artist-1\n")
    relabelled = extract_features(listing, out, jobs=1, progress=False)
    assert relabelled.n_computed == 0 and column(pq.read_table(out), "label") == ["quiet", "loud"]
    other = extract_features(listing, out, jobs=1, progress=False, segment_s=2.0)
    assert other.n_computed == 2 and pq.read_table(out).num_rows == 4  # two 2 s segments per 4 s file


def test_an_interrupted_run_completes_with_no_duplicate_and_no_lost_segment(tmp_path):
    root = small_collection(tmp_path / "music", n=20, seconds=10.0)
    out = tmp_path / "f.parquet"
    command = [sys.executable, "-m", "helpers.features_command", str(root), "--out", str(out), "--jobs", "1",
               "--no-progress"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store = tmp_path / "f.parts"
    deadline = time.monotonic() + 120
    while len(list(store.glob("*/*/*.npy"))) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    parts_before = len(list(store.glob("*/*/*.npy")))
    assert 3 <= parts_before < 20 and not out.exists(), "the run should have been killed part-way"
    resumed = extract_features(root, out, jobs=1, progress=False)
    assert resumed.n_computed == 20 - parts_before and not list(store.glob("*/*/*.tmp"))
    fresh = extract_features(root, tmp_path / "fresh.parquet", jobs=1, progress=False)
    assert fresh.n_computed == 20
    assert out.read_bytes() == (tmp_path / "fresh.parquet").read_bytes()  # the same rows, once each, in order
    table = pq.read_table(out)
    assert table.num_rows == 20 * 3 and len(set(zip(column(table, "file"), column(table, "segment")))) == 20 * 3


def test_in_process_joblib_and_dask_give_the_same_table_byte_for_byte(tmp_path):
    import logging

    from distributed import LocalCluster

    root = small_collection(tmp_path / "music", n=3, seconds=4.0)
    arguments = dict(progress=False, augment=["noise:20"])
    extract_features(root, tmp_path / "one.parquet", jobs=1, **arguments)
    forced = extract_features(root, tmp_path / "joblib.parquet", jobs=2, **arguments)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster:
        report = extract_features(root, tmp_path / "dask.parquet", scheduler=cluster, **arguments)
    assert report.runner == "Dask distributed" and report.n_computed == 3
    assert forced.runner == "joblib, 2 processes"   # jobs=2 starts workers, however little there is to compute
    reference = (tmp_path / "one.parquet").read_bytes()
    assert (tmp_path / "joblib.parquet").read_bytes() == reference
    assert (tmp_path / "dask.parquet").read_bytes() == reference


def test_audio_seconds_to_compute_counts_each_variant_reads_only_headers_and_stops_past_the_limit(tmp_path):
    from helpers.collection import FeatureSettings, audio_seconds_to_compute

    four = str(write_tone_file(tmp_path / "four.wav", 4.0))
    text = tmp_path / "notes.wav"
    text.write_text("not audio")
    settings = FeatureSettings(sr=SR, segment_s=3.0, hop_s=None, max_seconds=None)
    tasks = [(four, "a", settings, ("none", "noise:20")), (str(text), "b", settings, ("none",))]
    assert audio_seconds_to_compute(tasks, settings) == pytest.approx(8.0)   # 4 s twice; the text file 0 s
    capped = FeatureSettings(sr=SR, segment_s=3.0, hop_s=None, max_seconds=3.0)
    assert audio_seconds_to_compute(tasks, capped) == pytest.approx(6.0)     # at most 3 s read, twice
    many = [(four, str(index), settings, ("none",)) for index in range(1000)]
    assert audio_seconds_to_compute(many, settings, limit=10.0) == pytest.approx(12.0)  # 4 + 4 + 4 passes 10


def test_without_jobs_a_small_run_computes_in_this_process_and_a_large_one_with_joblib(tmp_path, monkeypatch):
    import helpers.collection as collection

    root = small_collection(tmp_path / "music", n=3, seconds=4.0)
    started = []

    def joblib_stand_in(tasks, jobs, store):  # records the choice; computes here, so that no process starts
        started.append(jobs)
        return collection._in_process(tasks, store)

    monkeypatch.setattr(collection, "_cpu_count", lambda: 2)
    monkeypatch.setattr(collection, "_with_joblib", joblib_stand_in)
    small = extract_features(root, tmp_path / "small.parquet", progress=False)         # 3 files x 4 s: 12 s
    assert small.runner.startswith("in this process: under 30 min of audio") and started == []
    monkeypatch.setattr(collection, "IN_PROCESS_AUDIO_S", 10.0)                      # 12 s is now "large"
    large = extract_features(root, tmp_path / "large.parquet", progress=False)
    assert large.runner == "joblib, 2 processes" and started == [2]
    forced = extract_features(root, tmp_path / "forced.parquet", jobs=2, progress=False,
                              store=tmp_path / "forced-store")
    assert forced.runner == "joblib, 2 processes" and started == [2, 2]
    assert (tmp_path / "small.parquet").read_bytes() == (tmp_path / "large.parquet").read_bytes()


def test_workers_that_are_threads_of_one_process_leave_its_warnings_filters_as_they_were(tmp_path):
    # A LocalCluster with processes=False (lesson 08) runs compute_file in threads of the kernel. Each call sets and
    # restores the process's warnings filters; two threads restoring them in crossed order would leave one call's
    # filters behind for good (this failed in 4 of 4 runs without compute_file's lock).
    import warnings
    from concurrent.futures import ThreadPoolExecutor

    from helpers.collection import FeatureSettings, compute_file

    paths = [str(write_tone_file(tmp_path / f"{index}.wav", 1.0 + index, seed=index)) for index in range(4)]
    settings = FeatureSettings(sr=SR, segment_s=1.0, hop_s=None, max_seconds=None)
    filters_before = list(warnings.filters)
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(lambda index: compute_file(paths[index % 4], f"{index:064x}", settings,
                                                            ("none", "noise:20")), range(200)))
    assert list(warnings.filters) == filters_before
    assert all(set(outcome["variants"]) == {"none", "noise:20"} and "vectors" in outcome["variants"]["none"]
               for outcome in outcomes)


def test_a_scheduler_that_cannot_be_reached_gets_a_clear_message(tmp_path):
    small_collection(tmp_path / "music", n=2)
    with pytest.raises(helpers.AudioInputError, match="Could not reach a Dask scheduler at 'tcp://127.0.0.1:9'"):
        extract_features(tmp_path / "music", tmp_path / "f.parquet", scheduler="tcp://127.0.0.1:9", progress=False)


# ------------------------------------------------------------------ augmentation


def test_augmented_copies_keep_their_files_label_and_group(tmp_path):
    root = small_collection(tmp_path / "music", n=4)
    listing = tmp_path / "list.csv"
    listing.write_text("file,label,group\n" + "".join(
        f"music/{item.file},{item.label},artist-{index % 2}\n" for index, item in enumerate(list_collection(root).files)))
    report = extract_features(listing, tmp_path / "f.parquet", jobs=1, progress=False,
                              augment=["noise:20", "lowpass:4000"])
    rows = pq.read_table(tmp_path / "f.parquet").to_pylist()
    assert len(rows) == 3 * 4 and report.n_computed == 4
    original = {row["file"]: (row["label"], row["group"]) for row in rows if row["augmentation"] == "none"}
    for row in rows:
        assert (row["label"], row["group"]) == original[row["file"]]
    assert [row["augmentation"] for row in rows[:3]] == ["none", "noise:20", "lowpass:4000"]  # a file's copies follow it
    from sklearn.model_selection import GroupKFold

    groups = np.array([row["group"] for row in rows])
    for train, test in GroupKFold(n_splits=2).split(rows, groups=groups):
        assert not set(groups[train]) & set(groups[test])
    again = extract_features(listing, tmp_path / "f.parquet", jobs=1, progress=False, augment=["noise:20", "gain:-6"])
    assert again.n_computed == 4  # only the new copy is computed: the others are in the store
    assert pq.read_table(tmp_path / "f.parquet").num_rows == 3 * 4


def test_each_augmentation_does_what_its_spec_says():
    y = (helpers.sum_of_partials((220, 5000), (0.2, 0.2), duration_s=3.0, sr=SR)).astype(np.float32)
    rms = np.sqrt(np.mean(y.astype(np.float64) ** 2))
    noisy = parse_augmentation("noise:20").apply(y, SR, seed=3)
    added = noisy.astype(np.float64) - y
    assert 20 * np.log10(rms / np.sqrt(np.mean(added**2))) == pytest.approx(20, abs=0.05)
    assert np.array_equal(noisy, parse_augmentation("noise:20").apply(y, SR, seed=3))  # the same noise again
    quieter = parse_augmentation("gain:-6").apply(y, SR)
    np.testing.assert_allclose(quieter, y * 10 ** (-6 / 20), rtol=1e-6)
    spectrum = np.abs(np.fft.rfft(parse_augmentation("lowpass:1000").apply(y, SR)))
    frequencies = np.fft.rfftfreq(y.size, 1 / SR)
    level = lambda f: spectrum[np.argmin(np.abs(frequencies - f))]  # noqa: E731
    assert level(5000) < 0.001 * level(220)
    assert parse_augmentation("stretch:1.25").apply(y, SR).size == pytest.approx(y.size / 1.25, rel=0.01)
    shifted = parse_augmentation("pitch:2").apply(helpers.pure_tone(440, 2.0, SR, 0.5), SR)
    peak = np.fft.rfftfreq(shifted.size, 1 / SR)[np.argmax(np.abs(np.fft.rfft(shifted)))]
    assert peak == pytest.approx(440 * 2 ** (2 / 12), rel=0.01) and shifted.size == 2 * SR


@pytest.mark.parametrize("spec, fragment", [
    ("nosie:20", "Did you mean 'noise'"), ("noise", "kind:amount"), ("noise:loud", "must be a number of dB SNR"),
    ("pitch:5", "between -2 and 2 semitones"), ("stretch:1", "changes nothing"), (20, "kind:amount"),
])
def test_a_wrong_augmentation_spec_gets_a_clear_message(spec, fragment):
    with pytest.raises(helpers.AudioInputError, match=fragment.replace("(", r"\(")):
        parse_augmentation(spec)


# ------------------------------------------------------------------ memory flat


MEMORY_SCRIPT = r"""
import resource, sys
from pathlib import Path
import numpy as np, soundfile
from helpers.collection import extract_features
folder, n = Path(sys.argv[1]), int(sys.argv[2])
rng = np.random.default_rng(0)
for index in range(n):
    soundfile.write(folder / "music" / f"{index:03d}.wav", 0.1 * rng.standard_normal(10 * 22050), 22050)
extract_features(folder / "music", folder / "f.parquet", jobs=1, progress=False)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_kib(folder: Path, n_files: int) -> int:
    (folder / "music").mkdir(parents=True)
    completed = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(folder), str(n_files)], capture_output=True,
                               text=True, timeout=600, check=True)
    return int(completed.stdout.split()[-1])


def test_memory_stays_flat_from_4_to_40_files(tmp_path):
    few, many = peak_rss_kib(tmp_path / "few", 4), peak_rss_kib(tmp_path / "many", 40)
    audio_of_36_files_kib = 36 * 10 * 22050 * 4 / 1024  # what keeping the extra files' samples would cost
    assert many < 1.15 * few, (few, many)
    assert many - few < 0.25 * audio_of_36_files_kib, (few, many)


def test_the_demo_collection_is_what_lesson_08_describes(tmp_path):
    listing = build_demo_collection(tmp_path / "demo", part_s=4.0, n_parts=1)
    collection = list_collection(listing)
    assert len(collection.files) == 7 + 2 + 6
    assert {item.group for item in collection.files if item.label == "drums"} == {"pop", "edm", "metal"}
    assert file_bytes_digest(tmp_path / "demo/pop/pop-part1.wav") == file_bytes_digest(tmp_path / "demo/pop/pop-part1-copy.wav")


def test_the_lesson_workspace_removes_only_folders_of_kernels_that_are_gone(tmp_path, monkeypatch):
    import tempfile

    from helpers.collection import lesson_workspace

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = tmp_path / f"lesson99-{int(finished.stdout)}-abc"
    running = tmp_path / f"lesson99-{os.getpid()}-def"
    other = tmp_path / "lesson99-notes"
    for folder in (gone, running, other):
        folder.mkdir()
    new = lesson_workspace("lesson99")
    assert new.is_dir() and new.parent == tmp_path and new.name.startswith(f"lesson99-{os.getpid()}-")
    assert not gone.exists() and running.exists() and other.exists()
