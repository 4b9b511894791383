"""The extract command: facts as JSON Lines or a table, scores against gold, clear errors."""
import json

from click.testing import CliRunner

from planwatch.extract.commands import COMMANDS, extract


def test_registered():
    assert extract in COMMANDS


def test_jsonl_and_table(tmp_path):
    p = tmp_path / "r.txt"
    p.write_text("上半年,全区税收收入实现88.6亿元,同比增长7.2%,完成进度51.3%。新建驿站十二个。", encoding="gb18030")
    r = CliRunner().invoke(extract, [str(p)])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert [(x["quote"], x["yoy_pct"], x["progress_pct"]) for x in rows] == [("88.6亿元", 7.2, 51.3), ("十二个", None, None)]
    r = CliRunner().invoke(extract, [str(p), "--format", "table"])
    assert r.exit_code == 0 and r.output.splitlines()[0].startswith("start\tquote") and "税收收入" in r.output


def test_score_prints_the_figures(tmp_path, seed_path, gold_path):
    r = CliRunner().invoke(extract, [str(seed_path), "--score", str(gold_path)])
    assert r.exit_code == 0, r.output
    for label in ("precision", "recall", "F1", "subject acc", "yoy_pct acc", "progress_pct acc"):
        assert label in r.output
    r = CliRunner().invoke(extract, [str(seed_path), "--score", str(gold_path), "--format", "jsonl"])
    figures = json.loads(r.output)
    assert figures["f1"] >= 0.97


def test_error_names_the_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    r = CliRunner().invoke(extract, [str(p)])
    assert r.exit_code == 1 and "empty.txt" in r.output and "empty" in r.output
