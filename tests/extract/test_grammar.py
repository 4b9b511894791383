"""The fact grammar on sentences written in the genre of plan execution reports and bulletins."""
import pytest

from planwatch.extract import extract_facts


def facts(text):
    out = extract_facts(text)
    for f in out:
        assert text[f.start:f.end] == f.quote
    return out


def one(text, quote):
    found = [f for f in facts(text) if f.quote == quote]
    assert len(found) == 1, [f.quote for f in facts(text)]
    return found[0]


def quotes(text):
    return [f.quote for f in facts(text)]


def test_level_with_yoy_and_progress_carried_over_clauses():
    text = "上半年,全区税收收入实现88.6亿元,同比增长7.2%,完成进度51.3%;非税收入12.4亿元。"
    f = one(text, "88.6亿元")
    assert (f.subject, f.value, f.unit, f.yoy_pct, f.progress_pct) == ("税收收入", 88.6, "亿元", 7.2, 51.3)
    g = one(text, "12.4亿元")
    assert g.subject == "非税收入" and g.yoy_pct is None and g.progress_pct is None
    assert len(facts(text)) == 2  # the percentages are qualifiers, not facts of their own


def test_bulletin_progress_phrasings():
    for cue in ("占年计划的", "完成全年目标的", "完成年度计划的", "已完成市级下达任务的"):
        text = f"全区完成固定资产投资64.2亿元,同比增长3.1%,{cue}48.0%。"
        f = one(text, "64.2亿元")
        assert f.subject == "固定资产投资" and f.progress_pct == 48.0 and f.yoy_pct == 3.1


def test_decreases_are_negative_yoy_and_slowing_growth_is_positive():
    assert one("规模以上工业总产值210.5亿元,同比下降4.2%。", "210.5亿元").yoy_pct == -4.2
    assert one("批发零售业销售额减少3%的同时,餐饮收入9.8亿元,减少2.5%。", "9.8亿元").yoy_pct == -2.5
    f = one("1-12月,社会消费品零售总额增速回落至1.5%。", "1.5%")
    assert (f.subject, f.value, f.yoy_pct) == ("社会消费品零售总额", 1.5, 1.5)
    f = one("限额以上企业营业收入降幅收窄至2.0%。", "2.0%")
    assert (f.subject, f.value, f.yoy_pct) == ("限额以上企业营业收入", 2.0, -2.0)


def test_growth_rate_without_a_level_is_its_own_fact():
    text = "全区居民人均可支配收入同比增长6.4%。地区生产总值下降1.5%。"
    f = one(text, "6.4%")
    assert (f.subject, f.value, f.unit, f.yoy_pct) == ("居民人均可支配收入", 6.4, "%", 6.4)
    f = one(text, "1.5%")
    assert (f.subject, f.value, f.yoy_pct) == ("地区生产总值", 1.5, -1.5)


def test_other_comparison_bases_are_left_out():
    text = "软件和信息服务业收入320亿元,同比增长8%,比2019年同期增长15.2%,两年平均增长7.3%,增速较一季度收窄1.2个百分点。"
    assert quotes(text) == ["320亿元"]
    assert one(text, "320亿元").yoy_pct == 8


def test_share_of_a_total_is_a_value_fact():
    text = "第三产业增加值1288.3亿元,占地区生产总值的91.2%。"
    f = one(text, "91.2%")
    assert f.unit == "%" and f.value == 91.2 and "地区生产总值" in f.subject and f.progress_pct is None
    assert one(text, "1288.3亿元").progress_pct is None


def test_chinese_numerals_and_measure_words():
    text = "全年完成三十六项民生实事,帮扶一千二百户困难家庭,出台两个配套文件。"
    assert [(f.value, f.unit) for f in facts(text)] == [(36, "项"), (1200, "户"), (2, "个")]
    assert one(text, "一千二百户").subject == "困难家庭"


def test_full_width_digits_and_punctuation_keep_offsets():
    text = "全区常住人口约７０．９万人，城镇登记失业率为１．２％。"
    f = one(text, "约７０．９万人")
    assert (f.value, f.unit, f.approx, f.subject) == (70.9, "万人", True, "常住人口")
    f = one(text, "１．２％")
    assert (f.value, f.unit, f.subject) == (1.2, "%", "城镇登记失业率")


