"""Extraction throughput and memory: our grammar against a plain regex baseline, in one run.

The corpus is the seed report repeated to ~10 MB and written to a temporary folder; both
extractors read it through the same sentence-aligned chunk reader, so the figures compare the
work per character.  Memory is the peak traced allocation while streaming files of two sizes:
with streaming it should not grow with the corpus.

usage: python3 bench/extract.py [--mb 10] [--seed PATH]
Goal (issue 4): >= 300,000 characters per second per core.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planwatch.extract.lexicon import BASES, MAGNITUDE_PREFIXES, alternation  # noqa: E402
from planwatch.extract.stream import iter_text_chunks, stream_facts  # noqa: E402

DEFAULT_SEED = ROOT.parent / "shared" / "seeds" / "dongcheng-2021-h1-plan-execution-report.txt"

# The baseline: a number, an optional magnitude and a unit from the same lexicon - no hedges,
# Chinese numerals, exclusions, qualifiers or subjects.
BASELINE = re.compile(f"\\d+(?:\\.\\d+)?(?:{alternation(MAGNITUDE_PREFIXES)})?(?:{alternation(BASES)})")


def make_corpus(seed: Path, megabytes: float, folder: Path, name: str) -> tuple[Path, int]:
    text = seed.read_text(encoding="utf-8")
    block = text.encode("utf-8")
    copies = max(1, int(megabytes * 1024 * 1024 // len(block)))
    path = folder / name
    with open(path, "wb") as fh:
        for _ in range(copies):
            fh.write(block)
            fh.write(b"\n")
    return path, copies * (len(text) + 1)


def run_ours(path: Path) -> int:
    return sum(1 for _ in stream_facts(path))


def run_baseline(path: Path) -> int:
    return sum(len(BASELINE.findall(chunk)) for _, chunk in iter_text_chunks(path))


def timed(fn, path: Path) -> tuple[float, int]:
    """CPU seconds of this process (one core; the figure the goal is per core), and the count."""
    t0 = time.process_time()
    n = fn(path)
    return time.process_time() - t0, n


def peak_traced(fn, path: Path) -> int:
    tracemalloc.start()
    fn(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=10.0, help="corpus size in MB (default 10)")
    ap.add_argument("--seed", type=Path, default=DEFAULT_SEED)
    args = ap.parse_args()
    if not args.seed.exists():
        sys.exit(f"seed not found: {args.seed}")
    with tempfile.TemporaryDirectory() as tmp:
        big, chars = make_corpus(args.seed, args.mb, Path(tmp), "corpus.txt")
        small, small_chars = make_corpus(args.seed, args.mb / 4, Path(tmp), "quarter.txt")
        copies = round(chars / (len(args.seed.read_text(encoding="utf-8")) + 1))
        print(f"corpus: {os.path.getsize(big) / 1e6:.1f} MB, {chars:,} characters (the seed {copies} times)")
        t_ours, n_ours = timed(run_ours, big)
        t_base, n_base = timed(run_baseline, big)
        ours_cps, base_cps = chars / t_ours, chars / t_base
        print("times are CPU seconds of one core")
        print(f"planwatch extract : {t_ours:7.2f} s  {ours_cps:12,.0f} chars/s  {n_ours:9,} facts")
        print(f"baseline regex    : {t_base:7.2f} s  {base_cps:12,.0f} chars/s  {n_base:9,} matches")
        print(f"ratio ours/baseline speed: {ours_cps / base_cps:.3f}  (ours is {base_cps / ours_cps:.1f}x slower, "
              f"doing hedges, exclusions, qualifiers and subjects)")
        print(f"goal 300,000 chars/s per core: {'met' if ours_cps >= 300_000 else 'NOT met'}")
        peak_small = peak_traced(run_ours, small)
        peak_big = peak_traced(run_ours, big)
        print(f"peak traced memory while streaming: {peak_small / 1e6:.1f} MB for {small_chars:,} chars, "
              f"{peak_big / 1e6:.1f} MB for {chars:,} chars (ratio {peak_big / peak_small:.2f} for 4x the text)")
        try:
            import resource
            print(f"process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
        except ImportError:  # pragma: no cover - not on POSIX
            pass


if __name__ == "__main__":
    main()
