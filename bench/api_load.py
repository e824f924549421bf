"""API load under gunicorn with production settings: the caseload API, a bare DRF view with the
same authentication, and the caseload page, side by side, for each way of handling database
connections. Prints figures; not a test.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eb_hapi \\
        nice -n 10 .venv/bin/python bench/api_load.py --persons 20000

The population is bench/egenkontroll.py's generator (generated when the database has fewer
persons than --persons; the rules are run once so the caseload has open flags). Then, for each
mode in --modes (none: a new connection per request; age: CONN_MAX_AGE with health checks; pool:
psycopg's pool), it starts gunicorn (--workers processes x --threads threads, gthread) with
bench/api_load_settings.py and runs --clients client threads (keep-alive http.client) against
  bare      GET /bench/bare/            token (knox), no data
  caseload  GET /api/v1/caseload/       token, one coordinator's first page (50 persons)
  page      GET /mina-personer/         session, the coordinator's whole caseload as HTML
in --rounds rounds of --seconds each per target, interleaved so that a change in the machine's
load hits all three alike, each followed by one client alone for half as long (what a request
costs without queueing: `one_client_p50_ms`). Each client is one of --coordinators coordinators. The last line is one
JSON object: the figures for --report-mode (the production default) and every mode's figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.api_load_settings"

import django  # noqa: E402

import config  # noqa: E402, F401 - first, as gunicorn's config.wsgi does: its Celery app reads the settings

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from knox.models import AuthToken  # noqa: E402

from cases.models import Applicant, Role, Staff  # noqa: E402

TARGETS = {
    "bare": ("/bench/bare/", "token"),
    "caseload": ("/api/v1/caseload/", "token"),
    "page": ("/mina-personer/", "session"),
}
MODES = {
    "none": {"DATABASE_CONN_MAX_AGE": "0", "DATABASE_POOL": "0"},
    "age": {"DATABASE_CONN_MAX_AGE": "300", "DATABASE_POOL": "0"},
    "pool": {"DATABASE_POOL": "1"},
}


def ensure_population(persons: int, seed: int) -> None:
    call_command("migrate", verbosity=0)
    have = Applicant.objects.count()
    if have >= persons:
        print(f"population: {have} persons (reused)")
        return
    from audit.control import engine
    from bench import egenkontroll

    started = time.perf_counter()
    with transaction.atomic():
        egenkontroll.generate(persons - have, seed)
    engine.rules_sync()
    egenkontroll.run_all(timezone.localdate(), engine.DEFAULT_CHUNK_SIZE)
    print(f"generated {persons - have} persons and ran the rules in {time.perf_counter() - started:.0f} s")


def credentials(n: int) -> list[dict]:
    """The n coordinators with the most open assignments: a token and a session each."""
    today = timezone.localdate()
    open_now = Q(coordinator_assignments__start_date__lte=today) & (
        Q(coordinator_assignments__end_date__isnull=True) | Q(coordinator_assignments__end_date__gte=today))
    coordinators = list(Staff.objects.filter(role=Role.COORDINATOR, is_active=True)
                        .annotate(n=Count("coordinator_assignments", filter=open_now)).order_by("-n", "pk")[:n])
    out = []
    for user in coordinators:
        _, token = AuthToken.objects.create(user=user)
        client = Client()
        client.force_login(user)
        out.append({"user": user.pk, "persons": user.n, "token": token,
                    "session": client.cookies[settings.SESSION_COOKIE_NAME].value})
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(mode: str, port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, **MODES[mode], "DJANGO_SETTINGS_MODULE": "bench.api_load_settings",
           "DATABASE_POOL_MAX_SIZE": str(threads), "DATABASE_POOL_MIN_SIZE": str(min(2, threads))}
    cmd = [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
           "--keep-alive", "5", "--graceful-timeout", "10", "--log-level", "warning", "--chdir", str(ROOT)]
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/login/")
            if conn.getresponse().status < 500:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def headers_for(cred: dict, auth: str) -> dict:
    if auth == "token":
        return {"Authorization": f"Token {cred['token']}", "Host": "localhost"}
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cred['session']}", "Host": "localhost"}


def load(port: int, path: str, auth: str, creds: list[dict], clients: int, seconds: float) -> dict:
    """`clients` threads, each on its own keep-alive connection, for `seconds`."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop = time.perf_counter() + seconds

    def client(i: int) -> None:
        headers = headers_for(creds[i % len(creds)], auth)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            if ok:
                latencies[i].append(time.perf_counter() - started)
            else:
                errors[i] += 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"latencies": [x for per in latencies for x in per], "errors": sum(errors), "seconds": elapsed}


