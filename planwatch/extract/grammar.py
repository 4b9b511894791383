"""The fact grammar: every quantity in a report, what it measures, its yoy change and progress.

A report sentence states a level ("区级收入实现105.7亿元"), then qualifies it in the clauses that
follow ("同比增长9.1%", "完成进度55.5%").  So the grammar works in two layers:

1. *Quantities*: a number (Arabic, full width or Chinese), a magnitude (万, 亿), a unit from the
   lexicon, and hedges (近, 余, 左右) - minus what only looks like a quantity: years, ordinals
   (第三), numbers inside names or quotes ("“3个100”", "光明楼17号", "1+5+N"), slogans
   (两个“关键小事”).
2. *Qualifiers*: a percentage behind a yoy cue (同比增长, 下降, 增速回落至) or a progress cue
   (完成进度, 占年计划的, 完成全年目标的).  A qualifier belongs to the last quantity of its
   sentence when its own clause names nothing new; when it does name something
   ("居民人均可支配收入同比增长7.7%") it is a fact of its own.  Comparisons with another base
   (比2019年同期, 两年平均, 较一季度, 环比) and changes in percentage points are not yoy.

Subjects come from the clause around the number: the noun after a measure word
("17个街道级储备物资库") or the phrase before the number, stripped of time words, scope words and
linking verbs ("上半年,全区地区生产总值实现" -> "地区生产总值").  A clause that names only a verb
("惠及3.2万人次") carries over the subject of the sentence's previous fact.

All matching runs on a folded copy of the text of the same length (full-width -> ASCII), so
offsets index the original text and ``text[start:end] == quote`` always holds.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import asdict, dataclass

from planwatch.extract import lexicon as lx
from planwatch.extract.numerals import CN_CHARS, arabic_to_number, chinese_to_number, fold


@dataclass
class Fact:
    """One quantity stated in a text, with the span it was read from."""

    start: int
    end: int
    quote: str
    subject: str
    value: float
    unit: str
    yoy_pct: float | None = None
    progress_pct: float | None = None
    approx: bool = False
    value_high: float | None = None  # upper bound when the text gives a range ("3至5个")

    def to_dict(self) -> dict:
        d = asdict(self)
        if d["value_high"] is None:
            del d["value_high"]
        for k in ("value", "yoy_pct", "progress_pct", "value_high"):
            v = d.get(k)
            if isinstance(v, float) and v.is_integer():
                d[k] = int(v)
        return d


# --- regular expressions -------------------------------------------------------------------

_NUM_AR = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d])|\d+(?:\.\d+)?"
_NUM_CN = f"[{CN_CHARS}]+"
_NUM = f"(?:{_NUM_AR}|{_NUM_CN})"
_MAG = lx.alternation(lx.MAGNITUDE_PREFIXES)
_BASE = lx.alternation(lx.BASES)

QUANTITY = re.compile(
    f"(?P<pre>{lx.alternation(lx.PRE_HEDGES)})?"
    f"(?P<n1>{_NUM})"
    f"(?:\\s*(?P<rng>至|到|~|-)\\s*(?P<n2>{_NUM}))?"
    f"(?P<h1>余|多)?(?P<mag>{_MAG})?(?P<h2>余|多)?"
    f"(?:(?P<base>{_BASE})(?:/(?P<pmag>{_MAG})?(?P<per>{_BASE}))?)?"
    f"(?P<h3>左右|以上)?"
)

_PCT = r"(?P<num>\d+(?:\.\d+)?)\s*(?P<pu>%|‰|个百分点)"
_CUE_HEDGE = r"(?:(?P<h>超过|超|近|约|逾)\s*)?"
YOY = re.compile(
    r"(?P<base>同比|比上年同期|比去年同期|与上年同期相比|与去年同期相比|较上年同期|较去年同期|比上年|比去年|较上年|较去年)?"
    r",?\s*(?:(?P<neg>下降|减少|降低|下滑|回落|缩减)|(?P<pos>增长|增加|提高|上升|提升|增收)"
    r"|(?P<rate>增速|增幅)(?:回落|提高|加快|放缓|提升|扩大|收窄)?(?:至|为|达到|达)"
    r"|(?P<drop>降幅)(?:收窄|扩大)?(?:至|为|达到|达))了?\s*" + _CUE_HEDGE + _PCT
)
PROGRESS = re.compile(
    r"(?:完成进度|进度完成|序时进度|完成了?[^,;。%\d]{0,8}?(?:任务|计划|目标|预算)(?:任务)?的?"
    r"|占(?:全年|年度|全年度|年)?(?:计划|预算|目标|任务)的?"
    r"|为(?:全年|年度|年)?(?:计划|目标|预算)的|达到(?:全年|年度)(?:计划|目标|任务)的)"
    r"(?:为|达|达到|是)?\s*" + _CUE_HEDGE + _PCT
)
# Quoted names and titles: numbers inside them are part of a name.
QUOTED = re.compile(r"“[^“”,;。!?\n]{1,24}”|《[^《》\n]{1,40}》|\"[^\",;。\n]{1,24}\"")
CLAUSE_END = re.compile(r"[。!?;\n,:]")

_CJK = re.compile(r"[\u4e00-\u9fff]")

# Words stripped from the edges of a subject: time and scope in front, linking verbs behind.
_LEAD = re.compile(
    r"^(?:\s|上半年|下半年|前三季度|一季度|今年以来|年初以来|截至目前|截止目前|目前|同时|此外|另外|其中|"
    r"全区|全市|全县|全省|我区|我市|本区|本市|全年|年内|年底前|年末|共计|共|并|且|已经|已|还|"
    r"在全市率先|率先|实现|达到|完成|确保|力争|(?:截至|截止|到)?\d{1,2}月(?:底|末|份)?(?:前)?|"
    r"\d{4}年(?:上半年|1-\d{1,2}月)?|1-\d{1,2}月(?:份)?|[、的,])+"
)
_TRAIL = re.compile(
    r"(?:\s|实现|达到|达|为|是|共计|合计|总计|累计达|共|分别为|分别|同比|比上年同期|比去年同期|"
    r"的|已|超过|超|近|了|完成率?为|完成|[、,与和])+$"
)
# Where a noun phrase after a measure word stops and its predicate begins.  A predicate that
# opens with a verb says which of the counted things are meant ("17个小区荣获…称号": the awarded
# ones) and stays in the subject; one that opens with an adverb or a preposition does not.
_PRED_VERB = (r"已经|已|实现|完成|获得|荣获|被评为|做好|入驻|签订|签约|开展|建成|开业|运营|挂牌|达到|达|得到|参与|"
              r"纳入|列入|提供|进入|享受|覆盖")
_PRED_ADVERB = r"全部|均|陆续|有序|正式|基本|并|中的|在|圆满|顺利|稳步|加快|全面|逐步|相继|先后"
_POST_STOP = re.compile(f"(?P<verb>{_PRED_VERB})|(?P<adv>{_PRED_ADVERB})")
_LATIN = re.compile(r"[A-Za-z]")
_CHANGE_VERB = re.compile(r"(?:收窄|扩大|提高|下降|回落|上升|增加|减少|降低|加快|放缓|提升|高于|低于|高出|低出)$")
# Verbs whose object is reached through the quantity named just before ("资金3332万元,惠及3.2万人次").
_REACH_VERB = re.compile(r"^(?:惠及|涉及|带动|覆盖|服务|辐射|吸引|受益|帮扶|签约)")
_COMPARISON = re.compile(r"(?:(?:两|三|五)年平均|年均|环比|(?<!同)(?:比|较)[^,;。]{1,10})$")


class _Item:
    """A quantity or a qualifier found in the text, before subjects are assigned."""

    __slots__ = ("start", "end", "num_start", "value", "unit", "approx", "value_high", "kind", "signed", "fact")

    def __init__(self, start, end, num_start, value, unit, approx, kind, value_high=None, signed=None):
        self.start, self.end, self.num_start = start, end, num_start
        self.value, self.unit, self.approx = value, unit, approx
        self.kind, self.value_high, self.signed = kind, value_high, signed
        self.fact: Fact | None = None


def _quoted_spans(t: str) -> tuple[list[int], list[int]]:
    starts, ends = [], []
    for m in QUOTED.finditer(t):
        starts.append(m.start())
        ends.append(m.end())
    return starts, ends


def _inside(spans, s: int, e: int) -> bool:
    starts, ends = spans
    i = bisect_right(starts, s) - 1
    return i >= 0 and ends[i] >= e


def _is_ascii_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in "+_#/.")


def _quantity(m: re.Match, t: str, quoted) -> _Item | None:
    """Turn a QUANTITY match into an item, or None when it is not a quantity fact."""
    n1 = m.group("n1")
    n1s = m.start("n1")
    end = m.end()
    before = t[n1s - 1] if n1s > 0 else ""
    after = t[end] if end < len(t) else ""
    if before and _is_ascii_word(before) or after and _is_ascii_word(after) and after != "/":
        return None  # P2P, 5G, 1+5+N, 4.0版 neighbours
    lead = t[max(0, m.start() - 2):m.start()]
    if lead.endswith("第") or (lead.endswith("前") and not lead.endswith(("提前", "之前", "以前"))):
        return None  # ordinals and ranks
    mag = m.group("mag") or ""
    base = m.group("base") or ""
    is_cn = n1[0] in CN_CHARS
    if is_cn:
        if not mag and n1[-1] in "万亿" and len(n1) > 1:
            n1, mag = n1[:-1], n1[-1] + mag
        value = chinese_to_number(n1)
        if value is None or not base or n1 in ("一", "二") or after in "“《\"":
            return None
    else:
        value = arabic_to_number(n1)
    if _inside(quoted, m.start(), end):
        return None
    if base == "年" and not mag and (("〇" in n1) or (not is_cn and 1900 <= value <= 2100 and "." not in n1)):
        return None  # a year
    if base in lx.DURATIONS and after and after not in "内,;。!?)\n " and not after.isspace():
        return None  # 三年行动, 60小时不打烊: a duration inside a name
    if after and after in "制型式版号届期级":
        return None
    if base == "个百分点" and _CHANGE_VERB.search(t, max(0, m.start() - 3), m.start()):
        return None  # "较一季度收窄0.4个百分点": a comparison, not a value
    if is_cn and base == "条" and (not after or after in ",;。!?”\n"):
        return None  # 楼十条, 国十条: the name of a policy, not a count
    value_high = None
    if m.group("n2"):
        n2 = m.group("n2")
        if n2[0] in CN_CHARS:
            value_high = chinese_to_number(n2)
        else:
            value_high = arabic_to_number(n2)
        if value_high is None or value_high <= value:
            # not a range: "2021-08" dates and the like
            return None
    if not base:
        if mag and (not after or not _CJK.match(after)):
            pass  # "人口70.9万," - a magnitude stands for the unit
        elif not is_cn and not mag and "." not in n1 and after in ("“", "大") and not _inside(quoted, n1s, n1s + 1):
            pass  # "组织12“…”活动", "12大专项行动": a bare count before a name
        else:
            return None
    unit = mag + base
    if m.group("per"):
        unit += "/" + (m.group("pmag") or "") + m.group("per")
    pre = m.group("pre")
    start = m.start()
    if pre and len(pre) == 1 and start > 0 and t[start - 1] + pre in lx.HEDGE_LOOKALIKES:
        pre, start = None, m.start("n1")  # "签约690户": the 约 belongs to the verb, not a hedge
    approx = bool(pre or m.group("h1") or m.group("h2") or m.group("h3") or m.group("rng"))
    if not approx and "至少" in t[max(0, start - 6):start]:
        approx = True
    return _Item(start, end, n1s, value, unit, approx, "level", value_high=value_high)


def _qualifiers(t: str) -> tuple[list[_Item], list[tuple[int, int]]]:
    """Yoy and progress percentages; also the spans of percentages that are comparisons."""
    items, consumed = [], []
    for m in YOY.finditer(t):
        s = m.start()
        # skip a leading comma that the optional comparison base let in
        while s < m.end() and t[s] in ", ":
            s += 1
        clause_start = _clause_start(t, s)
        lead = t[clause_start:s]
        consumed.append((m.start("num"), m.end()))
        if m.group("pu") != "%" or (not m.group("base") and _COMPARISON.search(lead)):
            continue  # percentage points, 比2019年同期, 两年平均: not a yoy of this period
        v = float(m.group("num"))
        sign = -1 if (m.group("neg") or m.group("drop")) else 1
        items.append(_Item(s, m.end(), m.start("num"), v, "%", bool(m.group("h")), "yoy", signed=sign * v))
    for m in PROGRESS.finditer(t):
        if m.group("pu") != "%":
            continue
        consumed.append((m.start("num"), m.end()))
        v = float(m.group("num"))
        items.append(_Item(m.start(), m.end(), m.start("num"), v, "%", False, "progress", signed=v))
    return items, consumed


def _clause_start(t: str, pos: int) -> int:
    i = pos - 1
    while i >= 0 and t[i] not in "。!?;\n,:":
        i -= 1
    return i + 1


def _clean_pre(s: str) -> str:
    s = _LEAD.sub("", s)
    s = _TRAIL.sub("", s)
    return s.strip()


def _split_post(s: str) -> tuple[str, str, bool]:
    """The noun after a count, its predicate, and whether the predicate opens with a verb."""
    s = s.lstrip("的 ")
    m = _POST_STOP.search(s)
    if not m:
        return _TRAIL.sub("", s).strip(), "", False
    noun = _TRAIL.sub("", s[:m.start()]).strip()
    return noun, s[m.start():].strip(), m.group("verb") is not None


def extract_facts(text: str, offset: int = 0) -> list[Fact]:
    """Every quantity fact of ``text``; offsets are shifted by ``offset`` (for streamed chunks)."""
    t = fold(text)
    quoted = _quoted_spans(t)
    quals, consumed = _qualifiers(t)
    consumed.sort()
    cstarts = [c[0] for c in consumed]
    levels = []
    for m in QUANTITY.finditer(t):
        i = bisect_right(cstarts, m.start("n1")) - 1
        if i >= 0 and consumed[i][1] > m.start("n1"):
            continue
        item = _quantity(m, t, quoted)
        if item is not None:
            levels.append(item)
    items = sorted(levels + quals, key=lambda it: it.start)
    facts: list[Fact] = []
    sent_start = -1
    sent_facts: list[Fact] = []
    prev_end_in_clause = -1
    n = len(items)
    for k, it in enumerate(items):
        s_start = _sentence_start(t, it.start)
        if s_start != sent_start:
            sent_start, sent_facts = s_start, []
        c_start = _clause_start(t, it.num_start if it.kind == "level" else it.start)
        if it.kind == "level":
            pre_from = max(c_start, prev_end_in_clause if prev_end_in_clause >= c_start else c_start)
            nxt = items[k + 1].start if k + 1 < n else len(t)
            c_end = _clause_end(t, it.end)
            subject = _subject(t, it, pre_from, min(c_end, nxt), sent_facts)
            f = Fact(it.start + offset, it.end + offset, text[it.start:it.end], subject, it.value, it.unit,
                     None, None, it.approx, it.value_high)
            if it.unit in ("%", "‰") and t[pre_from:it.num_start].lstrip().startswith("占") and sent_facts:
                f.subject = sent_facts[-1].subject + _clean_pre(t[pre_from:it.num_start])
            facts.append(f)
            sent_facts.append(f)
            prev_end_in_clause = it.end
            continue
        # a qualifier: attach it, or make it a fact of its own
        slot = "yoy_pct" if it.kind == "yoy" else "progress_pct"
        in_clause = [f for f in sent_facts if f.end - offset > c_start]
        lead = _clean_pre(t[c_start:it.start])
        target = None
        if in_clause:
            target = in_clause[-1]
        elif not lead and sent_facts:
            target = sent_facts[-1]
        if target is not None and getattr(target, slot) is None:
            setattr(target, slot, it.signed)
        elif target is None:
            subject = lead or (sent_facts[-1].subject if sent_facts else "")
            if not subject:
                continue
            qs = it.num_start
            f = Fact(qs + offset, it.end + offset, text[qs:it.end], subject, it.value, "%", None, None, it.approx)
            setattr(f, slot, it.signed)
            facts.append(f)
            sent_facts.append(f)
        prev_end_in_clause = it.end
    return facts


def _sentence_start(t: str, pos: int) -> int:
    i = pos - 1
    while i >= 0 and t[i] not in "。!?;\n":
        i -= 1
    return i + 1


def _clause_end(t: str, pos: int) -> int:
    m = CLAUSE_END.search(t, pos)
    return m.start() if m else len(t)


def _subject(t: str, it: _Item, pre_from: int, post_to: int, sent_facts: list[Fact]) -> str:
    raw_pre = t[pre_from:it.start]
    pre = _clean_pre(raw_pre)
    if "等" in pre:
        head, _, tail = pre.rpartition("等")
        if len(tail) >= 2 and _LATIN.search(head):
            pre = tail  # "NIKE、FILA等全球旗舰店": the names are examples of what is counted
    raw_post = t[it.end:post_to] if it.end < post_to else ""
    base_unit = it.unit.split("/")[0].lstrip("万亿千百")
    counted = base_unit in lx.COUNT_UNITS or it.unit == ""
    if counted and raw_post[:1] not in ("、", "和", "与", "及", "的", ""):
        noun, pred, verb_first = _split_post(raw_post)
        if raw_post.rstrip()[-1:] in ("与", "和", "及") and not pred:
            # "13名个人与8个集体获得…": coordinated counts share the predicate that follows
            _, pred, verb_first = _split_post(t[it.end:_clause_end(t, it.end)])
        if len(noun) >= 1 and (pred or len(noun) >= 2 or pre):
            if raw_pre.rstrip().endswith("的") and pre:
                return (_LEAD.sub("", raw_pre).strip() + noun)[:60]  # "列入…的5项重点工程"
            if pred and verb_first:
                return (pred + noun)[:60]  # "17个小区荣获…称号", "10项任务已完成全年目标"
            if len(noun) <= 2 and pre:
                return (pre + noun)[:60]  # "…等13项任务"
            return noun[:60]
        if not noun and pred and verb_first:
            return pred[:60]  # "其中43项已立行立改"
    if it.unit in ("%", "‰") and not pre:
        noun, pred, verb_first = _split_post(raw_post)
        if noun and pred and verb_first:
            return (pred + "的" + noun + "比例")[:60]  # "78.45%的事项实现全程网办"
    subject = pre or _split_post(raw_post)[0]
    if len(subject) <= 2:
        # "惠及3.2万人次", "共签约690户": a bare verb; what it is about was named before
        if sent_facts and sent_facts[-1].subject:
            if _REACH_VERB.match(subject):
                subject = sent_facts[-1].subject[-10:] + subject
        else:
            c_start = _clause_start(t, pre_from)
            s_start = _sentence_start(t, it.start)
            if c_start - 1 > s_start:
                prev = _split_post(t[_clause_start(t, c_start - 1):c_start - 1])[0]
                subject = prev[-10:].lstrip("、,和与及") + subject
    return subject[:60]
