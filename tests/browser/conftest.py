"""A real server and a real browser: the demo loaded into a temporary PLANWATCH_HOME, served by
gunicorn on a random loopback port, driven by Playwright through Debian's chromium (headless).

Without chromium or playwright these tests skip, unless PLANWATCH_REQUIRE_BROWSER=1 (CI) makes
the absence a failure. Screenshots go to $PLANWATCH_TEST_OUTPUT/browser (default test-output/).
"""
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("PLANWATCH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]


def _need_browser():
    missing = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "the playwright package is not installed"
    if missing is None and not shutil.which(CHROMIUM):
        missing = f"{CHROMIUM} is not installed"
    if missing:
        if os.environ.get("PLANWATCH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"PLANWATCH_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def output_dir() -> Path:
    out = Path(os.environ.get("PLANWATCH_TEST_OUTPUT", ROOT / "test-output")) / "browser"
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """(base url, admin user, password) of a gunicorn serving the demo on 127.0.0.1."""
    _need_browser()
    home = tmp_path_factory.mktemp("planwatch-home")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(PLANWATCH_HOME=str(home), PYTHONPATH=str(ROOT))
    cli = [sys.executable, "-m", "planwatch.cli"]
    subprocess.run([*cli, "demo", "--no-serve"], env=env, check=True, cwd=ROOT, capture_output=True, timeout=300)
    password = (home / "demo-admin-password").read_text().strip()
    port = _free_port()
    log = open(home / "server.log", "wb")
    server = subprocess.Popen([*cli, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
                              env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"server exited: {(home / 'server.log').read_text(errors='replace')}")
            time.sleep(0.3)
    else:
        server.terminate()
        raise RuntimeError("server did not start within 60 s")
    yield f"http://127.0.0.1:{port}", "admin", password
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(scope="session")
def browser(demo_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def page(browser, demo_server):
    """One logged-in tab shared by the tests of a run, in the order a planner works."""
    base, user, password = demo_server
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True,
                                  locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(20000)
    tab.goto(base + "/accounts/login/")
    tab.fill("input[name=username]", user)
    tab.fill("input[name=password]", password)
    tab.click("button[type=submit]")
    tab.wait_for_url(base + "/")
    yield tab
    context.close()
