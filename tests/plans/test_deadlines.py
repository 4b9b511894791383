from datetime import date

import pytest

from planwatch.plans.deadlines import DeadlineError, parse_deadline


@pytest.mark.parametrize("text,expected", [
    ("年底前", date(2021, 12, 31)), ("11月底前", date(2021, 11, 30)), ("十一月底前", date(2021, 11, 30)),
    ("三季度末", date(2021, 9, 30)), ("上半年", date(2021, 6, 30)), ("2021-11-30", date(2021, 11, 30)),
    ("2021年9月底前", date(2021, 9, 30)), ("年内", date(2021, 12, 31)), ("2月", date(2021, 2, 28)),
])
def test_deadline_phrases(text, expected):
    assert parse_deadline(text, 2021) == expected


@pytest.mark.parametrize("text", ["尽快", "13月底前", "2022-01-31", ""])
def test_bad_deadlines(text):
    with pytest.raises(DeadlineError):
        parse_deadline(text, 2021)
