"""Assessment: is every indicator and task where it should be by now? ("时间过半、任务过半")

reference.py  the per-item engine, written to be read: the spec (rules.py holds the rules)
batch.py      the same verdicts for millions of items in one Polars pass
timeprogress.py, ranking.py, aggregate.py  time progress, peer ranking, 街道 sums
load.py, synth.py, commands.py  the database side: read a plan's items, write benchmark data, CLI
"""
