"""The done-when figures on the seed report, and our scorer agreeing with the shared one."""
import json
import subprocess
import sys

from planwatch.extract import extract_facts
from planwatch.extract.score import load_jsonl, score


def test_seed_meets_the_accuracy_goals(seed_text, gold_path):
    figures = score(seed_text, load_jsonl(gold_path), [f.to_dict() for f in extract_facts(seed_text)])
    assert figures["f1"] >= 0.97, figures
    assert figures["subject_acc"] >= 0.95, figures
    assert figures["yoy_pct_acc"] >= 0.98 and figures["progress_pct_acc"] >= 0.98, figures
    assert figures["yoy_pct_n"] >= 5 and figures["progress_pct_n"] >= 5


def test_every_seed_quote_is_its_span(seed_text):
    for f in extract_facts(seed_text):
        assert seed_text[f.start:f.end] == f.quote


def _shared(gold_score_path, seed_path, gold_path, pred_path):
    out = subprocess.run([sys.executable, str(gold_score_path), str(seed_path), str(gold_path), str(pred_path)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_our_scorer_equals_the_shared_one(tmp_path, seed_path, seed_text, gold_path, gold_score_path):
    preds = [f.to_dict() for f in extract_facts(seed_text)]
    # also a deliberately damaged prediction, so the comparison covers misses, extras and wrong qualifiers
    damaged = [dict(p) for p in preds[::2]]
    for p in damaged[:5]:
        p["subject"] = "无关"
        p["yoy_pct"] = 1.0
        p["value"] = p["value"] + 1
    damaged.append({"quote": "x", "subject": "x", "value": 3, "unit": "个", "start": 0, "end": 1})
    for name, rows in (("pred.jsonl", preds), ("damaged.jsonl", damaged)):
        path = tmp_path / name
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        ours = score(seed_text, load_jsonl(gold_path), load_jsonl(path))
        assert ours == _shared(gold_score_path, seed_path, gold_path, path)
