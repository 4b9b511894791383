"""Chinese chart labels are drawn with the CJK font mplfonts ships, never with a missing glyph."""
from __future__ import annotations

import io
import warnings

import pytest
from PIL import Image


def record_warnings(draw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = draw()
    return png, [str(w.message) for w in caught]


def test_font_is_the_bundled_cjk_file():
    from matplotlib import font_manager

    import mplfonts
    from planwatch.reports import charts

    family = charts.font_family()
    assert charts.FONT_PATH.is_file()
    assert str(charts.FONT_PATH).startswith(str(__import__("pathlib").Path(mplfonts.__file__).parent))
    found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    assert found == str(charts.FONT_PATH)


def test_no_missing_glyph_warning_and_a_real_image():
    from planwatch.reports import charts

    bars = [charts.Bar("区级一般公共预算收入", 55.5, "green"), charts.Bar("背街小巷环境精细化整治提升", 12.0, "red", marker=52.0)]
    png, caught = record_warnings(lambda: charts.progress_chart("重点任务完成进度与时间进度", bars, 50.0))
    assert not [w for w in caught if "missing from" in w], caught
    png2, caught2 = record_warnings(lambda: charts.growth_chart("同比增速", [charts.Bar("地区生产总值", 11.5),
                                                                          charts.Bar("社零额", -3.2)]))
    png3, caught3 = record_warnings(lambda: charts.ranking_chart("排名", [charts.Bar("1. 东华门街道", 9.0),
                                                                        charts.Bar("2. 景山街道", 7.5)], "亿元"))
    assert not [w for w in caught2 + caught3 if "missing from" in w]
    for data in (png, png2, png3):
        img = Image.open(io.BytesIO(data))
        assert img.format == "PNG" and img.width > 600


def test_the_glyph_check_would_catch_a_latin_only_font():
    """The same check fails for a font without Chinese glyphs, so the test above can fail."""
    from matplotlib.figure import Figure

    fig = Figure()
    fig.text(0.5, 0.5, "完成进度", family="DejaVu Sans")
    _, caught = record_warnings(lambda: fig.savefig(io.BytesIO(), format="png"))
    assert any("missing from" in w for w in caught)


@pytest.mark.django_db
def test_ranking_chart_where_peers_exist(demo, report_of):
    from planwatch.data.actions import record_value
    from planwatch.data.models import Status
    from planwatch.plans.models import Indicator, OrgUnit

    gdp = Indicator.objects.get(code="gdp")
    for code, value in (("110101001", 80.5), ("110101002", 120.25), ("110101003", 95.0)):
        record_value(gdp, OrgUnit.objects.get(code=code), "2021H1", value=value, yoy_pct=5.0, decimals=2,
                     status=Status.APPROVED)
    report = report_of(charts=True)
    economy = next(s for s in report.sections if s.heading == "(一)推动经济较快增长")
    chart = next(b for b in economy.blocks if getattr(b, "key", "") == "rank-gdp")
    # best first, with the engine's ranks and the figures as entered
    assert chart.alt == "地区生产总值排名:1. 景山街道120.25亿元;2. 交道口街道95.00亿元;3. 东华门街道80.50亿元"
