"""Drafting the report from rows and verdicts: the standard structure of an execution report.

    关于{单位}{年}年国民经济和社会发展计划{上半年}执行情况的报告
    一、{上半年}计划执行情况     headline paragraph, charts, one subsection per plan area
    二、需要关注的主要问题       red and yellow items with their gaps, by area
    三、{下半年}工作安排         open tasks with targets and deadlines, by area

Figures are written as the report writes them (decimals as entered, the indicator's unit,
同比增长/同比下降), and each is a ``Num`` naming its source. A planner's text goes where it was
entered for: the part, the area or the task.
"""
from __future__ import annotations

from planwatch.assess.model import LEVEL_ZH, RULE_ZH, Result
from planwatch.periods import Period
from planwatch.reports.assessment import Assessment
from planwatch.reports.figures import fixed, growth_word, pct_decimals
from planwatch.reports.model import Chart, Num, Paragraph, Report, Section, Source, Table, Text, runs
from planwatch.reports.rows import IndicatorRow, ReportData, TaskRow
from planwatch.reports.text import paragraphs

CN_NUMERALS = "一二三四五六七八九十"
SCOPE = {"country": "全国", "province": "全省", "city": "全市", "district": "全区", "subdistrict": "全街道",
         "community": "全社区"}
LEVEL_ORDER = {"red": 0, "yellow": 1}


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 21 → 二十一 (section numbers)."""
    if n <= 10:
        return CN_NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (CN_NUMERALS[tens - 1] if tens > 1 else "") + "十" + (CN_NUMERALS[ones - 1] if ones else "")


def sub_heading(n: int, text: str) -> str:
    return f"({cn_number(n)}){text}"


def remaining_label(period: Period) -> str:
    """How a report names the time left in the year after this period: 下半年, 第四季度."""
    m = period.last_month
    if m == 6:
        return "下半年"
    if m == 9:
        return "第四季度"
    if m == 3:
        return "后三个季度"
    if m == 12:
        return f"{period.year + 1}年"
    return f"{m + 1}-12月"


def title_of(org_name: str, year: int, period: Period) -> str:
    ytd = period.ytd_label
    span = "" if ytd == "全年" else ytd
    return f"关于{org_name}{year}年国民经济和社会发展计划{span}执行情况的报告"


def verb_of(row: IndicatorRow) -> str:
    """实现 for totals that add up (GDP, revenue), 达到 for rates, averages and per-head figures."""
    return "实现" if row.kind == "flow" and row.aggregation == "sum" else "达到"



def narrative_paragraphs(narratives) -> list[Paragraph]:
    """A planner's narratives as report paragraphs, each linked to the narrative it came from."""
    return [Paragraph(runs(x), source=n.source_id) for n in narratives for x in paragraphs(n.text)]

