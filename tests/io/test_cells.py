"""Reading what people type into a number cell: accepted spellings and precise refusals."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planwatch.io.cells import CellError, Field, parse_number

YI = Field(unit="亿元", minimum=0)
PCT = Field(percent=True, minimum=-100)


@pytest.mark.parametrize("raw, field, expected", [
    ("1,234.5", YI, 1234.5),
    ("12,345,678", Field(unit="元"), 12345678.0),
    ("１２３４．５", YI, 1234.5),           # full-width digits and point
    ("１,２３４", YI, 1234.0),
    ("12，345", YI, 12345.0),               # full-width comma as a thousands separator
    ("  105.7 ", YI, 105.7),
    ("105.7亿元", YI, 105.7),               # trailing unit equal to the indicator's
    ("105.7 亿元", YI, 105.7),
    ("1200万元", YI, 0.12),                 # magnitude converted to the indicator's unit
    ("12亿", YI, 12.0),                     # the magnitude alone, the measure understood
    ("3.7万平方米", Field(unit="平方米"), 37000.0),
    ("42微克/立方米", Field(unit="微克/立方米"), 42.0),
    ("55.5%", PCT, 55.5),
    ("５５.５％", PCT, 55.5),
    ("-3.2%", PCT, -3.2),
    ("−3.2", PCT, -3.2),                    # a typographic minus
    ("78.45%", Field(unit="%"), 78.45),     # an indicator measured in %
    (".5", YI, 0.5),
    (105.7, YI, 105.7),
    (1499, YI, 1499.0),
    ("", YI, None),
    ("   ", YI, None),
    ("\u3000", YI, None),
    (None, YI, None),
])
def test_accepts_what_people_type(raw, field, expected):
    assert parse_number(raw, field) == pytest.approx(expected) if expected is not None else parse_number(raw, field) is None


def test_excel_percent_format_means_fraction():
    # Excel stores a typed 55.5% as 0.555 with a percent number format.
    assert parse_number(0.555, PCT, number_format="0.0%") == pytest.approx(55.5)
    assert parse_number(0.555, PCT, number_format="General") == pytest.approx(0.555)
    assert parse_number(0.7845, Field(unit="%"), number_format="0.00%") == pytest.approx(78.45)
    # a percent format on a non-percent column does not rescale the figure
    assert parse_number(0.5, YI, number_format="0%") == 0.5


@pytest.mark.parametrize("raw, field, reason", [
    ("12,3亿", YI, "'12,3亿' 不是数字"),
    ("1,23,456", YI, "不是数字"),
    ("abc", YI, "'abc' 不是数字"),
    ("—", YI, "不是数字"),
    ("1.2.3", YI, "不是数字"),
    ("=A1*2", YI, "是公式"),
    ("=SUM(I4:I9)", YI, "是公式"),
    ("5户", YI, "单位'户'与指标单位'亿元'不符"),
    ("5亿美元", YI, "单位'亿美元'与指标单位'亿元'不符"),
    ("5%", YI, "单位'%'与指标单位'亿元'不符"),
    ("5亿元", PCT, "此栏填百分数"),
    ("5个", Field(), "没有计量单位"),
    ("-1", YI, "小于允许的最小值 0"),
    ("-150%", PCT, "小于允许的最小值 -100%"),
    ("120", Field(percent=True, maximum=100), "大于允许的最大值 100%"),
    (1e20, YI, "超出合理范围"),
    (float("nan"), YI, "超出合理范围"),
    (True, YI, "逻辑值"),
    (datetime(2021, 6, 30), YI, "是日期"),
    (date(2021, 6, 30), YI, "是日期"),
])
def test_refuses_with_a_precise_reason(raw, field, reason):
    with pytest.raises(CellError) as info:
        parse_number(raw, field)
    assert reason in str(info.value)


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False))
def test_grouped_text_reads_as_the_number(x):
    text = f"{x:,.4f}"
    assert parse_number(text, YI) == pytest.approx(float(f"{x:.4f}"))


@given(st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False))
def test_full_width_reads_as_half_width(d):
    half = str(d)
    full = half.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    assert parse_number(full, YI) == parse_number(half, YI) == float(half)
