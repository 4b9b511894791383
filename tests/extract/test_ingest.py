"""Ingesting a report: document, facts with spans, proposals for review, idempotence, the demo."""
import pytest
from click.testing import CliRunner

from planwatch.data.actions import SYSTEM, record_value
from planwatch.data.models import AuditEntry, DataValue, Document, Fact, Status, TaskProgress
from planwatch.extract.commands import COMMANDS, ingest
from planwatch.extract.ingest import ingest_document
from planwatch.extract.reader import DocumentError
from planwatch.plans import demo
from planwatch.plans.models import Indicator, OrgUnit, Plan
from planwatch.plans.planfile import load_plan_file

# Written for these tests in the style of a district bulletin (not taken from any report).
REPORT = (
    "上半年,全区地区生产总值实现1388.2亿元,同比增长8.3%。"
    "区级一般公共预算收入97.4亿元,同比增长6.2%,完成进度52.8%。"
    "社会消费品零售总额同比增长12.6%。"
    "申请式退租完成420户。新设立市场主体2150户。"
    "6月当月,区级一般公共预算收入实现18.3亿元。"
)

# The demo's first-half figures as the old values file listed them: the bulletin must give each.
DEMO_VALUES = [
    ("gdp", 1499.7, 11.5, None), ("revenue", 105.7, 9.1, 55.5), ("fai", 114.5, 14.1, 51.1),
    ("retail", 619.6, 21.5, None), ("energy-intensity", 4.94, None, None), ("income", 45157, 9.5, None),
    ("fdi", 5.9, 120, 93.6), ("zgc-revenue", 1442, 29.7, None), ("tax-sources", 8.05, None, None),
    ("pm25", 42, None, None), ("illegal-demolition", 3.7, None, 73.7),
    ("decongestion-population", 9435, None, 54.73), ("online-services", 78.45, None, None),
    ("unemployment", 1.7, None, None), ("food-sampling", 99.29, None, None), ("drug-sampling", 100, None, None),
]
# (task, quantity done, percent) where the bulletin states them.
DEMO_TASKS = [
    ("special-rectification", 10, None), ("winter-olympics-environment", 95, None),
    ("application-based-relocation", 690, None), ("parking-reform", 68, 68), ("dongdan-sports-centre", None, 85),
    ("weekend-stage", 48, None),
]


@pytest.fixture
def plan(db):
    return load_plan_file(demo.plan_file()).plan


@pytest.fixture
def report_path(tmp_path):
    p = tmp_path / "通报.txt"
    p.write_text(REPORT, encoding="gb18030")
    return p


def counts():
    return (Document.objects.count(), Fact.objects.count(), DataValue.objects.count(),
            TaskProgress.objects.count(), AuditEntry.objects.count())


def test_stores_document_and_facts_with_spans(plan, report_path):
    report = ingest_document(report_path, plan, "2021H1")
    doc = Document.objects.get()
    assert report.created and doc.encoding == "gb18030" and doc.text == REPORT
    assert (doc.plan, doc.period.code, doc.size) == (plan, "2021H1", report_path.stat().st_size)
    facts = list(doc.facts.all())
    assert len(facts) == report.facts >= 5
    for f in facts:
        assert doc.text[f.start:f.end] == f.quote
    gdp = doc.facts.get(quote="1388.2亿元")
    assert (gdp.indicator.code, gdp.yoy_pct, gdp.confidence) == ("gdp", 8.3, 1.0)
    assert doc.facts.get(quote="420户").task.code == "application-based-relocation"
    other = doc.facts.get(quote="2150户")
    assert other.indicator is None and other.task is None and other.confidence < 0.5
    entry = AuditEntry.objects.get(action="document.ingest")
    assert entry.new["facts"] == len(facts) and entry.object_id == str(doc.pk)


def test_proposals_wait_beside_the_current_value(plan, report_path):
    district = OrgUnit.objects.get(code="110101")
    gdp = Indicator.objects.get(code="gdp")
    current = record_value(gdp, district, "2021H1", value=1400.0, yoy_pct=8.0, status=Status.APPROVED)
    report = ingest_document(report_path, plan, "2021H1")
    proposal = DataValue.objects.get(indicator=gdp, status=Status.PROPOSED)
    assert (proposal.value, proposal.yoy_pct, proposal.source) == (1388.2, 8.3, "extracted")
    assert proposal.fact.quote == "1388.2亿元" and proposal.org_unit == district
    current.refresh_from_db()
    assert (current.value, current.status) == (1400.0, Status.APPROVED)
    assert report.accepted == []
    assert TaskProgress.objects.get(task__code="application-based-relocation").status == Status.PROPOSED


def test_growth_rate_alone_proposes_yoy_only(plan, report_path):
    ingest_document(report_path, plan, "2021H1")
    retail = DataValue.objects.get(indicator__code="retail")
    assert (retail.value, retail.yoy_pct, retail.status) == (None, 12.6, Status.PROPOSED)
    assert Fact.objects.get(pk=retail.fact_id).value == 12.6  # the stored fact keeps what the text says


def test_one_proposal_per_indicator(plan, report_path):
    report = ingest_document(report_path, plan, "2021H1")
    assert Fact.objects.filter(indicator__code="revenue").count() == 2
    proposals = DataValue.objects.filter(indicator__code="revenue")
    assert proposals.count() == 1 and proposals.get().value == 97.4  # equally sure: the first in the text
    assert [(f.quote, better.quote) for f, better in report.superseded] == [("18.3亿元", "97.4亿元")]
    assert any("18.3亿元" in line for line in report.lines())
    # every matched fact is either proposed or named as superseded
    assert report.matched == len(report.proposals) + len(report.superseded) + len(report.goals)


