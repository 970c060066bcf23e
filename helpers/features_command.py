"""``python3 course.py features``: the course's features for a whole collection, from the command line (lesson 08).

    python3 course.py features FOLDER_OR_CSV --out features.parquet [--jobs N] [--scheduler ADDRESS]
                                             [--segment-seconds S] [--hop-seconds S] [--max-seconds S]
                                             [--augment SPEC ...] [--store FOLDER] [--no-progress]

It runs :func:`helpers.collection.extract_features` and prints its summary. Exit status: 0 when the table holds at
least one file's rows (some files may have been skipped: they are listed, with the reason), 1 when no file could be
used or the arguments or collection are wrong (the message says what to do), 2 for a malformed command line,
130 when interrupted (run the same command again to continue: finished files are kept).
"""

from __future__ import annotations

import argparse
import sys

from .collection import AUGMENTATIONS, skipped_list_path

DESCRIPTION = (
    "Cut every audio file of a folder (or of a CSV list with the columns file, label and group) into segments and "
    "compute the course's 36 features per segment (lessons 01-07) into one Parquet table, one row per segment. "
    "Files that cannot be used are skipped and listed with the reason. Run it again after adding or changing "
    "files: only those are computed.")
EPILOG = ("Augmentations (--augment, several allowed): "
          + "; ".join(f"{kind}:AMOUNT in {unit} ({smallest:g} to {largest:g}, e.g. {example}): {text}"
                      for kind, (unit, smallest, largest, example, text) in AUGMENTATIONS.items())
          + ". Examples: python3 course.py features ~/Music/genres --out genres.parquet; "
            "python3 course.py features list.csv --out features.parquet --jobs 2 --augment noise:20 lowpass:4000; "
            "python3 course.py features list.csv --scheduler tcp://10.0.0.5:8786.")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python3 course.py features", description=DESCRIPTION, epilog=EPILOG)
    parser.add_argument("source", metavar="FOLDER_OR_CSV",
                        help="a folder of audio files (label = the name of each file's folder) or a .csv/.tsv list "
                             "with the columns file and label, and optionally group (recording, album or artist)")
    parser.add_argument("--out", default="features.parquet", metavar="TABLE",
                        help="the Parquet table to write (default: features.parquet)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="worker processes on this machine (default: all cores, except that a run with under half an "
                             "hour of audio to compute stays in this process, where starting workers would cost "
                             "more than they save; 1: no extra processes)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run on a Dask cluster instead, e.g. tcp://10.0.0.5:8786 (every worker needs the "
                             "course installed and the files at the same paths); 'local' starts a Dask "
                             "LocalCluster of --jobs processes here")
    parser.add_argument("--segment-seconds", type=float, default=3.0, metavar="S",
                        help="length of a segment in seconds (default: 3, as in lesson 07)")
    parser.add_argument("--hop-seconds", type=float, default=None, metavar="S",
                        help="seconds from one segment's start to the next (default: the segment length, no "
                             "overlap)")
    parser.add_argument("--max-seconds", type=float, default=None, metavar="S",
                        help="read at most S seconds from the start of each file (default: the whole file, up to "
                             "20 min)")
    parser.add_argument("--augment", nargs="+", default=[], metavar="SPEC",
                        help="altered copies of every file, e.g. noise:20 lowpass:4000 (see below)")
    parser.add_argument("--store", default=None, metavar="FOLDER",
                        help="where every file's rows are kept between runs (default: beside the table, "
                             "NAME.parts)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")
    return parser


def main(argv=None) -> int:
    from .collection import extract_features
    from .errors import AudioInputError

    arguments = build_parser().parse_args(argv)
    try:
        report = extract_features(arguments.source, arguments.out, jobs=arguments.jobs,
                                  scheduler=arguments.scheduler, segment_s=arguments.segment_seconds,
                                  hop_s=arguments.hop_seconds, max_seconds=arguments.max_seconds,
                                  augment=arguments.augment, store=arguments.store,
                                  progress=not arguments.no_progress)
    except AudioInputError as error:
        print(f"[course] features: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n[course] features: interrupted. The files finished so far are kept in the store; run the same "
              "command again to compute the rest.", file=sys.stderr)
        return 130
    print(report.summary())
    if report.n_used == 0:
        print(f"[course] features: no file could be used, so the table is empty. The reasons are above"
              f"{' and in ' + str(skipped_list_path(report.table)) if report.skipped else ''}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # python -m helpers.features_command (what course.py features runs)
    sys.exit(main())
