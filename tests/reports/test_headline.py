"""The opening paragraph carries exactly the figures of the seed report's own opening paragraph."""
from __future__ import annotations

import re

import pytest

from planwatch.reports.model import Num

NUMBER = re.compile(r"\d+(?:\.\d+)?")


def seed_headline_numbers(seed_text: str) -> list[str]:
    """The figures of the seed's headline sentence: from "上半年,全区" to the end of its paragraph."""
    paragraph = next(p for p in seed_text.splitlines() if "全区地区生产总值" in p)
    sentence = paragraph[paragraph.index("上半年,全区"):]
    return NUMBER.findall(sentence)


@pytest.mark.django_db
def test_headline_paragraph_has_the_seed_figures_in_order(demo, report_of, seed_text):
    report = report_of()
    part_one = report.sections[0]
    headline = next(b for b in part_one.blocks if getattr(b, "plain", "").startswith("上半年,全区"))
    expected = seed_headline_numbers(seed_text)
    assert expected == ["1499.7", "11.5", "105.7", "9.1", "55.5", "114.5", "14.1", "51.1", "619.6", "21.5",
                        "4.94", "45157", "9.5"]
    assert NUMBER.findall(headline.plain) == expected
    # each figure is a sourced number, not loose text
    assert [r.text for r in headline.runs if isinstance(r, Num)] == expected


@pytest.mark.django_db
def test_headline_wording_is_official_style(demo, report_of):
    text = report_of().sections[0].blocks[0].plain
    assert text.startswith("上半年,全区地区生产总值实现1499.7亿元,同比增长11.5%;")
    assert "区级一般公共预算收入实现105.7亿元,同比增长9.1%,完成进度55.5%" in text
    assert "居民人均可支配收入达到45157元,同比增长9.5%" in text
    assert text.endswith("。")


@pytest.mark.django_db
def test_a_decline_is_written_as_a_decline(demo, report_of):
    from planwatch.data.actions import record_value
    from planwatch.data.models import Status
    from planwatch.plans.models import Indicator, OrgUnit

    record_value(Indicator.objects.get(code="retail"), OrgUnit.objects.get(code="110101"), "2021H1",
                 value=480.25, yoy_pct=-3.2, decimals=2, status=Status.APPROVED)
    text = report_of().sections[0].blocks[0].plain
    assert "社会消费品零售总额实现480.25亿元,同比下降3.2%" in text
    assert "-3.2" not in text


@pytest.mark.django_db
def test_every_number_has_a_source_in_the_appendix(demo, report_of):
    report = report_of()
    ids = {s.id for s in report.sources}
    nums = list(report.numbers())
    assert len(nums) > 50
    assert all(n.source in ids for n in nums)
    gdp = report.source(next(n.source for n in nums if n.text == "1499.7"))
    assert gdp.label.startswith("地区生产总值 东城区")
    assert any("审核" in line for line in gdp.lines) and any("区统计局" in line for line in gdp.lines)
