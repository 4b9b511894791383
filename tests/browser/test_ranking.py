"""The 街道 ranking in a real browser: the chart draws, and switching the measure re-ranks the table."""
import pytest

pytestmark = pytest.mark.browser

PLAN = "/plans/dongcheng-2021/"


def test_8_subdistrict_ranking_by_growth(page, demo_server, output_dir):
    base = demo_server[0]
    page.goto(base + PLAN + "indicators/revenue/?period=2021H1")
    page.wait_for_selector("#breakdown-chart canvas")
    assert page.locator("#ranking tbody tr").first.locator("td").nth(1).inner_text() == "建国门街道"
    with page.expect_navigation():
        page.click("#breakdown a.measure[data-measure=yoy_pct]")
    assert page.locator("#ranking").get_attribute("data-measure") == "yoy_pct"
    first = page.locator("#ranking tbody tr").first
    assert first.locator("td").nth(1).inner_text() == "前门街道" and first.locator("td.by").inner_text() == "21.7%"
    page.screenshot(path=str(output_dir / "8-ranking-by-growth.png"), full_page=True)