@pytest.mark.parametrize("text,quote,value,unit", [
    ("拆除违法建设近4.1万平方米。", "近4.1万平方米", 4.1, "万平方米"),
    ("开展宣传活动20余场。", "20余场", 20, "场"),
    ("服务群众2.5万余人次。", "2.5万余人次", 2.5, "万人次"),
    ("接待游客80余万人次。", "80余万人次", 80, "万人次"),
    ("覆盖居民3000户左右。", "3000户左右", 3000, "户"),
    ("新增绿地超过12公顷。", "超过12公顷", 12, "公顷"),
    ("培训人员500人以上。", "500人以上", 500, "人"),
    ("恢复到疫情前的7成左右。", "7成左右", 7, "成"),
])
def test_hedges_mark_approximate_numbers(text, quote, value, unit):
    f = one(text, quote)
    assert (f.value, f.unit, f.approx) == (value, unit, True)


def test_at_least_is_a_hedge_but_an_estimate_is_not():
    assert one("全年至少完成120户个案帮扶。", "120户").approx is True
    assert one("预计全年完成投资50亿元。", "50亿元").approx is False


def test_ranges():
    f = one("每个街道新建3至5个社区养老驿站。", "3至5个")
    assert (f.value, f.value_high, f.unit, f.approx, f.subject) == (3, 5, "个", True, "社区养老驿站")


def test_magnitudes_and_compound_units():
    text = "园区地均产出达到180亿元/平方公里,PM2.5年均浓度为35微克/立方米,总投资1.2万亿元。"
    assert [(f.value, f.unit) for f in facts(text)] == [(180, "亿元/平方公里"), (35, "微克/立方米"), (1.2, "万亿元")]


@pytest.mark.parametrize("text", [
    "2021年是“十四五”开局之年,二〇三五年远景目标纲要正式发布。",
    "截至6月底,11月底前完成,1-12月数据,三季度调度。",
    "位居全市第三,第十一届运动会,首个试点落地。",
    "落实“1+5+N”政策体系和4.0版改革,推进“3个100”工程。",
    "光明里12号院和东四十条8号完成改造。",
    "扎实做好“六稳”“六保”工作,抓好两个“关键小事”,服务18岁以上人群。",
    "开展三年行动计划,举办60小时不打烊活动,实施二期工程,做好二次回访。",
    "对投诉量前50名的小区开展治理,总结前两批经验,建设5G网络和P2P监测平台。",
])
def test_exclusions_dates_ordinals_names_slogans(text):
    assert quotes(text) == []


def test_bare_count_before_a_quoted_name_or_big():
    text = "组织120“惠民夜市”活动,推进12大专项行动。"
    assert [(f.value, f.unit) for f in facts(text)] == [(120, ""), (12, "")]


def test_web_clutter_is_ignored():
    text = ("首页 > 政务公开 > 规划计划\n字号:大 中 小\n发布日期:2022-07-28 09:30 来源:区发展改革委\n"
            "上半年,全区实现地区生产总值1234.5亿元,同比增长6.0%。\n扫一扫在手机上打开页面\n")
    assert quotes(text) == ["1234.5亿元"]
    assert one(text, "1234.5亿元").subject == "地区生产总值"


def test_measure_word_subject_is_the_noun_after_it():
    text = "在全区率先建成12个社区服务驿站,推动26项专项规划陆续报审,为800家企业做好上门服务。"
    assert one(text, "12个").subject == "社区服务驿站"
    assert one(text, "26项").subject == "专项规划"
    assert "企业" in one(text, "800家").subject


def test_subject_carries_over_a_bare_verb():
    text = "发放稳岗补贴资金2150.6万元,惠及1.8万人次。"
    f = one(text, "1.8万人次")
    assert "稳岗补贴资金" in f.subject and "惠及" in f.subject


def test_percentage_points_after_a_change_verb_are_comparisons():
    assert quotes("城镇登记失业率为1.3%,比上年同期下降0.2个百分点。") == ["1.3%"]


def test_offsets_shift_with_offset_argument():
    text = "完成投资12亿元。"
    f = extract_facts(text, offset=100)[0]
    assert (f.start, f.end) == (104, 108) and f.quote == "12亿元"
