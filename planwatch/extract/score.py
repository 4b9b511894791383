"""Precision, recall and F1 of extracted facts against a hand-checked gold file.

The semantics are those of the project's gold scorer: a predicted fact matches a gold fact when
both give the same value in the same base unit (万/亿/千 folded into the value) and, where the
prediction has offsets, its span overlaps the gold quote's position (found through the gold
``context``) give or take two characters.  Among matched facts it reports how often the subject
is close enough (half of the longer string in common), and how often yoy and progress agree.
"""
from __future__ import annotations

import difflib
import json
from pathlib import Path

from planwatch.units import MAGNITUDES


def base(value, unit) -> tuple[float, str]:
    """Fold a magnitude prefix into the value: (3.7, '万平方米') -> (37000.0, '平方米')."""
    unit = (unit or "").strip().replace("％", "%")
    for prefix, factor in MAGNITUDES:
        if unit.startswith(prefix) and len(unit) > len(prefix):
            return float(value) * factor, unit[len(prefix):]
    return float(value), unit


def same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def subject_ok(gold: str | None, pred: str | None) -> bool:
    g = (gold or "").strip("“”\"' ")
    p = (pred or "").strip("“”\"' ")
    if not g or not p:
        return False
    m = difflib.SequenceMatcher(None, g, p, autojunk=False)
    common = sum(b.size for b in m.get_matching_blocks())
    return common / max(len(g), len(p)) >= 0.5


def qualifier_ok(gold, pred) -> bool | None:
    """None when neither side states the qualifier (it is then not counted)."""
    if gold is None and pred is None:
        return None
    if gold is None or pred is None:
        return False
    return same(float(gold), float(pred))


def load_jsonl(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def score(text: str, gold: list[dict], pred: list[dict], samples: int = 15) -> dict:
    """The figures of one comparison, as a dict (same keys as the shared scorer prints)."""
    gold = [dict(g) for g in gold]
    pred = [dict(p) for p in pred]
    for g in gold:
        c = text.find(g["context"])
        g["_pos"] = (c + g["context"].find(g["quote"])) if c >= 0 else -1
        g["_b"] = base(g["value"], g["unit"])
    for p in pred:
        try:
            p["_b"] = base(p.get("value"), p.get("unit"))
        except (TypeError, ValueError):
            p["_b"] = None
    used: set[int] = set()
    matched: list[tuple[dict, dict]] = []
    for g in gold:
        for i, p in enumerate(pred):
            if i in used or p["_b"] is None:
                continue
            if p["_b"][1] != g["_b"][1] or not same(p["_b"][0], g["_b"][0]):
                continue
            if "start" in p and "end" in p and g["_pos"] >= 0:
                gs, ge = g["_pos"], g["_pos"] + len(g["quote"])
                if not (p["start"] < ge + 2 and p["end"] > gs - 2):
                    continue
            used.add(i)
            matched.append((g, p))
            break
    tp = len(matched)
    prec = tp / len(pred) if pred else 0.0
    rec = tp / len(gold) if gold else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    subj = sum(subject_ok(g["subject"], p.get("subject")) for g, p in matched)
    out = {"gold": len(gold), "pred": len(pred), "matched": tp,
           "precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
           "subject_acc": round(subj / tp, 4) if tp else 0.0}
    for q in ("yoy_pct", "progress_pct"):
        r = [qualifier_ok(g.get(q), p.get(q)) for g, p in matched]
        r = [x for x in r if x is not None]
        out[q + "_acc"] = round(sum(r) / len(r), 4) if r else None
        out[q + "_n"] = len(r)
    matched_gold = {id(g) for g, _ in matched}
    out["missed_sample"] = [g["quote"] + "|" + g["subject"] for g in gold if id(g) not in matched_gold][:samples]
    out["extra_sample"] = [p.get("quote", "") for i, p in enumerate(pred) if i not in used][:samples]
    return out
