"""Score postkit's script conversion and OpenCC's own on the hand-written sentence set, per OpenCC config.

Run from the repository root:

    .venv/bin/python benchmarks/traditional_accuracy.py [--failures]

The set is tests/traditional/sentences.tsv (config, input, expected, reason).
OpenCC's score is one whole-text convert() per sentence with no segmentation,
using whichever OpenCC is installed (the official binding by default; run it
from a virtual environment with opencc-python-reimplemented to score that).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

SENTENCES = Path(__file__).resolve().parent.parent / "tests" / "traditional" / "sentences.tsv"


def read_sentences(path: Path = SENTENCES) -> list[tuple[str, str, str, str]]:
    """(config, input, expected, reason) rows of the sentence set."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 4:
            raise ValueError(f"{path}:{number}: expected 4 tab-separated fields, found {len(fields)}")
        rows.append((fields[0], fields[1], fields[2], fields[3]))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failures", action="store_true", help="list the sentences each side gets wrong")
    args = parser.parse_args(argv)

    from postkit.traditional.opencc import load_config
    from postkit.traditional.post import backend_name, get_converter

    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    failures = []
    opencc_converters = {}
    for config, source, expected, reason in read_sentences():
        if config not in opencc_converters:
            opencc_converters[config] = load_config(config).convert
        ours = get_converter(config).convert_text(source)
        theirs = opencc_converters[config](source)
        total = totals[config]
        total[0] += 1
        total[1] += ours == expected
        total[2] += theirs == expected
        if ours != expected or theirs != expected:
            failures.append((config, source, expected, ours, theirs, reason))

    print(f"OpenCC implementation: {backend_name()}")
    print(f"{'config':<7} {'sentences':>9} {'postkit':>9} {'OpenCC':>9}")
    for config, (count, ours_right, theirs_right) in totals.items():
        print(f"{config:<7} {count:>9} {ours_right / count:>8.1%} {theirs_right / count:>8.1%}")
    if args.failures:
        for config, source, expected, ours, theirs, reason in failures:
            print(f"\n{config}: {source}\n  expected {expected}  ({reason})")
            print(f"  postkit  {ours}{'' if ours != expected else '  ok'}")
            print(f"  OpenCC   {theirs}{'' if theirs != expected else '  ok'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
