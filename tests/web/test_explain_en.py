"""The English explanation states what the engine's Chinese sentence states: the same numbers,
the same direction words and the same verdict, for random plans run through the reference engine."""
import re
from collections import Counter

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings

from planwatch.assess import reference
from planwatch.web.explain_en import english_explanation
from tests.assess.strategies import plans

HAN = re.compile(r"[\u4e00-\u9fff]")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
# Chinese wording → the English that must appear as often
PHRASES = [("下降", " down "), ("增长", " up "), ("高于时间进度", "ahead of time progress"),
           ("低于时间进度", "behind time progress"), ("与时间进度持平", "level with time progress"),
           ("约束性指标", "Binding indicator"), ("负增长", "negative growth"), ("不降反升", "rising instead of falling"),
           ("未超过限值", "within the limit"), ("达到目标值", "reaching the target of"), ("低于目标值", "below the target of"),
           ("与计算值不一致", "differs from the computed one"), ("年度目标为0", "Annual target 0"),
           ("未达到目标和同级平均", "short of the target and the peer average"), ("(越低越好)", "(lower is better)"),
           ("缺少同比增速", "no year-on-year growth"), ("缺少年度目标", "no annual target"),
           ("缺少目标值", "no target value"), ("缺少本期数值", "no figure for this period")]


def numbers(text: str) -> Counter:
    return Counter(float(n) for n in NUMBER.findall(text))


def check(r):
    en = english_explanation(r)
    zh = r.explanation
    assert not HAN.search(en.replace(r.unit, "") if r.unit else en), (zh, en)
    zh_numbers = re.sub(r",时间进度按\d+月\d+日完成计", "", zh)
    en_numbers = re.sub(r", time progress counted to the \w+ \d+ deadline", "", en)
    assert numbers(zh_numbers.replace("增长", " ").replace("下降", " ")) == numbers(en_numbers), (zh, en)
    for chinese, english in PHRASES:
        if chinese in ("增长", "下降"):
            continue
        assert (chinese in zh) == (english.lower() in en.lower()), (chinese, zh, en)
    assert zh.count("下降") == en.count(" down "), (zh, en)
    assert zh.count("增长") - zh.count("负增长") == en.count(" up "), (zh, en)
    if "时间进度按" in zh:
        assert "deadline" in en


@hypothesis_settings(max_examples=300, deadline=None)
@given(plans())
def test_english_states_the_chinese_explanation(items):
    for r in reference.assess(items):
        check(r)


@pytest.mark.django_db
def test_the_demos_explanations_in_english(admin_user, demo_plan, client):
    from planwatch.plans import demo
    from planwatch.plans.models import OrgUnit
    from planwatch.web import overview

    demo.load_demo_subdistricts()
    results = overview.results_for(demo_plan, "2021H1", OrgUnit.objects.get(code="110101"))
    assert len(results) > 60  # the district and its 17 街道
    for r in results:
        check(r)
    revenue = next(r for r in results if r.code == "revenue" and r.org_unit == "110101")
    assert english_explanation(revenue) == "Completion 55.5%, 5.5 points ahead of time progress"
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/plans/dongcheng-2021/", {"period": "2021H1"}).content.decode()
    assert f'<span lang="en" title="{revenue.explanation}">Completion 55.5%, 5.5 points ahead of time progress</span>' in html
