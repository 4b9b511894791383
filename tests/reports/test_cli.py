"""``planwatch report`` writes each format and says what is wrong when it cannot."""
from __future__ import annotations

import io

import pytest
from click.testing import CliRunner


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["docx", "html", "md"])
def test_report_command_writes_the_file(demo, tmp_path, fmt):
    from planwatch.cli import main

    out = tmp_path / f"r.{fmt}"
    result = CliRunner().invoke(main, ["report", "--plan", "dongcheng-2021", "--period", "2021H1", "--format", fmt,
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    if fmt == "docx":
        from docx import Document

        assert Document(io.BytesIO(out.read_bytes())).paragraphs[0].text.startswith("关于东城区2021年")
    elif fmt == "html":
        html = out.read_text(encoding="utf-8")
        assert "data:image/png;base64," in html and "http://" not in html and "https://" not in html
        assert 'href="#src-1"' in html and 'id="src-1"' in html
    else:
        md = out.read_text(encoding="utf-8")
        charts = sorted((tmp_path / "r_charts").glob("*.png"))
        assert charts and all(f"r_charts/{c.name}" in md for c in charts)


@pytest.mark.django_db
def test_report_command_reports_unknown_plan(demo):
    from planwatch.cli import main

    result = CliRunner().invoke(main, ["report", "--plan", "nope", "--period", "2021H1", "-o", "-", "--format", "md"])
    assert result.exit_code != 0 and "nope" in result.output
