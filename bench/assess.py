"""Benchmark: the whole national assessment (every county × indicator × month) in one pass.

    DATABASE_URL=... python3 bench/assess.py [--units 2850 --indicators 200 --months 12]

Runs ``planwatch synth`` first when the dataset is not there, then times
  load   reading targets and ~6.8M values from the database into a frame (one query per table)
  batch  the vectorized engine on all of it (with explanation sentences)
  ref    the per-item reference engine on a 1% sample (the same items, checked equal to batch)
and prints rows, wall and CPU seconds (the machine is shared: CPU says what the work cost), rows/s,
the load split into database read and frame building, the per-row speed ratio against the
reference and peak memory (max RSS) after the load, after the assessment and for the whole run.
Then the snapshot (``planwatch.assess.snapshot``): the database read that writes the plan's file,
and in a process of its own the warm path, file read + assessment with explanations, which is
what every national assessment costs while the data is unchanged; its peak memory is its own.
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
    """Peak resident memory of this process. Linux's VmHWM belongs to the process image, whereas
    ru_maxrss survives fork and exec, so a child would report its parent's peak."""
    try:
        for line in open("/proc/self/status", encoding="ascii"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
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
    parser.add_argument("--from-snapshot", action="store_true",
                        help="only the warm path: read the plan's current snapshot and assess it (run in a process "
                             "of its own by the full bench, so that its peak memory is its own)")
    parser.add_argument("--expect", default="snapshot", help=argparse.SUPPRESS)
    parser.add_argument("--db-load", default="", help=argparse.SUPPRESS)  # wall,cpu of the database load
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
    if args.from_snapshot:
        return from_snapshot(args)
    if args.by_period:
        return by_period(args, load_items, batch)
    reads = Clock()
    for name in ("_bulk_query", "_query"):  # the database reads inside the load, timed apart
        setattr(load, name, reads.wrap(getattr(load, name)))
    with Clock() as t_load:
        plan, frame = load_items(args.plan, None, tasks=False)
    rss_load = peak_mb()
    with Clock() as t_numbers:
        numbers = batch.assess_frame(frame, plan.thresholds, explain=False)
    del numbers
    with Clock() as t_batch:
        out = batch.assess_frame(frame, plan.thresholds)
    rss_batch = peak_mb()
    rows = out.height
    with_value = frame["value"].is_not_null().sum()

    sample = frame.sample(fraction=args.sample, seed=1)
    items = [Item(**row) for row in sample.iter_rows(named=True)]
    with Clock() as t_ref:
        ref = reference.assess(items, plan.thresholds)
    with Clock() as t_sample_batch:
        batch.assess_frame(sample, plan.thresholds)
    agree = batch.results(sample, plan.thresholds) == ref

    levels = out.group_by("level").len().sort("level")
    polars_part = Clock.of(t_load.wall - reads.wall, t_load.cpu - reads.cpu)
    print(f"items: {rows:,} ({with_value:,} with a value) for {args.units} units × {args.indicators} indicators "
          f"× {args.months} months")
    print("levels: " + ", ".join(f"{lvl} {n:,}" for lvl, n in levels.iter_rows()))
    print(f"{'step':<34}{'rows':>11}{'wall s':>9}{'CPU s':>9}{'rows/s (CPU)':>14}")
    for name, n, clock in [(f"load: database read ({'DB-API' if args.no_adbc else 'ADBC'})", rows, reads),
                           ("load: building the frame (Polars)", rows, polars_part),
                           ("load", rows, t_load),
                           ("assess: numbers + levels", rows, t_numbers),
                           ("assess: with explanations", rows, t_batch),
                           ("load + assess (levels)", rows, t_load + t_numbers),
                           ("load + assess (explained)", rows, t_load + t_batch),
                           (f"reference on {args.sample:.0%} sample", len(items), t_ref),
                           ("batch on the same sample", len(items), t_sample_batch)]:
        print(f"{name:<34}{n:>11,}{clock.wall:>9.3f}{clock.cpu:>9.3f}{n / max(clock.cpu, 1e-9):>14,.0f}")
    total = t_load + t_batch
    print(f"load : assess (explained), CPU: {t_load.cpu / t_batch.cpu:.1f} : 1")
    print(f"per-row speed, batch (explained) vs reference, CPU: {(t_ref.cpu / len(items)) / (t_batch.cpu / rows):,.0f}×")
    print(f"goal: whole assessment < 2 s on 2 cores, < 2 GB; now {total.wall:.1f} s wall, {total.cpu:.1f} s CPU "
          f"(CPU / wall {total.cpu / total.wall:.2f}: the rest of the time other processes had the cores)")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"reference and batch agree on the sample: {agree}")
    print(f"peak memory (max RSS): after load {rss_load:,.0f} MB, after assess {rss_batch:,.0f} MB, "
          f"whole run {peak_mb():,.0f} MB")
    del out, frame, sample, items, ref
    # the snapshot: written after a database read when the data has changed since the last one,
    # then read by a process of its own (as the next assessment would be)
    from planwatch.assess import snapshot

    with Clock() as t_write:
        _, written, how = snapshot.load_items(args.plan, None, tasks=False)
    print(f"snapshot: {how} read and file written: {t_write.wall:.3f} s wall, {t_write.cpu:.3f} s CPU "
          f"({written.height:,} rows, {sum(f.stat().st_size for f in snapshot._paths(args.plan)[0].glob('*.parquet')) / 1e6:,.0f} MB)")
    del written
    import subprocess

    def child(expect: str) -> bool:
        run = subprocess.run([sys.executable, __file__, "--plan", args.plan, "--units", str(args.units),
                              "--indicators", str(args.indicators), "--months", str(args.months), "--from-snapshot",
                              "--expect", expect, "--db-load", f"{t_load.wall},{t_load.cpu}"],
                             capture_output=True, text=True)
        print(run.stdout, end="")
        if run.returncode != 0:
            print(run.stderr[-3000:], file=sys.stderr)
        return run.returncode == 0

    ok = child("snapshot")
    # one figure changed through the write path, as during a collection round: the next
    # assessment patches the file instead of reading the nation again
    from planwatch.data.actions import record_value
    from planwatch.data.models import DataValue

    cell = (DataValue.objects.filter(indicator__plan_uses__plan__code=args.plan, value__isnull=False)
            .exclude(status__in=load.NOT_CURRENT).select_related("indicator", "org_unit", "period").order_by("id").first())
    record_value(cell.indicator, cell.org_unit, cell.period, value=round(cell.value + 0.1, 6), decimals=cell.decimals,
                 yoy_pct=cell.yoy_pct, progress_pct=cell.progress_pct, status=cell.status, reason="bench/assess.py: one figure changed")
    print(f"one figure changed ({cell.indicator.code} {cell.org_unit.code} {cell.period.code}); the next assessment:")
    ok = child("patched") and ok
    if not ok or not agree:
        sys.exit(1)


