"""The 街道 breakdown on the indicator page, with the demo's 街道 figures: ranked by value, growth
and progress (direction-aware, ties sharing a rank), the 街道-sum check, and the demo file itself."""
import json
import re

import pytest

from planwatch.data.actions import record_value
from planwatch.data.models import AuditEntry, DataValue, Status
from planwatch.plans import demo
from planwatch.plans.models import Indicator, OrgUnit

pytestmark = pytest.mark.django_db

DASH = "/plans/dongcheng-2021/"


@pytest.fixture
def with_subdistricts(demo_plan):
    assert demo.load_demo_subdistricts() == 51
    return demo_plan


@pytest.fixture
def planner(client, admin_user, with_subdistricts):
    client.force_login(admin_user)
    return client


def ranking_rows(html: str) -> list[tuple[str, str, str]]:
    """(rank, 街道 name, unit code) of each row of the ranking table, in page order."""
    table = html.split('id="ranking"')[1].split("</table>")[0]
    return [(rank, name, code) for code, rank, name in
            re.findall(r'<tr class="\w*" data-unit="(\d+)" data-rank="(\d*)"><td class="n">[^<]*</td><td>([^<]+)</td>', table)]


def page(client, indicator: str, **params) -> str:
    response = client.get(f"{DASH}indicators/{indicator}/", {"period": "2021H1", **params})
    assert response.status_code == 200
    return response.content.decode()


# -- the demo file ------------------------------------------------------------------------------

def test_demo_subdistrict_figures_add_up_and_load_once(with_subdistricts):
    rows = DataValue.objects.filter(org_unit__parent__code="110101", period__code="2021H1")
    assert rows.count() == 51 and set(rows.values_list("status", flat=True)) == {Status.APPROVED}
    assert all(r.note == demo.SUBDISTRICT_NOTE for r in rows)  # every invented figure says so
    for code in ("revenue", "retail"):
        district = DataValue.objects.get(indicator__code=code, org_unit__code="110101", period__code="2021H1",
                                         status=Status.APPROVED)
        total = sum(rows.filter(indicator__code=code).values_list("value", flat=True))
        assert round(total, 1) == district.value, code
    before = (DataValue.objects.count(), AuditEntry.objects.count())
    assert demo.load_demo_subdistricts() == 0
    assert (DataValue.objects.count(), AuditEntry.objects.count()) == before


def test_a_bad_line_in_the_subdistrict_file_names_the_line_and_writes_nothing(demo_plan, tmp_path):
    text = demo.subdistrict_file().read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(text) if line.startswith("indicator,"))
    bad = [*text[:header + 3], "revenue,110102001,2021H1,1.0,,", *text[header + 3:]]
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    before = DataValue.objects.count()
    with pytest.raises(ValueError, match=rf"bad.csv:{header + 4}:'110102001' 不是东城区的街道"):
        demo.load_demo_subdistricts(path=path)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("indicator,org_unit,period,value,yoy_pct,progress_pct\nretail,110101001,2021H1,abc,,\n",
                     encoding="utf-8")
    with pytest.raises(ValueError, match=r"wrong.csv:2:value 列的 'abc' 不是数字"):
        demo.load_demo_subdistricts(path=wrong)
    assert DataValue.objects.count() == before


# -- ranking by value ---------------------------------------------------------------------------

def test_revenue_ranks_the_17_subdistricts_highest_first_and_ties_share_a_rank(planner):
    html = page(planner, "revenue")
    rows = ranking_rows(html)
    assert len(rows) == 17
    assert rows[0][:2] == ("1", "建国门街道") and rows[1][:2] == ("2", "东直门街道")
    # 龙潭 and 永定门外 both show 2.6: both 15th, and the unit after them is 17th (competition ranking)
    assert sorted(rows[14:16]) == [("15", "永定门外街道", "110101017"), ("15", "龙潭街道", "110101014")]
    assert rows[16][:2] == ("17", "天坛街道")
    # provenance of each 街道 figure: imported, approved
    table = html.split('id="ranking"')[1].split("</table>")[0]
    assert table.count('class="prov entry"') == 17
    chart = json.loads(re.search(r'<script id="breakdown-data" type="application/json">(.*?)</script>', html, re.S)[1])
    assert chart["units"][:2] == ["建国门街道", "东直门街道"] and chart["values"][:2] == [16.8, 12.4]


