"""Passwords, brute force, production settings, uploads and spreadsheet cells."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from planwatch.accounts.safety import check_upload, spreadsheet_safe, spreadsheet_safe_row

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_passwords_are_hashed_with_argon2():
    user = get_user_model().objects.create_user("hash", password="correct horse battery")
    assert user.password.startswith("argon2$")


@pytest.mark.django_db
def test_brute_force_logins_are_locked_out(client):
    get_user_model().objects.create_superuser("boss", "", "the-right-password-1")
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(limit):
        r = client.post("/admin/login/?next=/admin/", {"username": "boss", "password": f"guess-{attempt}"})
        assert r.status_code in (200, 429)
    r = client.post("/admin/login/?next=/admin/", {"username": "boss", "password": "the-right-password-1"})
    assert r.status_code == 429  # even the right password is refused while locked out
    assert "_auth_user_id" not in client.session
    # another account from the same address is not punished for the guesses
    get_user_model().objects.create_superuser("other", "", "another-password-2")
    r = client.post("/admin/login/?next=/admin/", {"username": "other", "password": "another-password-2"})
    assert r.status_code == 302 and client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_a_correct_login_resets_the_failure_count(client):
    get_user_model().objects.create_superuser("boss", "", "the-right-password-1")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/admin/login/", {"username": "boss", "password": "wrong"})
    assert client.post("/admin/login/", {"username": "boss", "password": "the-right-password-1"}).status_code == 302
    client.logout()
    client.post("/admin/login/", {"username": "boss", "password": "wrong"})
    assert client.post("/admin/login/", {"username": "boss", "password": "the-right-password-1"}).status_code == 302


@pytest.mark.django_db
def test_forms_require_csrf():
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    get_user_model().objects.create_superuser("boss", "", "the-right-password-1")
    r = strict.post("/admin/login/", {"username": "boss", "password": "the-right-password-1"})
    assert r.status_code == 403


def _check_deploy(env_extra: dict, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "PLANWATCH_INSECURE_HTTP", "PLANWATCH_SECURE"}}
    env.update({"DJANGO_SETTINGS_MODULE": "planwatch.settings", "PLANWATCH_HOME": str(tmp_path),
                "SECRET_KEY": secrets.token_urlsafe(60), **env_extra})
    return subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def test_production_settings_pass_check_deploy(tmp_path):
    result = _check_deploy({"ALLOWED_HOSTS": "planwatch.example.gov.cn", "DEBUG": "0"}, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_insecure_http_override_is_visible_to_check_deploy(tmp_path):
    result = _check_deploy({"ALLOWED_HOSTS": "planwatch.example.gov.cn", "DEBUG": "0",
                            "PLANWATCH_INSECURE_HTTP": "1"}, tmp_path)
    assert result.returncode != 0 and "SESSION_COOKIE_SECURE" in result.stdout + result.stderr


def test_no_secret_in_the_repository():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    assert not [p for p in tracked if Path(p).name in {"secret_key", "demo-admin-password", ".env"}]
    settings_text = (REPO / "planwatch" / "settings.py").read_text()
    assert "SECRET_KEY = secret_key()" in settings_text  # read from the environment or the data home


@pytest.mark.parametrize("text, safe", [
    ("=SUM(A1:A9)", "'=SUM(A1:A9)"), ("+1", "'+1"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("＝1+1", "'＝1+1"),
    ("完成投资105.7亿元", "完成投资105.7亿元"), ("", ""), ("a=b", "a=b"),
])
def test_spreadsheet_safe_text(text, safe):
    assert spreadsheet_safe(text) == safe


def test_spreadsheet_safe_leaves_numbers_alone():
    assert spreadsheet_safe_row([-3.2, 0, None, True, "-3.2"]) == [-3.2, 0, None, True, "'-3.2"]


def test_spreadsheet_safe_cells_stay_text_in_openpyxl(tmp_path):
    from openpyxl import Workbook, load_workbook

    wb = Workbook()
    wb.active.append(spreadsheet_safe_row(["=HYPERLINK(\"http://x\")", "区财政局", 5.5]))
    wb.save(tmp_path / "x.xlsx")
    cells = [c for c in load_workbook(tmp_path / "x.xlsx").active[1]]
    assert cells[0].data_type == "s" and cells[0].value.startswith("'=")
    assert cells[2].value == 5.5


def test_upload_limits_and_types():
    xlsx = SimpleUploadedFile("数据.xlsx", b"PK\x03\x04" + b"\x00" * 100)
    assert check_upload(xlsx, ["xlsx", "csv"]) == "xlsx"
    assert check_upload(SimpleUploadedFile("报告.txt", "上半年完成投资。".encode("gb18030")), ["txt"]) == "txt"
    with pytest.raises(ValidationError, match="类型不受支持"):
        check_upload(SimpleUploadedFile("run.exe", b"MZ"), ["xlsx", "txt"])
    with pytest.raises(ValidationError, match="扩展名与内容不符"):
        check_upload(SimpleUploadedFile("fake.xlsx", b"<html>"), ["xlsx"])
    with pytest.raises(ValidationError, match="超过上限"):
        check_upload(SimpleUploadedFile("big.csv", b"a,b\n" * 1000), ["csv"], max_bytes=100)
    with pytest.raises(ValidationError, match="不是文本"):
        check_upload(SimpleUploadedFile("bin.txt", b"\x00\x01\x02abc"), ["txt"])


def test_upload_size_settings():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024
