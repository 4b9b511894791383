"""Load test: the dashboard API of one county of the national synthetic plan, served by gunicorn
(2 workers) on PostgreSQL, hit by ``wrk`` with 32 concurrent connections on 127.0.0.1.

    python3 bench/load.py                    # full national dataset (synthesised if absent)
    python3 bench/load.py --units 300        # smaller, for a quick look

The server is ``planwatch serve`` (gunicorn, --workers 2, --threads 4 by default). Prints
requests/s, p50/p95/p99 and the workers' CPU per request of
  GET /api/v1/plans/national-2021/dashboard?period=2021-06&org_unit=<county>
next to a baseline on the same server (GET /api/v1/org-units/<county>: auth + one row, the
framework's floor), their ratios, and the cold first request of a process (the county's peer
group read and assessed). Goal: dashboard p95 < 150 ms at 32 clients. Traffic goes to
127.0.0.1 only; every run is bounded by --seconds.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/planwatch_load"

LUA = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d errors=%d seconds=%.3f rps=%.1f p50=%.2f p95=%.2f p99=%.2f\\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


def ensure_postgres(url: str) -> None:
    if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode != 0:
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True)
        for _ in range(30):
            if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", "5432", "-q"]).returncode == 0:
                break
            time.sleep(1)
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(args) -> tuple[str, str]:
    """Migrate, synthesise the national plan if needed; return (county, a county of another city,
    API token)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from planwatch.api.models import Token
    from planwatch.assess.synth import write_national
    from planwatch.plans.models import OrgUnit

    call_command("migrate", interactive=False, verbosity=0)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM plans_target t JOIN plans_plan p ON p.id = t.plan_id WHERE p.code = %s",
                    [args.plan])
        have = cur.fetchone()[0]
    if have != args.units * args.indicators:
        t0 = time.perf_counter()
        print(write_national(args.plan, args.units, args.indicators, args.months))
        print(f"synth: {time.perf_counter() - t0:.1f} s")
    counties = OrgUnit.objects.filter(level="district", code__startswith="SYN").order_by("code")
    county = counties.first()
    # a county of another city: its first dashboard in a process that has served others
    other = counties.exclude(parent_id=county.parent_id).order_by("-code").first()
    User = get_user_model()
    user = User.objects.filter(username="bench").first() or User.objects.create_superuser("bench", "", None)
    _, raw = Token.objects.issue(user, name="bench/load.py")
    return county.code, other.code, raw


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, token: str) -> tuple[int, float]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=300) as r:
        r.read()
        return r.status, (time.perf_counter() - t0) * 1000


def wrk(url: str, token: str, clients: int, seconds: int, headers: tuple[str, ...] = ()) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(LUA)
    out = subprocess.run(["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s", "-s", fh.name,
                          "-H", f"Authorization: Bearer {token}", *[x for h in headers for x in ("-H", h)], url],
                         capture_output=True, text=True, timeout=seconds + 60)
    os.unlink(fh.name)
    m = re.search(r"RESULT (.*)", out.stdout)
    if not m:
        raise RuntimeError(f"wrk said: {out.stdout}\n{out.stderr}")
    return {k: float(v) for k, v in (kv.split("=") for kv in m.group(1).split())}


def worker_cpu(master: int) -> float:
    """CPU seconds (user + system) used so far by the gunicorn workers under ``master``."""
    total = 0.0
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return 0.0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", default="national-2021")
    parser.add_argument("--units", type=int, default=2850)
    parser.add_argument("--indicators", type=int, default=200)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--period", default="2021-06")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="per worker, as planwatch serve --threads (1: sync)")
    parser.add_argument("--gzip", action="store_true",
                        help="also run the dashboard as a browser asks for it (Accept-Encoding: gzip)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")

    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planwatch.settings")
    os.environ.setdefault("PLANWATCH_HOME", tempfile.mkdtemp(prefix="planwatch-bench-"))
    sys.path.insert(0, str(ROOT))
    ensure_postgres(os.environ["DATABASE_URL"])
    county, other, token = prepare(args)
    print(f"database {os.environ['DATABASE_URL']}, plan {args.plan}: {args.units} counties × "
          f"{args.indicators} indicators × {args.months} months; county {county}, period {args.period}")
    print(f"server: planwatch serve --workers {args.workers} --threads {args.threads}; "
          f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")

    port = free_port()
    log = open(Path(os.environ["PLANWATCH_HOME"]) / "gunicorn.log", "wb")
    # what a deployment runs: planwatch serve (it closes its start-up connection before forking)
    server = subprocess.Popen([sys.executable, "-m", "planwatch.cli", "serve", "--host", "127.0.0.1", "--port",
                               str(port), "--workers", str(args.workers), "--threads", str(args.threads)],
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        # the workers are ready once they have imported the views (planwatch serve logs it)
        for _ in range(240):
            if Path(log.name).read_bytes().count(b"Worker ready") >= args.workers:
                break
            time.sleep(0.5)
        dashboard = f"{base}/plans/{args.plan}/dashboard?period={args.period}&org_unit={{}}"
        floor = f"{base}/org-units/{county}"
        # the first request of a fresh process: the county's peer group read and assessed
        status, cold = get(dashboard.format(county), token)
        assert status == 200, status
        # the other worker's first, and a county of another city in a process that is warm
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(4) as pool:
            others = [ms for _, ms in pool.map(lambda _: get(dashboard.format(county), token), range(8))]
        _, new_county = get(dashboard.format(other), token)
        runs = {}
        plan_runs = [("baseline", floor, max(5, args.seconds // 2), ()),
                     ("dashboard", dashboard.format(county), args.seconds, ())]
        if args.gzip:
            plan_runs.append(("gzip", dashboard.format(county), args.seconds, ("Accept-Encoding: gzip",)))
        for name, url, seconds, headers in plan_runs:
            cpu0 = worker_cpu(server.pid)
            runs[name] = wrk(url, token, args.clients, seconds, headers)
            runs[name]["cpu_ms"] = (worker_cpu(server.pid) - cpu0) * 1000 / max(1, runs[name]["requests"])
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    print(f"cold first request of a process (read + assess the county's peer group): {cold:.0f} ms; "
          f"slowest of the warm-up: {max(others):.0f} ms; first request for a county of another city: "
          f"{new_county:.0f} ms")
    for name, label in (("baseline", "baseline  GET org-units/{code}"), ("dashboard", "dashboard GET plans/…/dashboard"),
                        ("gzip", "dashboard, Accept-Encoding: gzip")):
        if name not in runs:
            continue
        r = runs[name]
        print(f"{label}: {r['rps']:.1f} req/s, p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms, "
              f"server CPU {r['cpu_ms']:.2f} ms/request ({int(r['requests'])} requests, {int(r['errors'])} errors, "
              f"{args.clients} clients)")
    dash_run, base_run = runs["dashboard"], runs["baseline"]
    print(f"ratios: dashboard/baseline p95 {dash_run['p95'] / base_run['p95']:.2f}, "
          f"req/s {dash_run['rps'] / base_run['rps']:.2f}; cold / warm p50 {cold / dash_run['p50']:.1f}")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    verdict = "met" if dash_run["p95"] < 150 and dash_run["errors"] == 0 else "NOT met"
    print(f"goal p95 < 150 ms at {args.clients} clients: {verdict}")


if __name__ == "__main__":
    main()