def test_lower_is_better_ranks_the_smallest_first_with_three_way_ties(planner):
    rows = ranking_rows(page(planner, "pm25"))
    ranks = {name: int(rank) for rank, name, _ in rows}
    assert {n for n, r in ranks.items() if r == 1} == {"东华门街道", "龙潭街道", "天坛街道"}  # 40 µg/m³
    assert {n for n, r in ranks.items() if r == 4} == {"景山街道", "朝阳门街道", "前门街道", "体育馆路街道"}  # 41
    assert ranks["东四街道"] == 8 and ranks["安定门街道"] == 15 and ranks["永定门外街道"] == 17  # 42, 44, 45
    assert [int(r) for r, _, _ in rows] == sorted(int(r) for r, _, _ in rows)


def test_a_figure_changed_through_the_actions_moves_the_ranking(planner):
    jingshan = OrgUnit.objects.get(code="110101002")
    record_value(Indicator.objects.get(code="pm25"), jingshan, "2021H1", value=39, decimals=0, status=Status.APPROVED)
    ranks = {name: rank for rank, name, _ in ranking_rows(page(planner, "pm25"))}
    assert ranks["景山街道"] == "1" and ranks["东华门街道"] == "2"


# -- ranking by growth and by progress ----------------------------------------------------------

def test_ranking_by_growth(planner):
    html = page(planner, "revenue", rank="yoy_pct")
    assert 'data-measure="yoy_pct"' in html and 'class="measure current" data-measure="yoy_pct"' in html
    rows = ranking_rows(html)
    assert rows[0][:2] == ("1", "前门街道")  # +21.7%
    assert rows[-1][:2] == ("17", "景山街道")  # -3.2%
    ranks = {name: rank for rank, name, _ in rows}
    assert ranks["东华门街道"] == ranks["东花市街道"] == "6"  # both +10.4%
    assert ranks["安定门街道"] == "8" and ranks["崇文门外街道"] == "9"


def test_ranking_by_progress_and_a_measure_with_no_figures(planner):
    rows = ranking_rows(page(planner, "revenue", rank="progress_pct"))
    assert rows[0][:2] == ("1", "前门街道") and rows[1][:2] == ("2", "和平里街道")  # 62.5%, 60.2%
    assert rows[-1][:2] == ("17", "景山街道")  # 46.3%
    retail = page(planner, "retail", rank="progress_pct")  # retail has a growth target, no progress
    assert all(rank == "" for rank, _, _ in ranking_rows(retail))
    assert "该期下级单位没有可用于此排名的数据" in retail


def test_an_unknown_measure_ranks_by_value(planner):
    html = page(planner, "revenue", rank="value;drop")
    assert 'id="ranking" data-measure="value"' in html
    assert ranking_rows(html)[0][1] == "建国门街道"


def test_indicator_without_subdistrict_figures_says_so(planner):
    html = page(planner, "gdp")
    assert 'id="ranking"' not in html and "该期暂无下级单位数据" in html


# -- the 街道 sum check -------------------------------------------------------------------------

def test_sum_check_passes_for_the_demo_and_flags_a_changed_figure(planner):
    html = page(planner, "revenue")
    assert 'data-consistent="yes"' in html and "合计与本级数一致" in html
    assert 'id="sum-check"' not in page(planner, "pm25")  # a concentration does not add up
    record_value(Indicator.objects.get(code="revenue"), OrgUnit.objects.get(code="110101008"), "2021H1",
                 value=18.8, decimals=1, status=Status.APPROVED)  # 建国门 +2.0: the sum is now 107.7
    html = page(planner, "revenue")
    assert 'data-consistent="no"' in html and "合计与本级数不一致" in html
    assert re.search(r"相差 2\.0", html)


def test_reporters_get_ranks_of_what_they_see_but_no_sum(client, finance_reporter, with_subdistricts):
    client.force_login(finance_reporter)
    html = page(client, "revenue")
    assert len(ranking_rows(html)) == 17
    assert 'id="sum-check"' not in html


def test_a_subdistricts_dashboard_shows_its_own_figures(planner):
    html = planner.get(DASH, {"period": "2021H1", "org": "110101008"}).content.decode()
    assert "建国门街道 · 2021H1" in html
    board = html.split('id="board"')[1]
    assert 'href="/plans/dongcheng-2021/indicators/revenue/?period=2021H1&org=110101008"' in board
    assert "完成进度53.8%" in board  # 建国门's own revenue verdict