def summary(runs: list[dict]) -> dict:
    lat = sorted(x for r in runs for x in r["latencies"])
    seconds = sum(r["seconds"] for r in runs)
    if not lat:
        return {"requests": 0, "errors": sum(r["errors"] for r in runs), "rps": 0.0, "p50_ms": None, "p95_ms": None}
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [lat[0]] * 99
    return {"requests": len(lat), "errors": sum(r["errors"] for r in runs), "rps": round(len(lat) / seconds, 1),
            "p50_ms": round(q[49] * 1000, 1), "p95_ms": round(q[94] * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--modes", default="none,age,pool")
    parser.add_argument("--report-mode", default="age", help="The mode whose figures lead the JSON line.")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--coordinators", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Point DATABASE_URL at a PostgreSQL scratch database.")

    ensure_population(args.persons, args.seed)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics for what the generator and the rules wrote
    creds = credentials(args.coordinators)
    caseload_sizes = [c["persons"] for c in creds]
    print(f"{Applicant.objects.count()} persons; {len(creds)} coordinators with {min(caseload_sizes)}-"
          f"{max(caseload_sizes)} persons each; {args.clients} clients; gunicorn {args.workers} workers x "
          f"{args.threads} threads; {args.rounds} x {args.seconds:.0f} s per target; load {os.getloadavg()[0]:.2f}")
    results: dict[str, dict] = {}
    for mode in args.modes.split(","):
        port = free_port()
        proc = start_gunicorn(mode, port, args.workers, args.threads)
        try:
            for path, auth in TARGETS.values():  # warm-up: imports, connections, caches
                load(port, path, auth, creds, args.clients, 1.0)
            runs: dict[str, list] = {name: [] for name in TARGETS}
            serial: dict[str, list] = {name: [] for name in TARGETS}
            for _ in range(args.rounds):
                for name, (path, auth) in TARGETS.items():
                    runs[name].append(load(port, path, auth, creds, args.clients, args.seconds))
                    # One client alone: what a request costs without queueing behind the others.
                    serial[name].append(load(port, path, auth, creds, 1, args.seconds / 2))
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:  # requests still in flight on a loaded machine
                proc.kill()
                proc.wait()
        results[mode] = {name: summary(r) for name, r in runs.items()}
        for name, r in serial.items():
            results[mode][name]["one_client_p50_ms"] = summary(r)["p50_ms"]
        print(f"{mode}: {json.dumps(results[mode])} (load {os.getloadavg()[0]:.2f})", flush=True)
        results[mode]["ratio"] = round(results[mode]["caseload"]["rps"] / results[mode]["bare"]["rps"], 2) \
            if results[mode]["bare"]["rps"] else None

    print(f"\n{'mode':<6}{'target':<10}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}{'1 client p50':>14}")
    for mode, figures in results.items():
        for name in TARGETS:
            f = figures[name]
            print(f"{mode:<6}{name:<10}{f['rps']:>8}{f['p50_ms']!s:>9}{f['p95_ms']!s:>9}{f['errors']:>8}"
                  f"{f['one_client_p50_ms']!s:>14}")
        print(f"{mode:<6}caseload/bare requests/s: {figures['ratio']}")
    lead = results.get(args.report_mode) or next(iter(results.values()))
    print(json.dumps({
        "persons": Applicant.objects.count(), "clients": args.clients, "mode": args.report_mode,
        "caseload_p95_ms": lead["caseload"]["p95_ms"], "caseload_p50_ms": lead["caseload"]["p50_ms"],
        "caseload_rps": lead["caseload"]["rps"], "bare_rps": lead["bare"]["rps"], "bare_p95_ms": lead["bare"]["p95_ms"],
        "ratio": lead["ratio"], "caseload_page_p95_ms": lead["page"]["p95_ms"], "caseload_page_rps": lead["page"]["rps"],
        "modes": results, "load_avg_1m": round(os.getloadavg()[0], 2),
    }))


if __name__ == "__main__":
    main()
