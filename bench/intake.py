"""Report intake throughput and latency, on SQLite and on PostgreSQL, against a baseline in the same run.

    scripts/bench                 # both databases (starts a throwaway PostgreSQL on 127.0.0.1)
    scripts/bench --db sqlite

Baseline ("health"): GET /health/ on the same server with the same concurrency. It runs the
same middleware and one database query, so the ratio intake/health shows what accepting a
report costs on top of serving any request, independent of the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cop.reports.tests.crash_run import Server, prepare_database, server_env  # noqa: E402


def measure(url: str, requests: int, clients: int, make: object) -> dict[str, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    failures = 0

    def one(number: int) -> None:
        nonlocal failures
        client = local.client
        started = time.perf_counter()
        response = make(client, url, number)  # type: ignore[operator]
        elapsed = time.perf_counter() - started
        with lock:
            if response.status_code in (200, 201):
                latencies.append(elapsed)
            else:
                failures += 1

    local = threading.local()

    def init() -> None:
        local.client = httpx.Client(timeout=30)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients, initializer=init) as pool:
        list(pool.map(one, range(requests)))
    wall = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": requests,
        "failures": failures,
        "throughput_per_s": len(latencies) / wall,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000,
    }


def submit(client: httpx.Client, url: str, number: int) -> httpx.Response:
    body = {
        "country": "KE", "reporter_age": "adult", "where_seen": "website",
        "urls": [f"https://example.org/bench/{number}"], "description": "benchmark report",
        "contact": {"email": "bench@example.org"},
    }  # fmt: skip
    return client.post(f"{url}/api/v1/reports", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})


def health(client: httpx.Client, url: str, number: int) -> httpx.Response:
    return client.get(f"{url}/health/")


def bench(database: str, requests: int, clients: int, workers: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="cop-bench-") as folder:
        url = None
        if database == "postgresql":
            url = (
                subprocess.run(  # noqa: S603 - our own script, fixed arguments
                    [str(ROOT / "scripts" / "postgres"), "start"], capture_output=True, text=True, check=True
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            import psycopg

            name = f"cop_bench_{uuid.uuid4().hex[:8]}"
            admin = url.replace("postgres://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'CREATE DATABASE "{name}"')
            url = url.rsplit("/", 1)[0] + "/" + name
        env = server_env(url, Path(folder))
        prepare_database(env)
        server = Server(env, workers=workers)
        server.start()
        try:
            measure(server.url, 50, clients, health)  # warm-up
            baseline = measure(server.url, requests, clients, health)
            intake = measure(server.url, requests, clients, submit)
        finally:
            server.stop()
            if database == "postgresql" and url:
                with psycopg.connect(admin, autocommit=True) as connection:
                    connection.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    return {
        "database": database,
        "workers": workers,
        "clients": clients,
        "baseline_health": baseline,
        "intake": intake,
        "intake_over_baseline_throughput": intake["throughput_per_s"] / baseline["throughput_per_s"],
        "intake_over_baseline_p99": intake["p99_ms"] / baseline["p99_ms"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = [bench(db, args.requests, args.clients, args.workers) for db in databases]
    print(f"{'database':<11}{'what':<9}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'failed':>8}")
    for result in results:
        for label, key in (("health", "baseline_health"), ("intake", "intake")):
            row = result[key]
            assert isinstance(row, dict)
            print(
                f"{result['database']:<11}{label:<9}{row['throughput_per_s']:>9.0f}{row['p50_ms']:>9.1f}"
                f"{row['p99_ms']:>9.1f}{row['failures']:>8}"
            )
        throughput, p99 = result["intake_over_baseline_throughput"], result["intake_over_baseline_p99"]
        print(f"{result['database']:<11}ratio    intake/health throughput {throughput:.2f}, p99 {p99:.2f}")
    output = ROOT / "bench" / "results" / "intake.json"
    output.parent.mkdir(exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Written to {output.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