def test_a_task_goal_restated_is_not_progress(plan, tmp_path):
    # 1200户 is the task's target: said of the year ahead it is the goal, said as done it is progress
    p = tmp_path / "r.txt"
    p.write_text("申请式退租已完成800户。下半年,确保完成申请式退租1200户。百姓周末大舞台演出已完成100场。",
                 encoding="utf-8")
    report = ingest_document(p, plan, "2021H1")
    assert [f.quote for f in report.goals] == ["1200户"]
    assert Fact.objects.get(quote="1200户").task.code == "application-based-relocation"  # the match is kept
    rent = TaskProgress.objects.get(task__code="application-based-relocation")
    assert rent.quantity_done == 800 and rent.fact.quote == "800户"
    assert TaskProgress.objects.get(task__code="weekend-stage").quantity_done == 100
    assert any("重申任务目标" in line for line in report.lines())


def test_accept_confident_accepts_sure_matches(plan, report_path):
    report = ingest_document(report_path, plan, "2021H1", accept_confident=0.9)
    revenue = DataValue.objects.exclude(status__in=[Status.PROPOSED, Status.ACCEPTED]).get(indicator__code="revenue")
    assert (revenue.value, revenue.yoy_pct, revenue.progress_pct, revenue.status) == (97.4, 6.2, 52.8, Status.SUBMITTED)
    assert DataValue.objects.get(indicator__code="revenue", status=Status.ACCEPTED).fact == revenue.fact
    assert len(report.accepted) == len(report.proposals)
    assert not DataValue.objects.filter(status=Status.PROPOSED).exists()


def test_accept_threshold_leaves_unsure_matches_proposed(plan, tmp_path):
    p = tmp_path / "r.txt"
    p.write_text("东单体育中心工程进度达到70%。地区生产总值1300亿元。", encoding="utf-8")
    ingest_document(p, plan, "2021H1", accept_confident=0.95)
    assert TaskProgress.objects.get(task__code="dongdan-sports-centre").status == Status.PROPOSED
    assert DataValue.objects.filter(indicator__code="gdp", status=Status.SUBMITTED).exists()


def test_reingest_changes_nothing(plan, report_path, tmp_path):
    ingest_document(report_path, plan, "2021H1", accept_confident=0.9)
    before = counts()
    copy = tmp_path / "copy.txt"
    copy.write_bytes(report_path.read_bytes())
    report = ingest_document(copy, plan, "2021H1", accept_confident=0.9)
    assert not report.created and report.document.name == "通报.txt"
    assert counts() == before
    assert "未做任何改动" in report.lines()[0]


@pytest.mark.parametrize("name,data,reason", [("empty.txt", b"", "empty"), ("report.xls", b"abc", "unknown document type")])
def test_unreadable_file_writes_nothing(plan, tmp_path, name, data, reason):
    p = tmp_path / name
    p.write_bytes(data)
    before = counts()
    with pytest.raises(DocumentError) as e:
        ingest_document(p, plan, "2021H1")
    assert name in str(e.value) and reason in str(e.value)
    assert counts() == before


def test_cli_ingest(plan, report_path):
    assert ingest in COMMANDS
    r = CliRunner().invoke(ingest, [str(report_path), "--plan", plan.code, "--period", "2021H1", "--accept-confident", "0.9"])
    assert r.exit_code == 0, r.output
    assert "自动采纳" in r.output and "通报.txt" in r.output
    assert DataValue.objects.filter(indicator__code="gdp", status=Status.SUBMITTED).get().value == 1388.2
    r = CliRunner().invoke(ingest, [str(report_path), "--plan", plan.code, "--period", "2021H1"])
    assert r.exit_code == 0 and "未做任何改动" in r.output


def test_cli_ingest_errors(plan, tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    r = CliRunner().invoke(ingest, [str(p), "--plan", plan.code, "--period", "2021H1"])
    assert r.exit_code == 1 and "empty.txt" in r.output
    r = CliRunner().invoke(ingest, [str(p), "--plan", "nowhere", "--period", "2021H1"])
    assert r.exit_code == 1 and "nowhere" in r.output
    r = CliRunner().invoke(ingest, [str(p), "--plan", plan.code, "--period", "2021X9"])
    assert r.exit_code == 1 and "2021X9" in r.output


def test_demo_bulletin_gives_every_first_half_figure(plan):
    n = demo.load_demo_values()
    assert n == len(DEMO_VALUES) + len(DEMO_TASKS)
    for code, value, yoy, progress in DEMO_VALUES:
        row = DataValue.objects.exclude(status__in=[Status.PROPOSED, Status.ACCEPTED, Status.REJECTED]).get(
            indicator__code=code, period__code="2021H1", org_unit__code="110101")
        assert (row.value, row.yoy_pct, row.progress_pct, row.status) == (value, yoy, progress, Status.APPROVED), code
        assert row.document.name == demo.bulletin_file().name
    for code, done, percent in DEMO_TASKS:
        row = TaskProgress.objects.exclude(status__in=[Status.PROPOSED, Status.ACCEPTED, Status.REJECTED]).get(
            task__code=code, period__code="2021H1")
        assert (row.quantity_done, row.percent, row.status) == (done, percent, Status.APPROVED), code
    # the bulletin's figures outside the plan stay unmatched
    doc = Document.objects.get()
    unmatched = doc.facts.filter(indicator=None, task=None)
    assert unmatched.exists() and all(f.confidence < 0.5 for f in unmatched)
    assert 600 <= len(doc.text) <= 1200
    before = counts()
    assert demo.load_demo_values() == 0
    assert counts() == before
    assert Plan.objects.count() == 1
