"""The web pages through Django's test client: dashboard, indicator page, entry, review, report."""
import re

import pytest

from planwatch.data.actions import propose_value
from planwatch.data.models import DataValue, Document, Fact, Period
from planwatch.plans.models import Indicator, OrgUnit, Plan

pytestmark = pytest.mark.django_db

DASH = "/plans/dongcheng-2021/"


def levels_on(html: str) -> list[str]:
    return re.findall(r'data-level="(\w+)"', html)


def test_login_is_required(client, demo_plan):
    response = client.get(DASH)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_dashboard_shows_headline_figures_and_warnings(planner):
    html = planner.get(DASH + "?period=2021H1").content.decode()
    assert 'data-indicator="revenue"' in html and "105.7" in html  # a headline card with its figure
    assert "lang=\"zh-hans\"" in html and "时间进度" in html
    levels = levels_on(html)
    assert "red" in levels or "yellow" in levels
    counts = {lv: int(n) for lv, n in re.findall(r'id="count-(\w+)">(\d+)<', html)}
    assert sum(counts.values()) == len(levels)


def test_level_filter_keeps_only_that_level_and_htmx_gets_the_board(planner):
    html = planner.get(DASH, {"period": "2021H1", "level": "red"}).content.decode()
    assert set(levels_on(html)) == {"red"}
    partial = planner.get(DASH, {"period": "2021H1", "level": "green"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="board").content.decode()
    assert "<html" not in partial and set(levels_on(partial)) == {"green"}


def test_department_filter(planner):
    html = planner.get(DASH, {"period": "2021H1", "department": "dc-czj"}).content.decode()
    assert "区级一般公共预算收入" in html.split('id="board"')[1]
    assert "地区生产总值" not in html.split('id="board"')[1]


def test_subdistrict_view_switches_org_unit(planner):
    html = planner.get(DASH, {"period": "2021H1", "org": "110101003"}).content.decode()
    assert "交道口街道 · 2021H1" in html


def test_indicator_page_has_series_target_and_provenance(planner):
    html = planner.get(DASH + "indicators/revenue/?period=2021H1").content.decode()
    assert 'id="series-data"' in html and "2021H1" in html
    assert "echarts.min.js" in html
    # the demo's figures were read from its bulletin: each links to its span in the document
    assert re.search(r'href="/documents/\d+/#fact-\d+"', html)


def test_english_switch(planner):
    planner.post("/i18n/setlang/", {"language": "en", "next": DASH})
    html = planner.get(DASH).content.decode()
    assert 'lang="en"' in html


def _entry_post(client, indicator, **fields):
    ind = Indicator.objects.get(code=indicator)
    prefix = f"v{ind.pk}"
    data = {"kind": "value", "row": prefix, "period": "2021H1", "org": "110101001"}
    data.update({f"{prefix}-{k}": v for k, v in fields.items()})
    return client.post(DASH + "entry/", data)


def test_entry_saves_a_value_and_reports_a_conflict(planner):
    response = _entry_post(planner, "revenue", value="3.5", version="0")
    assert response.status_code == 302
    row = DataValue.objects.get(indicator__code="revenue", org_unit__code="110101001", period__code="2021H1")
    assert row.value == 3.5 and row.version == 1
    html = _entry_post(planner, "revenue", value="3.9", version="0").content.decode()
    assert "已被他人修改" in html
    row.refresh_from_db()
    assert row.value == 3.5


def test_entry_validation_messages_are_chinese(planner):
    html = _entry_post(planner, "revenue", value="abc", version="0").content.decode()
    assert "输入一个数字" in html
    html = _entry_post(planner, "revenue", version="0").content.decode()
    assert "请至少填写一个数" in html


def test_viewer_may_not_enter(client, viewer):
    client.force_login(viewer)
    assert _entry_post(client, "revenue", value="3.5", version="0").status_code == 403


def test_review_accept_changes_the_dashboard(planner):
    text = "上半年,全区实现区级一般公共预算收入120.3亿元,同比增长9.1%。"
    start = text.index("120.3")
    doc = Document.objects.create(sha256="a" * 64, name="测试通报.txt", format="txt", text=text,
                                  plan=Plan.objects.get(code="dongcheng-2021"), period=Period.get("2021H1"))
    fact = Fact.objects.create(document=doc, start=start, end=start + len("120.3亿元"), quote="120.3亿元",
                               subject="区级一般公共预算收入", value=120.3, unit="亿元", yoy_pct=9.1,
                               indicator=Indicator.objects.get(code="revenue"))
    proposal = propose_value(fact, fact.indicator, OrgUnit.objects.get(code="110101"), Period.get("2021H1"))
    page = planner.get(f"/documents/{doc.pk}/").content.decode()
    assert f'id="fact-{fact.pk}"' in page and "120.3亿元</mark>" in page
    before = planner.get(DASH + "?period=2021H1").content.decode()
    assert "120.3" not in before.split('id="cards"')[1].split("</section>")[0]
    partial = planner.post(f"/proposals/value/{proposal.pk}/accept/", {"value": "120.3"},
                           HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="accepted"' in partial
    cards = planner.get(DASH + "?period=2021H1").content.decode().split('id="cards"')[1].split("</section>")[0]
    assert "120.3" in cards
    current = DataValue.objects.get(indicator__code="revenue", org_unit__code="110101", period__code="2021H1",
                                    status="submitted")
    assert current.document_id == doc.pk and current.fact_id == fact.pk
    provenance = planner.get(DASH + "indicators/revenue/?period=2021H1").content.decode()
    assert f"/documents/{doc.pk}/#fact-{fact.pk}" in provenance


def test_report_download(planner):
    response = planner.get(DASH + "report.docx?period=2021H1")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "attachment" in response["Content-Disposition"]
    md = planner.get(DASH + "report.md?period=2021H1").content.decode()
    assert "东城区" in md
    assert planner.get(DASH + "report.pdf?period=2021H1").status_code == 404


def test_upload_ingests_and_shows_facts_for_review(planner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = "三季度通报:前三季度全区完成区级一般公共预算收入150.2亿元,同比增长8.8%。".encode("gb18030")
    response = planner.post("/documents/", {"plan": "dongcheng-2021", "period": "2021Q3",
                                            "file": SimpleUploadedFile("三季度通报.txt", text)})
    assert response.status_code == 302
    doc = Document.objects.get(name="三季度通报.txt")
    page = planner.get(response["Location"]).content.decode()
    assert "150.2亿元</mark>" in page and 'data-status="proposed"' in page
    bad = planner.post("/documents/", {"plan": "dongcheng-2021", "period": "2021Q3",
                                       "file": SimpleUploadedFile("空.txt", b"")})
    assert bad.status_code == 200 and doc.pk == Document.objects.latest("id").pk
