"""Matching facts to indicators and tasks of a plan by name and unit."""
from planwatch.extract import extract_facts
from planwatch.extract.matching import Candidate, match_fact, match_facts, name_similarity, unit_compatibility

CANDIDATES = [
    Candidate("GDP", "地区生产总值", "亿元", aliases=["GDP"]),
    Candidate("REV", "区级一般公共预算收入", "亿元", aliases=["一般公共预算收入"]),
    Candidate("INV", "固定资产投资", "亿元", aliases=["固定资产投资额"]),
    Candidate("INC", "居民人均可支配收入", "元"),
    Candidate("T-RENT", "申请式退租", "户", kind="task"),
    Candidate("T-BED", "养老床位建设", "张", kind="task"),
]


def first(text):
    return extract_facts(text)[0]


def test_indicator_by_name_and_unit():
    m = match_fact(first("上半年,区级一般公共预算收入实现98.2亿元,同比增长5%。"), CANDIDATES)
    assert m.candidate.code == "REV" and m.confidence >= 0.9


def test_alias_and_magnitude():
    m = match_fact(first("全区完成固定资产投资额8500万元。"), CANDIDATES)
    assert m.candidate.code == "INV" and m.confidence > 0.8  # 万元 and 亿元 measure the same


def test_growth_only_fact_matches_whatever_the_indicator_unit():
    m = match_fact(first("全区居民人均可支配收入同比增长6.4%。"), CANDIDATES)
    assert m.candidate.code == "INC"


def test_task_by_unit():
    m = match_fact(first("完成申请式退租签约690户。"), CANDIDATES)
    assert m.candidate.code == "T-RENT" and m.candidate.kind == "task"


def test_incompatible_unit_lowers_confidence_below_threshold():
    # same words, but a count of 户 is not an amount in 亿元
    m = match_fact(first("地区生产总值相关企业1200户。"), [CANDIDATES[0]])
    assert m.candidate is None
    assert unit_compatibility("户", "亿元", False) < unit_compatibility("万元", "亿元", False)


def test_unrelated_fact_is_unmatched():
    m = match_fact(first("举办惠民演出48场。"), CANDIDATES)
    assert m.candidate is None and m.confidence < 0.5


def test_similarity_orders_sensibly():
    assert name_similarity("地区生产总值", "地区生产总值") == 1.0
    assert name_similarity("全区地区生产总值", "地区生产总值") > name_similarity("生产", "地区生产总值")
    assert name_similarity("", "地区生产总值") == 0.0
    facts = extract_facts("新建养老床位建设400张,举办演出12场。")
    assert [m.candidate.code if m.candidate else None for m in match_facts(facts, CANDIDATES)] == ["T-BED", None]
