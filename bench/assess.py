"""Benchmark: the whole national assessment (every county × indicator × month) in one pass.

    DATABASE_URL=... python3 bench/assess.py [--units 2850 --indicators 200 --months 12]

Runs ``planwatch synth`` first when the dataset is not there, then times
  load   reading targets and ~6.8M values from the database into a frame (one query per table)
  batch  the vectorized engine on all of it (with explanation sentences)
  ref    the per-item reference engine on a 1% sample (the same items, checked equal to batch)
and prints rows, seconds, rows/s, the per-row speed ratio and peak memory (max RSS).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planwatch.settings")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", default="national-2021")
    parser.add_argument("--units", type=int, default=2850)
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--sample", type=float, default=0.01, help="share of items for the reference engine")
    parser.add_argument("--resynth", action="store_true", help="rewrite the dataset even if it is there")
    parser.add_argument("--by-period", action="store_true",
                        help="load and assess one month at a time (peers never cross periods), keeping only the "
                             "level counts: the low-memory way to run a national assessment")
    parser.add_argument("--no-adbc", action="store_true",
                        help="load through the DB-API cursor instead of ADBC (to compare; run it separately, "
                             "peak memory is per process)")
    args = parser.parse_args()

    import django

    django.setup()
    import polars as pl
    from django.core.management import call_command
    from django.db import connection

    from planwatch.assess import batch, load, reference
    from planwatch.assess.load import load_items
    from planwatch.assess.model import Item
    from planwatch.assess.synth import write_national

    call_command("migrate", interactive=False, verbosity=0)
    expected_targets = args.units * args.indicators
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM plans_target t JOIN plans_plan p ON p.id = t.plan_id WHERE p.code = %s",
                    [args.plan])
        have = cur.fetchone()[0]
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if have != expected_targets or args.resynth:
        t0 = time.perf_counter()
        print(write_national(args.plan, args.units, args.indicators, args.months))
        print(f"synth: {time.perf_counter() - t0:.1f} s")

    load.USE_ADBC = not args.no_adbc
    if args.by_period:
        return by_period(args, load_items, batch)
    t0 = time.perf_counter()
    plan, frame = load_items(args.plan, None, tasks=False)
    t_load = time.perf_counter() - t0
    t0 = time.perf_counter()
    numbers = batch.assess_frame(frame, plan.thresholds, explain=False)
    t_numbers = time.perf_counter() - t0
    del numbers
    t0 = time.perf_counter()
    out = batch.assess_frame(frame, plan.thresholds)
    t_batch = time.perf_counter() - t0
    rows = out.height
    with_value = frame["value"].is_not_null().sum()

    sample = frame.sample(fraction=args.sample, seed=1)
    items = [Item(**row) for row in sample.iter_rows(named=True)]
    t0 = time.perf_counter()
    ref = reference.assess(items, plan.thresholds)
    t_ref = time.perf_counter() - t0
    t0 = time.perf_counter()
    batch.assess_frame(sample, plan.thresholds)
    t_sample_batch = time.perf_counter() - t0
    agree = batch.results(sample, plan.thresholds) == ref

    levels = out.group_by("level").len().sort("level")
    per_row_batch = t_batch / rows
    per_row_ref = t_ref / len(items)
    print(f"items: {rows:,} ({with_value:,} with a value) for {args.units} units × {args.indicators} indicators "
          f"× {args.months} months")
    print("levels: " + ", ".join(f"{lvl} {n:,}" for lvl, n in levels.iter_rows()))
    print(f"{'step':<28}{'rows':>12}{'seconds':>10}{'rows/s':>14}")
    for name, n, secs in [(f"load ({'DB-API' if args.no_adbc else 'ADBC'} → frame)", rows, t_load),
                          ("batch: numbers + levels", rows, t_numbers),
                          ("batch: with explanations", rows, t_batch),
                          ("load + batch (levels)", rows, t_load + t_numbers),
                          ("load + batch (explained)", rows, t_load + t_batch),
                          (f"reference on {args.sample:.0%} sample", len(items), t_ref),
                          (f"batch on the same sample", len(items), t_sample_batch)]:
        print(f"{name:<28}{n:>12,}{secs:>10.3f}{n / secs:>14,.0f}")
    print(f"per-row speed, batch (explained) vs reference: {per_row_ref / per_row_batch:,.0f}×")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"reference and batch agree on the sample: {agree}")
    print(f"peak memory (max RSS): {peak_mb():,.0f} MB")
    pl.Config.set_tbl_rows(5)
    if not agree:
        sys.exit(1)


def by_period(args, load_items, batch) -> None:
    from collections import Counter

    from planwatch.periods import Period

    counts: Counter = Counter()
    rows = 0
    t_load = t_assess = 0.0
    for month in range(1, args.months + 1):
        code = Period(2021, "month", month).code
        t0 = time.perf_counter()
        plan, frame = load_items(args.plan, [code], tasks=False)
        t1 = time.perf_counter()
        out = batch.assess_frame(frame, plan.thresholds)
        t_assess += time.perf_counter() - t1
        t_load += t1 - t0
        rows += out.height
        counts.update(dict(out.group_by("level").len().iter_rows()))
        del frame, out
    print(f"by period ({args.months} loads and passes, explanations included, results counted then dropped)")
    print("levels: " + ", ".join(f"{lvl} {counts[lvl]:,}" for lvl in ("green", "yellow", "red", "missing")))
    print(f"{'step':<28}{'rows':>12}{'seconds':>10}{'rows/s':>14}")
    for name, secs in [("load", t_load), ("batch (explained)", t_assess), ("load + batch", t_load + t_assess)]:
        print(f"{name:<28}{rows:>12,}{secs:>10.3f}{rows / secs:>14,.0f}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"peak memory (max RSS): {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