def from_snapshot(args) -> None:
    """The whole national assessment as it runs while the data is unchanged: the plan's snapshot
    read (after checking the data stamp) and every item assessed with its explanation."""
    from planwatch.assess import batch, snapshot

    rss_start = peak_mb()
    with Clock() as t_read:
        plan, frame, how = snapshot.load_items(args.plan, None, tasks=False)
    if how != args.expect:
        sys.exit(f"expected the load to say {args.expect!r}, it said {how!r}")
    rss_read = peak_mb()
    with Clock() as t_assess:
        out = batch.assess_frame(frame, plan.thresholds)
    rss_assess = peak_mb()
    # the same process again, as a long-running server or worker would run it: levels only, then
    # explained (the first pass also paid for starting the engine's threads and fresh memory)
    with Clock() as t_levels:
        batch.assess_frame(frame, plan.thresholds, explain=False)
    with Clock() as t_again:
        batch.assess_frame(frame, plan.thresholds)
    total = t_read + t_assess
    levels = ", ".join(f"{lvl} {n:,}" for lvl, n in out.group_by("level").len().sort("level").iter_rows())
    print(f"from the snapshot (a process of its own): {out.height:,} items; levels: {levels}")
    for name, clock in [(f"snapshot: stamp check + read ({how})", t_read), ("assess: with explanations", t_assess),
                        ("read + assess (explained)", total),
                        ("same process again: levels only", t_levels),
                        ("same process again: explained", t_again)]:
        print(f"{name:<34}{out.height:>11,}{clock.wall:>9.3f}{clock.cpu:>9.3f}{out.height / max(clock.cpu, 1e-9):>14,.0f}")
    if args.db_load:
        wall, cpu = (float(x) for x in args.db_load.split(","))
        print(f"load from the {how} vs from the database: {wall / t_read.wall:.1f}× less wall time, "
              f"{cpu / t_read.cpu:.1f}× less CPU")
    print(f"goal: whole assessment < 2 s on 2 cores, < 2 GB; from the snapshot {total.wall:.2f} s wall, "
          f"{total.cpu:.2f} s CPU; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"peak memory of this process (max RSS): at start {rss_start:,.0f} MB, after read {rss_read:,.0f} MB, "
          f"after assess {rss_assess:,.0f} MB, after the second passes {peak_mb():,.0f} MB")