class Composer:
    def __init__(self, data: ReportData, assessment: Assessment, charts: bool = True):
        self.data = data
        self.a = assessment
        self.charts = charts
        self.period = Period.parse(data.period_code)
        self.ytd = self.period.ytd_label
        self.sources: dict[str, Source] = dict(data.sources)
        self.warnings: list[str] = []
        self.areas = {a.code: a for a in data.areas}

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    # numbers ------------------------------------------------------------------------------
    def value_num(self, row: IndicatorRow) -> Num:
        return Num(fixed(row.value.value, row.shown_decimals), row.value.source_id)

    def yoy_runs(self, yoy: float, source: str, prefix: str = "同比") -> list:
        return runs(growth_word(yoy, prefix), Num(fixed(abs(yoy), pct_decimals(yoy)), source), "%")

    def time_source(self) -> str:
        sid = "calc-time"
        if sid not in self.sources:
            basis = "日" if self.a.thresholds.day_based else "月"
            tp = self.any_time_progress()
            self.sources[sid] = Source(sid, "时间进度", (
                f"按{basis}计:{self.period.zh_name}截至{self.period.end.isoformat()},时间进度为全年的{fixed(tp, 1)}%",
                "有自身完成时限的任务按“年初至时限”计算时间进度(planwatch 评估引擎)"))
        return sid

    def any_time_progress(self) -> float:
        for r in self.a.indicators.values():
            return r.time_progress_pct
        from planwatch.assess.timeprogress import time_progress_pct

        return time_progress_pct(self.period, self.data.year, self.a.thresholds.basis)

    def progress_num(self, result: Result, row_label: str, value_sid: str | None, target_sid: str | None) -> Num | None:
        """Completion progress: as reported when the report stated it, else as the engine computed it."""
        if result is None or result.progress_pct is None:
            return None
        if result.reported_progress is not None:
            # the figure as the department stated it; a disagreement with the computed one is the
            # engine's finding and goes to the planner as a warning, not silently into the text
            if result.progress_mismatch:
                self.warn(f"“{row_label}”报告完成进度{fixed(result.reported_progress, pct_decimals(result.reported_progress))}%"
                          f"与按目标计算的{fixed(result.progress_pct, 1)}%不一致,请核实")
            return Num(fixed(result.reported_progress, pct_decimals(result.reported_progress)), value_sid)
        sid = f"calc-progress-{result.item_type}-{result.code}"
        if sid not in self.sources:
            basis = [self.sources[s].label for s in (value_sid, target_sid) if s and s in self.sources]
            self.sources[sid] = Source(sid, f"{row_label} 完成进度(计算)", (
                "完成进度 = 本期完成数 ÷ 年度目标 × 100(planwatch 评估引擎)",
                *(["依据:" + ";".join(basis)] if basis else [])))
        return Num(fixed(result.progress_pct, 1), sid)

    def level_source(self, result: Result) -> str:
        sid = f"calc-level-{result.item_type}-{result.code}"
        if sid not in self.sources:
            th = self.a.thresholds
            self.sources[sid] = Source(sid, f"{result.name} 预警判定", (
                f"规则:{RULE_ZH.get(result.rule, result.rule)};结果:{LEVEL_ZH[result.level]}",
                f"依据:{result.explanation}",
                f"阈值:低于时间进度{fixed(th.yellow_band, 1)}个百分点以内为黄色;限值类超出{fixed(th.limit_band_pct, 1)}%以内为黄色"))
        return sid

    # part 一 --------------------------------------------------------------------------------
    def headline_paragraph(self) -> Paragraph | None:
        clauses = []
        for row in self.data.indicators:
            if not row.headline:
                continue
            clause = self.indicator_clause(row, with_progress=True)
            if clause:
                clauses.append(clause)
            else:
                self.warn(f"主要指标“{row.name}”缺少{self.ytd}数据,未写入开篇段落")
        if not clauses:
            return None
        scope = SCOPE.get(self.data.org_level, "")
        out = runs(f"{self.ytd},{scope}")
        for i, c in enumerate(clauses):
            if i:
                out.append(Text(";"))
            out.extend(c)
        out.append(Text("。"))
        return Paragraph(out)

    def indicator_clause(self, row: IndicatorRow, with_progress: bool) -> list:
        v = row.value
        if v is None:
            return []
        out = runs(row.name)
        parts = []
        if v.value is not None:
            out += runs(verb_of(row), self.value_num(row), row.unit)
        if v.yoy_pct is not None:
            parts.append(self.yoy_runs(v.yoy_pct, v.source_id))
        result = self.a.indicators.get(row.code)
        if with_progress and row.kind == "flow" and result is not None:
            num = self.progress_num(result, row.name, v.source_id, row.target_source)
            if num is not None:
                parts.append(runs("完成进度", num, "%"))
        if v.value is None and not parts:
            return []
        for i, p in enumerate(parts):
            if i or v.value is not None:
                out.append(Text(","))
            out.extend(p)
        return out

    def indicator_table(self, rows: list[IndicatorRow], caption: str) -> Table:
        header = ["指标", "单位", f"{self.ytd}完成", "同比(%)", "年度目标", "完成进度(%)", "时间进度(%)", "预警"]
        body, levels = [], []
        tsid = self.time_source()
        for row in rows:
            r = self.a.indicators.get(row.code)
            v = row.value
            cells = [runs(row.name + ("(约束性)" if row.binding else "")), runs(row.unit)]
            cells.append([self.value_num(row)] if v is not None and v.value is not None else runs("—"))
            if v is not None and v.yoy_pct is not None:
                cells.append([Num(fixed(v.yoy_pct, pct_decimals(v.yoy_pct)), v.source_id)])
            else:
                cells.append(runs("—"))
            target = []
            if row.target is not None:
                target += [Num(fixed(row.target, None), row.target_source)]
            if row.target_growth is not None:
                target += runs("," if target else "", "增长", Num(fixed(row.target_growth, None), row.target_source), "%")
            cells.append(target or runs("—"))
            prog = self.progress_num(r, row.name, v.source_id if v else None, row.target_source) \
                if r is not None and row.kind == "flow" else None
            cells.append([prog] if prog else runs("—"))
            uses_time = r is not None and r.rule == "time_progress"
            cells.append([Num(fixed(r.time_progress_pct, 1), tsid)] if uses_time else runs("—"))
            cells.append(runs(LEVEL_ZH[r.level] if r else "—"))
            body.append(cells)
            levels.append(r.level if r else None)
        return Table(caption, header, body, levels)

    def task_table(self, tasks: list[TaskRow], caption: str) -> Table:
        header = ["重点任务", "年度目标", f"{self.ytd}完成", "完成进度(%)", "时间进度(%)", "时限", "预警"]
        body, levels = [], []
        tsid = self.time_source()
        for t in tasks:
            r = self.a.tasks.get(t.code)
            goal = runs(Num(fixed(t.target_quantity, None), t.plan_source), t.unit) if t.target_quantity is not None else runs("—")
            done = runs(Num(fixed(t.quantity_done, None), t.progress_source), t.unit) if t.quantity_done is not None else runs("—")
            prog = self.progress_num(r, t.title, t.progress_source, t.plan_source) if r else None
            cells = [runs(t.title), goal, done, [prog] if prog else runs("—"),
                     [Num(fixed(r.time_progress_pct, 1), tsid)] if r else runs("—"),
                     runs(t.deadline_text or (t.deadline.isoformat() if t.deadline else "—")),
                     runs(LEVEL_ZH[r.level] if r else "—")]
            body.append(cells)
            levels.append(r.level if r else None)
        return Table(caption, header, body, levels)

    def task_paragraph(self, t: TaskRow) -> Paragraph:
        out = [Text(t.title + "。", bold=True)]
        texts = paragraphs(t.narrative)
        for narrative in self.data.narratives_for("execution", task=t.code):
            texts += paragraphs(narrative.text)
        for x in texts:
            out.append(Text(x if x.endswith(("。", "!", "?", "!", "?", ";")) else x + "。"))
        r = self.a.tasks.get(t.code)
        facts = []
        if t.quantity_done is not None:
            facts.append(runs(f"{self.ytd}完成", Num(fixed(t.quantity_done, None), t.progress_source), t.unit))
        if t.target_quantity is not None:
            facts.append(runs("年度目标", Num(fixed(t.target_quantity, None), t.plan_source), t.unit))
        prog = self.progress_num(r, t.title, t.progress_source, t.plan_source) if r else None
        if prog is not None:
            facts.append(runs("完成进度", prog, "%"))
        if t.progress_source is None:
            facts.append(runs("暂无进展数据"))
        if facts:
            out.append(Text("("))
            for i, f in enumerate(facts):
                if i:
                    out.append(Text(","))
                out.extend(f)
            out.append(Text(")"))
        return Paragraph(out, source=t.progress_source)

    def charts_for_headline(self) -> list[Chart]:
        from planwatch.reports import charts

        out = []
        heads = [r for r in self.data.indicators if r.headline and r.value is not None]
        bars = []
        for row in heads:
            r = self.a.indicators.get(row.code)
            if r is not None and row.kind == "flow" and r.progress_pct is not None:
                num = self.progress_num(r, row.name, row.value.source_id, row.target_source)
                bars.append(charts.Bar(row.name, r.progress_pct, r.level, text=num.text))
        if bars:
            tp = self.any_time_progress()
            out.append(Chart("headline-progress", "主要指标完成进度与时间进度",
                             charts.progress_chart("主要指标完成进度与时间进度", bars, tp),
                             "主要指标完成进度与时间进度对比:" + ";".join(f"{b.label}{b.text}%" for b in bars)
                             + f";时间进度{fixed(tp, 1)}%"))
        growth = [charts.Bar(row.name, row.value.yoy_pct, text=fixed(row.value.yoy_pct, pct_decimals(row.value.yoy_pct)))
                  for row in heads if row.value.yoy_pct is not None]
        if growth:
            out.append(Chart("headline-growth", "主要指标同比增速", charts.growth_chart("主要指标同比增速(%)", growth),
                             "主要指标同比增速:" + ";".join(f"{b.label}{b.text}%" for b in growth)))
        return out

    def task_chart(self) -> Chart | None:
        from planwatch.reports import charts

        bars = []
        for t in self.data.tasks:
            r = self.a.tasks.get(t.code)
            if r is None or r.progress_pct is None:
                continue
            num = self.progress_num(r, t.title, t.progress_source, t.plan_source)
            bars.append(charts.Bar(t.title, r.progress_pct, r.level, marker=r.time_progress_pct, text=num.text))
        if not bars:
            return None
        tp = self.any_time_progress()
        return Chart("task-progress", "重点任务完成进度与时间进度",
                     charts.progress_chart("重点任务完成进度与时间进度", bars, tp),
                     "重点任务完成进度:" + ";".join(f"{b.label}{b.text}%" for b in bars)
                     + f";时间进度{fixed(tp, 1)}%(有自身时限的任务以短竖线标出其时间进度)")

    def ranking_chart(self, row: IndicatorRow) -> Chart | None:
        """Peers ranked where they exist: the children of the report's org unit, two or more."""
        from planwatch.reports import charts

        if len(row.children) < 2:
            return None
        measure = "yoy_pct" if all(v.value is None for v in row.children) else "value"
        ranked = [x for x in self.a.ranking(row.code, measure) if x.rank is not None]
        if len(ranked) < 2:
            return None
        results = {r.org_unit: r for r in self.a.children.get(row.code, [])}
        bars = []
        decimals = {v.org_code: (v.decimals if v.decimals is not None else row.decimals) for v in row.children}
        for x in ranked:
            d = decimals.get(x.org_unit) if measure == "value" else pct_decimals(x.measure_value)
            bars.append(charts.Bar(f"{x.rank}. {x.org_unit_name}", x.measure_value,
                                   results[x.org_unit].level if x.org_unit in results else None,
                                   text=fixed(x.measure_value, d)))
        unit = row.unit if measure == "value" else "%"
        what = f"{row.name}{'' if measure == 'value' else '同比增速'}"
        avg = sum(b.value for b in bars) / len(bars)
        return Chart(f"rank-{row.code}", f"{what}排名", charts.ranking_chart(f"{what}排名", bars, unit, row.direction, avg),
                     f"{what}排名:" + ";".join(f"{b.label}{b.text}{unit}" for b in bars))

    def area_section(self, n: int, code: str | None, name: str) -> Section:
        sec = Section(sub_heading(n, name), 2)
        sec.blocks.extend(narrative_paragraphs(self.data.narratives_for("execution", area=code)))
        inds = [r for r in self.data.indicators if r.area == code]
        clauses = [c for c in (self.indicator_clause(r, with_progress=True) for r in inds if not r.headline) if c]
        if clauses:
            out = runs(f"{self.ytd},")
            for i, c in enumerate(clauses):
                if i:
                    out.append(Text(";"))
                out.extend(c)
            out.append(Text("。"))
            sec.blocks.append(Paragraph(out))
        for r in inds:
            if r.value is not None and r.value.note:
                sec.blocks.append(Paragraph(runs(f"{r.name}:", *paragraphs(r.value.note)), source=r.value.source_id))
        if inds:
            sec.blocks.append(self.indicator_table(inds, f"{name}指标完成情况"))
        if self.charts:
            for r in inds:
                chart = self.ranking_chart(r)
                if chart:
                    sec.blocks.append(chart)
        tasks = [t for t in self.data.tasks if t.area == code]
        for t in tasks:
            sec.blocks.append(self.task_paragraph(t))
        if tasks:
            sec.blocks.append(self.task_table(tasks, f"{name}重点任务进展"))
        return sec

    def area_keys(self) -> list[tuple[str | None, str]]:
        keys = [(a.code, a.name) for a in sorted(self.data.areas, key=lambda a: (a.order, a.code))]
        used = {r.area for r in self.data.indicators} | {t.area for t in self.data.tasks}
        keys = [(c, n) for c, n in keys if c in used or self.data.narratives_for("execution", area=c)]
        if None in used:
            keys.append((None, "其他指标和任务"))
        return keys

    def part_one(self, number: int) -> list[Section]:
        head = "计划执行情况" if self.ytd != "全年" else f"{self.data.year}年计划执行情况"
        top = Section(f"{cn_number(number)}、{self.ytd if self.ytd != '全年' else ''}{head}", 1)
        top.blocks.extend(narrative_paragraphs(self.data.narratives_for("execution")))
        headline = self.headline_paragraph()
        if headline:
            top.blocks.append(headline)
        heads = [r for r in self.data.indicators if r.headline]
        if heads:
            top.blocks.append(self.indicator_table(heads, "主要指标完成情况"))
        if self.charts:
            top.blocks.extend(self.charts_for_headline())
            chart = self.task_chart()
            if chart:
                top.blocks.append(chart)
        out = [top]
        for i, (code, name) in enumerate(self.area_keys(), 1):
            out.append(self.area_section(i, code, name))
        return out

    # part 二 --------------------------------------------------------------------------------
    def issue_items(self, code: str | None) -> list[Paragraph]:
        found: list[tuple[int, int, Paragraph]] = []
        for i, row in enumerate(r for r in self.data.indicators if r.area == code):
            res = self.a.indicators.get(row.code)
            if res is None:
                continue
            if res.level in LEVEL_ORDER or (res.level == "missing" and row.binding):
                tag = {"red": "红色预警", "yellow": "黄色预警"}.get(res.level, "缺数")
                p = Paragraph(runs(Text(f"{row.name}({tag}):", bold=True), res.explanation + "。"),
                              source=self.level_source(res), style="list")
                found.append((LEVEL_ORDER.get(res.level, 2), i, p))
        for i, t in enumerate(t for t in self.data.tasks if t.area == code):
            res = self.a.tasks.get(t.code)
            if res is None or res.level not in LEVEL_ORDER:
                continue
            tag = "红色预警" if res.level == "red" else "黄色预警"
            p = Paragraph(runs(Text(f"{t.title}({tag}):", bold=True), res.explanation + "。"),
                          source=self.level_source(res), style="list")
            found.append((LEVEL_ORDER[res.level], 1000 + i, p))
        return [p for *_, p in sorted(found, key=lambda x: (x[0], x[1]))]

    def part_two(self, number: int) -> list[Section]:
        top = Section(f"{cn_number(number)}、需要关注的主要问题", 1)
        top.blocks.extend(narrative_paragraphs(self.data.narratives_for("issues")))
        out = [top]
        n = 0
        for code, name in self.area_keys():
            items = self.issue_items(code)
            texts = self.data.narratives_for("issues", area=code)
            if not items and not texts:
                continue
            n += 1
            sec = Section(sub_heading(n, name), 2)
            sec.blocks.extend(narrative_paragraphs(texts))
            sec.blocks.extend(items)
            out.append(sec)
        if n == 0:
            top.blocks.append(Paragraph(runs(f"截至{self.ytd}末,各项指标和重点任务均未出现红色、黄色预警。")))
        return out

    # part 三 --------------------------------------------------------------------------------
    def is_open(self, t: TaskRow) -> bool:
        r = self.a.tasks.get(t.code)
        return r is None or r.progress_pct is None or r.progress_pct < 100.0

    def next_item(self, t: TaskRow) -> Paragraph:
        out = [Text(t.title + ":", bold=True), Text(t.text.rstrip("。") if t.text else t.title)]
        if t.target_quantity is not None:
            out += runs(",年度目标", Num(fixed(t.target_quantity, None), t.plan_source), t.unit)
        if t.quantity_done is not None:
            out += runs(f",{self.ytd}已完成", Num(fixed(t.quantity_done, None), t.progress_source), t.unit)
        if t.deadline_text or t.deadline:
            out.append(Text(f",{t.deadline_text or t.deadline.isoformat()}完成"))
        out.append(Text("。"))
        if t.departments:
            out.append(Text(f"(责任单位:{'、'.join(t.departments)})"))
        for narrative in self.data.narratives_for("next", task=t.code):
            out += [Text(x) for x in paragraphs(narrative.text)]
        return Paragraph(out, source=t.plan_source, style="list")

    def part_three(self, number: int) -> list[Section]:
        top = Section(f"{cn_number(number)}、{remaining_label(self.period)}工作安排", 1)
        top.blocks.extend(narrative_paragraphs(self.data.narratives_for("next")))
        out = [top]
        n = 0
        for code, name in self.area_keys():
            tasks = [t for t in self.data.tasks if t.area == code and self.is_open(t)]
            texts = self.data.narratives_for("next", area=code)
            if not tasks and not texts:
                continue
            n += 1
            sec = Section(sub_heading(n, name), 2)
            sec.blocks.extend(narrative_paragraphs(texts))
            sec.blocks.extend(self.next_item(t) for t in tasks)
            out.append(sec)
        return out

    def compose(self) -> Report:
        sections = self.part_one(1) + self.part_two(2) + self.part_three(3)
        report = Report(title_of(self.data.org_name, self.data.year, self.period), self.data.org_name,
                        self.data.period_code, sections, [], approved_only=self.data.approved_only,
                        warnings=self.warnings)
        report.sources = self.used_sources(report)
        return report

    def used_sources(self, report: Report) -> list[Source]:
        """The sources actually cited, in the order they are first cited."""
        order: list[str] = []
        seen = set()

        def cite(sid):
            if sid and sid not in seen:
                seen.add(sid)
                order.append(sid)

        for section in report.sections:
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    for r in block.runs:
                        if isinstance(r, Num):
                            cite(r.source)
                    cite(block.source)
                elif isinstance(block, Table):
                    for row in block.rows:
                        for cell in row:
                            for r in cell:
                                if isinstance(r, Num):
                                    cite(r.source)
        missing = [s for s in order if s not in self.sources]
        if missing:
            raise KeyError(f"report cites unknown sources {missing}")
        return [self.sources[s] for s in order]


def compose(data: ReportData, assessment: Assessment, charts: bool = True) -> Report:
    return Composer(data, assessment, charts).compose()
