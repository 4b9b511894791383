"""Indicator and org-unit names in the English UI: ``name_en`` where the plan gives one, the
Chinese name where it does not; Chinese names by default.  Explanations stay Chinese, marked."""
import re

import pytest
from django.conf import settings

from planwatch.plans.models import Indicator

pytestmark = pytest.mark.django_db

DASH = "/plans/dongcheng-2021/"


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def cards(html: str) -> str:
    return html.split('id="cards"')[1].split("</section>")[0]


def test_english_dashboard_names_indicators_in_english(planner):
    html = english(planner).get(DASH, {"period": "2021H1"}).content.decode()
    assert "District general public budget revenue" in cards(html) and "区级一般公共预算收入" not in cards(html)
    board = html.split('id="board"')[1]
    assert "Fixed-asset investment" in board and "固定资产投资<" not in board
    assert "Dongcheng District · 2021H1" in html
    # explanations in English, the engine's Chinese sentence as the tooltip, and the page says so once
    assert re.search(r'<div class="why"><span lang="en" title="完成进度[^"]+">Completion \d', html)
    assert 'id="explanations-note"' in html and "translated from the Chinese" in html


def test_english_indicator_and_entry_pages(planner):
    english(planner)
    html = planner.get(DASH + "indicators/pm25/", {"period": "2021H1"}).content.decode()
    assert "<h1>PM2.5 concentration <small>" in html and "<title>PM2.5 concentration" in html
    assert '"name": "PM2.5 concentration"' in html and '"yoy_label": "Year on year %"' in html
    entry = planner.get(DASH + "entry/", {"period": "2021H1"}).content.decode()
    assert "<b>Retail sales of consumer goods</b>" in entry


def test_a_missing_english_name_falls_back_to_chinese(planner):
    Indicator.objects.filter(code="retail").update(name_en="")
    html = english(planner).get(DASH, {"period": "2021H1"}).content.decode()
    assert "社会消费品零售总额" in cards(html) and "Gross regional product" in cards(html)


def test_chinese_by_default(planner):
    html = planner.get(DASH, {"period": "2021H1"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "区级一般公共预算收入" in cards(html) and "District general public budget revenue" not in html
    assert "东城区 · 2021H1" in html and 'id="explanations-note"' not in html
    assert re.search(r'<div class="why"><span lang="zh-hans">完成进度', html)
    page = planner.get(DASH + "indicators/revenue/", {"period": "2021H1"}).content.decode()
    assert "<h1>区级一般公共预算收入 <small>" in page


def test_english_document_review_names_the_indicators_in_english(planner):
    from planwatch.data.models import Document

    doc = Document.objects.get()
    english(planner)
    html = planner.get(f"/documents/{doc.pk}/").content.decode()
    assert "District general public budget revenue</a> <small>Dongcheng District" in html
