"""A planner's morning in a real browser: dashboard, review of a new report, the dashboard again,
the indicator page, data entry and the report download. Each step saves a screenshot."""
import re

import pytest

pytestmark = pytest.mark.browser

PLAN = "/plans/dongcheng-2021/"


def card_number(page, code: str) -> str:
    return page.locator(f'.card[data-indicator="{code}"] .num').inner_text().strip()


def test_1_dashboard_shows_headline_numbers_and_a_warning(page, demo_server, output_dir):
    base = demo_server[0]
    page.goto(base + PLAN + "?period=2021H1")
    assert card_number(page, "revenue") == "105.7"
    assert card_number(page, "gdp") == "1499.7"
    warnings = page.locator(".item.red, .item.yellow")
    assert warnings.count() >= 1
    assert warnings.first.locator(".why").inner_text().strip()
    page.screenshot(path=str(output_dir / "1-dashboard.png"), full_page=True)
    # the level filter redraws the board through htmx without leaving the page
    page.select_option("select[name=level]", "red")
    page.wait_for_function("() => [...document.querySelectorAll('#board .item')].every(e => e.dataset.level === 'red')")
    assert page.locator("#board .item").count() >= 1
    page.screenshot(path=str(output_dir / "1b-dashboard-red.png"), full_page=True)


def test_2_review_accepts_an_extracted_fact(page, demo_server, output_dir, tmp_path):
    base = demo_server[0]
    report = tmp_path / "区财政局上半年收入快报.txt"
    report.write_text("上半年,全区完成区级一般公共预算收入107.3亿元,同比增长9.6%。", encoding="utf-8")
    page.goto(base + "/documents/")
    page.select_option("select[name=plan]", "dongcheng-2021")
    page.fill("input[name=period]", "2021H1")
    page.set_input_files("input[name=file]", str(report))
    page.click("button.primary")
    page.wait_for_url(re.compile(r".*/documents/\d+/$"))
    mark = page.locator("mark.fact", has_text="107.3亿元")
    assert mark.count() == 1
    proposal = page.locator('.proposal[data-status="proposed"]', has_text="区级一般公共预算收入")
    assert proposal.locator("input[name=value]").input_value() == "107.3"
    page.screenshot(path=str(output_dir / "2-review.png"), full_page=True)
    proposal.locator("button", has_text="采纳").click()
    page.wait_for_selector('.proposal[data-status="accepted"]')
    page.screenshot(path=str(output_dir / "2b-review-accepted.png"), full_page=True)


def test_3_dashboard_shows_the_accepted_value(page, demo_server, output_dir):
    base = demo_server[0]
    page.goto(base + PLAN + "?period=2021H1")
    assert card_number(page, "revenue") == "107.3"
    page.screenshot(path=str(output_dir / "3-dashboard-after-review.png"), full_page=True)


def test_4_indicator_page_draws_its_chart_and_provenance(page, demo_server, output_dir):
    base = demo_server[0]
    page.goto(base + PLAN + "?period=2021H1")
    page.click('.card[data-indicator="revenue"]')
    page.wait_for_selector("#series-chart canvas")
    link = page.locator("#series a.prov.doc").first
    assert "107.3" in link.inner_text()
    page.screenshot(path=str(output_dir / "4-indicator.png"), full_page=True)


def test_5_data_entry_saves_a_row(page, demo_server, output_dir):
    base = demo_server[0]
    page.goto(base + PLAN + "entry/?period=2021Q3&org=110101")
    row = page.locator('form.entry-row[data-indicator="fai"]')
    row.locator("input[name$='-value']").fill("170.2")
    row.locator("button.primary").click()
    page.wait_for_selector('form.entry-row.saved[data-indicator="fai"]')
    bad = page.locator('form.entry-row[data-indicator="pm25"]')
    bad.locator("button.primary").click()
    page.wait_for_selector('form.entry-row[data-indicator="pm25"] .errors')
    assert "请至少填写一个数" in page.locator('form.entry-row[data-indicator="pm25"] .errors').inner_text()
    page.screenshot(path=str(output_dir / "5-entry.png"), full_page=True)


def test_6_report_download(page, demo_server, output_dir):
    base = demo_server[0]
    page.goto(base + PLAN + "?period=2021H1")
    with page.expect_download() as info:
        page.click("a:text-is('Word')")
    target = output_dir / "report-2021H1.docx"
    info.value.save_as(str(target))
    assert target.read_bytes()[:2] == b"PK"
    with page.expect_download() as info:
        page.click("a:text-is('Markdown')")
    md = output_dir / "report-2021H1.md"
    info.value.save_as(str(md))
    assert "107.3" in md.read_text(encoding="utf-8")
    page.screenshot(path=str(output_dir / "6-download.png"), full_page=True)


def test_7_tablet_and_english(browser, demo_server, output_dir):
    base, user, password = demo_server
    context = browser.new_context(viewport={"width": 820, "height": 1180}, locale="zh-CN")
    tab = context.new_page()
    tab.goto(base + "/accounts/login/")
    tab.fill("input[name=username]", user)
    tab.fill("input[name=password]", password)
    tab.click("button[type=submit]")
    tab.goto(base + PLAN + "?period=2021H1")
    with tab.expect_navigation():
        tab.click("header button[name=language]")
    assert tab.evaluate("document.documentElement.lang") == "en", tab.content()[:500]
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 820  # nothing sticks out sideways on a tablet
    tab.screenshot(path=str(output_dir / "7-tablet-en.png"), full_page=True)
    context.close()
