"""planwatch template / import / export as an operator runs them."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from planwatch.cli import main
from planwatch.data.models import DataValue

from .conftest import Filled


@pytest.fixture
def run(plan):
    def _run(*args):
        return CliRunner().invoke(main, [str(a) for a in args])
    return _run


def test_template_fill_import_export(run, tmp_path):
    out = tmp_path / "czj.xlsx"
    result = run("template", "--plan", "dongcheng-2021", "--period", "2021H1", "--department", "dc-czj", "-o", out)
    assert result.exit_code == 0, result.output
    assert "区财政局" in result.output and "共 2 项" in result.output
    f = Filled(out)
    f.set("revenue", "I", "105.7亿元")
    f.save()
    check = run("import", out, "--check")
    assert check.exit_code == 0 and "检查通过(未写入)" in check.output and not DataValue.objects.exists()
    result = run("import", out)
    assert result.exit_code == 0, result.output
    assert "新增 1" in result.output
    result = run("export", "--plan", "dongcheng-2021", "--format", "dhis2-json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["dataValues"] == [
        {"dataElement": "revenue", "period": "2021S1", "orgUnit": "110101", "value": "105.7"}]


def test_import_errors_exit_nonzero_and_list_cells(run, tmp_path):
    out = tmp_path / "t.xlsx"
    run("template", "--plan", "dongcheng-2021", "--period", "2021H1", "-o", out)
    f = Filled(out)
    ref = f.set("gdp", "I", "12,3亿")
    f.save()
    result = run("import", out)
    assert result.exit_code == 1
    assert f"[填报表] {ref}: '12,3亿' 不是数字" in result.output and "未写入任何数据" in result.output
    assert not DataValue.objects.exists()


def test_import_as_unknown_user_is_a_usage_error(run, tmp_path):
    out = tmp_path / "t.xlsx"
    run("template", "--plan", "dongcheng-2021", "--period", "2021H1", "-o", out)
    result = run("import", out, "--user", "nobody")
    assert result.exit_code == 2 and "用户 nobody 不存在" in result.output


def test_template_usage_errors(run, tmp_path):
    out = tmp_path / "t.xlsx"
    assert "计划 nope 不存在" in run("template", "--plan", "nope", "--period", "2021H1", "-o", out).output
    assert "只能选一个" in run("template", "--plan", "dongcheng-2021", "--period", "2021H1", "--department", "dc-czj",
                               "--org-unit", "110101001", "-o", out).output
    assert "责任部门'dc-xx'不存在" in run("template", "--plan", "dongcheng-2021", "--period", "2021H1",
                                          "--department", "dc-xx", "-o", out).output
    assert not out.exists()


def test_export_xlsx_needs_output(run, tmp_path):
    assert run("export", "--plan", "dongcheng-2021", "--format", "xlsx").exit_code == 2
    out = tmp_path / "pivot.xlsx"
    assert run("export", "--plan", "dongcheng-2021", "--format", "xlsx", "-o", out).exit_code == 0
    assert out.read_bytes()[:4] == b"PK\x03\x04"
