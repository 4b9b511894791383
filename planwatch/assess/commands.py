"""``planwatch assess`` and ``planwatch synth``."""
from __future__ import annotations

import sys

import click


@click.command()
@click.option("--plan", "plan_code", required=True, help="Plan code, e.g. dongcheng-2021.")
@click.option("--period", required=True, help="Period code: 2021H1, 2021Q3, 2021-10 …")
@click.option("--org-unit", "org_unit", default=None, help="Only this org unit (code or name); peers still count.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--day-based", is_flag=True, help="Time progress in calendar days instead of months.")
@click.option("--engine", type=click.Choice(["batch", "reference"]), default="batch", show_default=True,
              help="batch: the vectorized engine; reference: the per-item spec (same results, slower).")
def assess(plan_code, period, org_unit, fmt, day_based, engine):
    """Assess a plan's indicators and tasks for a period: progress against time, growth, limits.

    Every item gets a warning level (green / yellow / red, or missing when there is nothing to
    judge) with the rule that gave it and a sentence that explains it.
    """
    from dataclasses import replace

    from planwatch.assess import batch, reference
    from planwatch.assess.load import LoadError
    from planwatch.assess.snapshot import load_items
    from planwatch.assess.model import ThresholdError
    from planwatch.assess.render import to_csv, to_json, to_table
    from planwatch.periods import PeriodError

    try:
        plan, frame, _ = load_items(plan_code, [period])  # through the plan's snapshot when it is current
    except (LoadError, PeriodError, ThresholdError) as exc:
        raise click.ClickException(str(exc)) from exc
    th = replace(plan.thresholds, day_based=True) if day_based else plan.thresholds
    if engine == "batch":
        results = batch.results(frame, th)
    else:
        from planwatch.assess.model import Item

        results = reference.assess([Item(**row) for row in frame.iter_rows(named=True)], th)
    if org_unit:
        results = [r for r in results if org_unit in (r.org_unit, r.org_unit_name)]
        if not results:
            raise click.ClickException(f"plan {plan_code} has nothing for org unit {org_unit!r} in {period}")
    if fmt == "json":
        click.echo(to_json(results))
    elif fmt == "csv":
        click.echo(to_csv(results), nl=False)
    else:
        click.echo(f"{plan.name} {period} 执行情况评估(时间进度按{'日' if th.day_based else '月'}计)")
        click.echo(to_table(results, colour=sys.stdout.isatty()))


@click.command()
@click.option("--units", default=2850, show_default=True, help="County-level units.")
@click.option("--indicators", default=200, show_default=True)
@click.option("--months", default=12, show_default=True)
@click.option("--seed", default=2021, show_default=True)
@click.option("--plan", "plan_code", default="national-2021", show_default=True)
def synth(units, indicators, months, seed, plan_code):
    """Write a synthetic national dataset (31 provinces → cities → counties) for benchmarks.

    It replaces an earlier synthetic plan of the same code. 2,850 units × 200 indicators × 12
    months is about 6.8 million values.
    """
    import time

    from planwatch.assess.synth import write_national

    t0 = time.perf_counter()
    summary = write_national(plan_code=plan_code, units=units, indicators=indicators, months=months, seed=seed)
    click.echo(f"{summary},用时 {time.perf_counter() - t0:.1f} 秒")


COMMANDS = [assess, synth]
