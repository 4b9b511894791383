from datetime import date

import pytest
from hypothesis import given, strategies as st

from planwatch.periods import Period, PeriodError


@pytest.mark.parametrize("code,kind,end,zh", [
    ("2021", "year", date(2021, 12, 31), "2021年"),
    ("2021H1", "half", date(2021, 6, 30), "2021年上半年"),
    ("2021Q3", "quarter", date(2021, 9, 30), "2021年第3季度"),
    ("2021-10", "month", date(2021, 10, 31), "2021年10月"),
    ("2024-02", "month", date(2024, 2, 29), "2024年2月"),
])
def test_parse(code, kind, end, zh):
    p = Period.parse(code)
    assert (p.kind, p.end, p.zh_name, p.code) == (kind, end, zh, code)


@pytest.mark.parametrize("code", ["2021H3", "2021Q0", "2021-13", "21H1", "上半年", ""])
def test_bad_codes_say_what_is_wrong(code):
    with pytest.raises(PeriodError):
        Period.parse(code)


@given(st.integers(1950, 2150), st.sampled_from([("year", 1), ("half", 2), ("quarter", 4), ("month", 12)]), st.data())
def test_code_round_trips(year, kind_limit, data):
    kind, limit = kind_limit
    number = data.draw(st.integers(1, limit))
    p = Period(year, kind, number)
    assert Period.parse(p.code) == p
    assert p.start <= p.end
