"""The Word file converts to PDF with LibreOffice headless, and page 1 carries the title.

Skipped where LibreOffice is not installed; CI sets PLANWATCH_REQUIRE_SOFFICE=1 (after installing
libreoffice-writer and poppler-utils) so that there a missing converter fails instead.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path:
        return path
    if os.environ.get("PLANWATCH_REQUIRE_SOFFICE") == "1":
        pytest.fail(f"PLANWATCH_REQUIRE_SOFFICE=1 but {tool} is not installed")
    pytest.skip(f"{tool} is not installed")


@pytest.mark.django_db
def test_docx_converts_to_pdf_with_the_title_on_page_one(demo, report_of, tmp_path):
    soffice, pdftotext = need("soffice"), need("pdftotext")
    from planwatch.reports.render_docx import render_docx

    report = report_of(charts=True)
    src = tmp_path / "report.docx"
    src.write_bytes(render_docx(report))
    profile = tmp_path / "lo-profile"  # a private profile: no clash with a running LibreOffice
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=240)
    pdf = tmp_path / "report.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 10_000
    page1 = subprocess.run([pdftotext, "-f", "1", "-l", "1", "-enc", "UTF-8", str(pdf), "-"], check=True,
                           capture_output=True, timeout=60).stdout.decode("utf-8")
    flat = re.sub(r"\s+", "", page1)
    assert report.title in flat
    assert "一、上半年计划执行情况" in flat
    from pypdf import PdfReader

    box = PdfReader(str(pdf)).pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