def cpu_seconds() -> float:
    """CPU of this process and of its finished children (SQLite's Arrow read runs in a child)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


class Clock:
    """Wall and CPU seconds of a block (CPU counts every thread of this process, so on a shared
    machine it says what the work cost even when the wall clock says how busy the neighbours were)."""

    def __init__(self):
        self.wall = self.cpu = 0.0
        self._depth = 0  # a timed call inside a timed call (the DB-API path: _bulk_query → _query) counts once

    @classmethod
    def of(cls, wall: float, cpu: float) -> "Clock":
        c = cls()
        c.wall, c.cpu = wall, cpu
        return c

    def __add__(self, other: "Clock") -> "Clock":
        return Clock.of(self.wall + other.wall, self.cpu + other.cpu)

    def __enter__(self):
        if not self._depth:
            self._w, self._c = time.perf_counter(), cpu_seconds()
        self._depth += 1
        return self

    def __exit__(self, *exc):
        self._depth -= 1
        if not self._depth:
            self.wall += time.perf_counter() - self._w
            self.cpu += cpu_seconds() - self._c

    def wrap(self, fn):
        def timed(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return timed


def by_period(args, load_items, batch) -> None:
    from collections import Counter

    from planwatch.periods import Period

    counts: Counter = Counter()
    rows = 0
    t_load, t_assess = Clock(), Clock()
    for month in range(1, args.months + 1):
        code = Period(2021, "month", month).code
        with t_load:
            plan, frame = load_items(args.plan, [code], tasks=False)
        with t_assess:
            out = batch.assess_frame(frame, plan.thresholds)
        rows += out.height
        counts.update(dict(out.group_by("level").len().iter_rows()))
        del frame, out
    print(f"by period ({args.months} loads and passes, explanations included, results counted then dropped)")
    print("levels: " + ", ".join(f"{lvl} {counts[lvl]:,}" for lvl in ("green", "yellow", "red", "missing")))
    print(f"{'step':<28}{'rows':>12}{'wall s':>9}{'CPU s':>9}{'rows/s (CPU)':>14}")
    for name, clock in [("load", t_load), ("assess (explained)", t_assess), ("load + assess", t_load + t_assess)]:
        print(f"{name:<28}{rows:>12,}{clock.wall:>9.3f}{clock.cpu:>9.3f}{rows / max(clock.cpu, 1e-9):>14,.0f}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"peak memory (max RSS): {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
