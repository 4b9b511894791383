"""Benchmark: drafting the district report (the Dongcheng demo) with charts, in each format.

    python3 bench/report.py [--repeat 3]

Loads the demo into a fresh SQLite database in a temporary folder, then times
  build   loading rows, the assessment engine, composing the model and drawing the charts
  docx / html / md   build + rendering, end to end as ``planwatch report`` does it
The first run in the process (cold: matplotlib, the CJK font and python-docx are loaded) is
printed apart from the best of the warm runs. Goal: under 3 s for the docx, cold.
The baseline is the same report without charts, so the charts' share of the time is visible.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["PLANWATCH_HOME"] = tempfile.mkdtemp(prefix="planwatch-bench-report-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planwatch.settings")

GOAL_DOCX_S = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="warm runs per format (best is printed)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from planwatch.plans import demo
    from planwatch.plans.planfile import load_plan_file

    load_plan_file(demo.plan_file())
    demo.load_demo_values()

    from planwatch.reports.build import FORMATS, build_report, render

    def once(fmt: str | None, charts: bool = True) -> tuple[float, float, int]:
        """(wall seconds, CPU seconds, bytes): CPU time stays meaningful on a busy shared machine."""
        t, c = time.perf_counter(), time.process_time()
        report = build_report(demo.PLAN_CODE, "2021H1", charts=charts)
        size = len(render(report, fmt)) if fmt else 0
        return time.perf_counter() - t, time.process_time() - c, size

    load = os.getloadavg()[0]
    wall, cpu, size = once("docx")
    print(f"load average {load:.1f} on {os.cpu_count()} cores")
    print(f"docx cold (first in process, imports and font included): wall {wall:.2f} s, CPU {cpu:.2f} s, "
          f"{size / 1024:.0f} KiB -> goal < {GOAL_DOCX_S:.0f} s: {'met' if wall < GOAL_DOCX_S else 'NOT met'} (wall), "
          f"{'met' if cpu < GOAL_DOCX_S else 'NOT met'} (CPU)")
    print(f"{'format':<8}{'charts wall/CPU (s)':>22}{'no charts wall/CPU (s)':>25}{'charts share':>14}{'KiB':>7}")
    for fmt in (None, *FORMATS):
        with_charts = min((once(fmt) for _ in range(args.repeat)), key=lambda r: r[1])
        without = min((once(fmt, charts=False) for _ in range(args.repeat)), key=lambda r: r[1])
        share = (with_charts[1] - without[1]) / with_charts[1] if with_charts[1] else 0
        print(f"{fmt or 'build':<8}{with_charts[0]:>13.3f} / {with_charts[1]:<6.3f}{without[0]:>16.3f} / {without[1]:<6.3f}"
              f"{share:>13.0%}{with_charts[2] / 1024:>7.0f}")


if __name__ == "__main__":
    main()
