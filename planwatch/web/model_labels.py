"""Model labels the pages show, marked so ``makemessages`` keeps their English translations.

The models declare their choice labels in plain Chinese (Chinese is the source language), and
the templates translate the displayed label at run time (``{% translate value.get_status_display %}``).
``gettext_noop`` only marks the strings for extraction; it does not translate anything here.
tests/web/test_i18n.py checks that this list still covers every label the models declare.
"""
from django.utils.translation import gettext_noop

STATUS = [
    gettext_noop("待审核(抽取)"), gettext_noop("草稿"), gettext_noop("已报送"), gettext_noop("已审核"),
    gettext_noop("已退回"), gettext_noop("已驳回"), gettext_noop("已采纳"),
]
SOURCE = [gettext_noop("填报"), gettext_noop("导入"), gettext_noop("文档抽取")]
INDICATOR_KIND = [gettext_noop("累计量"), gettext_noop("水平值")]
BINDING = [gettext_noop("约束性"), gettext_noop("预期性")]
# planwatch.data.calendar: what a reporter owes and where its reporting stands
OWED = [gettext_noop("未填报"), gettext_noop("已报齐"), gettext_noop("逾期"), gettext_noop("未到期")]
LEVEL = [gettext_noop("红"), gettext_noop("黄"), gettext_noop("绿"), gettext_noop("缺数")]
