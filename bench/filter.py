"""The family filter's resolver against dnsmasq, side by side in one run, on the same list and queries.

    scripts/bench filter                  # 1,000,000 list entries, 10 s per query file
    scripts/bench filter --entries 200000 --seconds 5

Baseline: Debian's dnsmasq, given the same list twice over: as `address=/name/#` lines (the
unspecified address, 0.0.0.0 and ::) and as `address=/name/0.0.0.0` lines (A queries only); both
block a name and its subdomains, as ours does, and forward the rest to the same upstream.

Our resolver runs as users run it: `cop run_filter` with statistics on (each worker writes its
counts into a SQLite database, migrated first, every COP_FILTER_STATS_FLUSH_SECONDS) and default
settings but one: response-rate limiting's answers per second per client network is lifted, since
dnsperf is one client asking as fast as it can, which is exactly what the limit is made to stop
(the limiter still runs on every query).

Cores: every server runs pinned to core 0, dnsperf to core 1 and the shared upstream (a second
dnsmasq answering every name) to core 1 too; so one worker is compared with dnsmasq on one core.
Scaling rows: two workers pinned to core 0 (the same core as one worker: more workers must never
be slower), and two workers allowed on cores 0 and 1 (the resolver may use both cores, which it
then shares with dnsperf and the upstream on core 1). `--extra` adds one worker with statistics
off and one without the answer cache.

Each server gets the same four query files: exact blocked names, subdomains of blocked names,
allowed names (forwarded once, then answered from the cache) and a mix of the three.

Reported per server and file: queries per second, CPU seconds per 100,000 queries (user + system
time of the server's processes, from /proc), and the ratio ours/dnsmasq. Start-up is the time from
starting the server to its first answer for a listed name; memory is the proportional set size
(PSS, from /proc/<pid>/smaps_rollup) of all its processes, so pages shared by workers count once,
after start-up and again after the run (the table's pages the queries touched, the caches full).
Names are generated under made-up labels with example-style endings; no real site is listed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import dns.message
import dns.query

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cop.filter import snapshot  # noqa: E402
from cop.filter.categories import CATEGORIES  # noqa: E402
from cop.filter.lists import parse  # noqa: E402
from cop.filter.table import build  # noqa: E402
from cop.filter.tests.upstream import free_port  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "filter.json"
SERVER_CORE = "0"
CLIENT_CORE = "1"
ENDINGS = ["com", "net", "org", "info", "io", "xyz", "online", "site", "co.uk", "com.br"]
WORDS = ["play", "bet", "cdn", "ads", "tube", "chat", "shop", "news", "game", "win", "live", "star"]


def tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not found:
        raise SystemExit(f"{name} is missing: scripts/system-deps installs it")
    return found


def generate(directory: Path, entries: int, queries: int) -> dict[str, Path]:
    rng = random.Random(20261122)
    names = [f"{rng.choice(WORDS)}{i:x}-{rng.choice(WORDS)}.{rng.choice(ENDINGS)}" for i in range(entries)]
    (directory / "list.txt").write_text("\n".join(names) + "\n")
    (directory / "dnsmasq.conf").write_text("".join(f"address=/{name}/#\n" for name in names))
    (directory / "dnsmasq-zero.conf").write_text("".join(f"address=/{name}/0.0.0.0\n" for name in names))
    exact = [f"{rng.choice(names)} A" for _ in range(queries)]
    sub = [f"www.{rng.choice(names)} A" for _ in range(queries)]
    allowed = [f"site{rng.randrange(5000)}.allowed.example A" for _ in range(queries)]
    mix = exact[: queries // 3] + sub[: queries // 3] + allowed[: queries - 2 * (queries // 3)]
    rng.shuffle(mix)
    files = {}
    for label, lines in (("exact", exact), ("subdomains", sub), ("allowed", allowed), ("mix", mix)):
        files[label] = directory / f"queries-{label}.txt"
        files[label].write_text("\n".join(lines) + "\n")
    return files


def compile_ours(directory: Path) -> dict[str, float]:
    """Parse the list as an import does and build the table, as the platform's compiler does."""
    started = time.perf_counter()
    with open(directory / "list.txt") as source:
        parsed = parse(source)
    parsed_at = time.perf_counter()
    order = [category.code for category in CATEGORIES]
    adult = 1 << order.index("adult")
    snapshots = directory / "snapshots"
    snapshots.mkdir()
    count = build(((name, adult) for name in parsed.names), len(parsed.names), snapshots / "table-bench.bin")
    built_at = time.perf_counter()
    snapshot.publish(
        snapshots,
        {"version": 1, "categories": order, "table": "table-bench.bin", "default": {"categories": ["adult"]}},
    )
    return {"entries": count, "parse_seconds": parsed_at - started, "table_seconds": built_at - parsed_at}


def _descendants(pid: int) -> list[int]:
    found = [pid]
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        found += _descendants(int(child))
    return found


def pss_bytes(pid: int) -> int:
    total = 0
    for process in _descendants(pid):
        text = Path(f"/proc/{process}/smaps_rollup").read_text()
        total += int(re.search(r"^Pss:\s+(\d+) kB", text, re.M).group(1)) * 1024  # type: ignore[union-attr]
    return total


def cpu_seconds(pid: int) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for process in _descendants(pid):
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def wait_answering(port: int, name: str, process: subprocess.Popen[bytes], limit: float = 120) -> None:
    query = dns.message.make_query(name, "A")
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited with {process.returncode}")
        try:
            response = dns.query.udp(query, "127.0.0.1", port=port, timeout=0.2)
            if any(rr.to_text() == "0.0.0.0" for rrset in response.answer for rr in rrset):
                return
        except (dns.exception.Timeout, OSError):
            pass
        time.sleep(0.02)
    raise SystemExit("the server did not answer in time")


def dnsperf(port: int, queries: Path, seconds: int) -> dict[str, float]:
    result = subprocess.run(
        [
            "taskset",
            "-c",
            CLIENT_CORE,
            tool("dnsperf"),
            "-s",
            "127.0.0.1",
            "-p",
            str(port),
            "-d",
            str(queries),
            "-l",
            str(seconds),
            "-c",
            "4",
            "-q",
            "200",
            "-t",
            "2",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    completed = int(re.search(r"Queries completed:\s+(\d+)", result.stdout).group(1))  # type: ignore[union-attr]
    lost = int(re.search(r"Queries lost:\s+(\d+)", result.stdout).group(1))  # type: ignore[union-attr]
    qps = float(re.search(r"Queries per second:\s+([\d.]+)", result.stdout).group(1))  # type: ignore[union-attr]
    return {"completed": completed, "lost": lost, "qps": qps}


def run_server(
    label: str,
    command: list[str],
    port: int,
    probe: str,
    files: dict[str, Path],
    seconds: int,
    env: dict[str, str] | None = None,
    cores: str = SERVER_CORE,
) -> dict[str, object]:
    started = time.perf_counter()
    process = subprocess.Popen(["taskset", "-c", cores, *command], stdout=subprocess.DEVNULL, env=env)
    try:
        wait_answering(port, probe, process)
        startup = time.perf_counter() - started
        time.sleep(0.5)
        figures: dict[str, object] = {
            "startup_seconds": round(startup, 3),
            "pss_bytes": pss_bytes(process.pid),
        }
        for name, path in files.items():
            dnsperf(port, path, 2)  # warm the cache of forwarded names, as in steady service
            before = cpu_seconds(process.pid)
            measured = dnsperf(port, path, seconds)
            used = cpu_seconds(process.pid) - before
            measured["cpu_seconds_per_100k"] = round(used / max(measured["completed"], 1) * 100_000, 3)
            figures[name] = measured
            print(
                f"  {label:24} {name:10} {measured['qps']:>10.0f} q/s  "
                f"cpu {measured['cpu_seconds_per_100k']:.3f} s/100k  lost {measured['lost']}",
                flush=True,
            )
        # After the run: the table's pages that queries touched, the caches filled.
        figures["pss_bytes_after_run"] = pss_bytes(process.pid)
        return figures
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def blocked_counted(directory: Path) -> int:
    """Blocked queries the resolver's statistics have written so far (the national counts)."""
    with sqlite3.connect(directory / "cop.sqlite3") as database:
        row = database.execute("SELECT COALESCE(SUM(count), 0) FROM filter_preventivedaily").fetchone()
    return int(row[0])


def _median(figures: list[dict[str, Any]], files: list[str]) -> dict[str, Any]:
    """Median of each figure over the rounds of one server."""
    combined: dict[str, Any] = {
        key: round(statistics.median(f[key] for f in figures), 3)
        for key in ("startup_seconds", "pss_bytes", "pss_bytes_after_run")
    }
    if "blocked_counted_in_database" in figures[0]:
        combined["blocked_counted_in_database"] = [f["blocked_counted_in_database"] for f in figures]
    for name in files:
        combined[name] = {
            key: round(statistics.median(f[name][key] for f in figures), 3)
            for key in ("qps", "cpu_seconds_per_100k", "lost", "completed")
        }
    return combined


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=100_000, help="queries per file")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of all servers; medians are reported")
    parser.add_argument("--seconds", type=int, default=10, help="measuring time per file and server")
    parser.add_argument(
        "--extra",
        action="store_true",
        help="also one worker with statistics off and one without answer cache",
    )
    args = parser.parse_args()
    if (os.cpu_count() or 1) < 2:
        raise SystemExit("the benchmark needs two cores: one for the server, one for the load")
    dnsmasq = tool("dnsmasq")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="cop-bench-filter-") as temporary:
        directory = Path(temporary)
        print(
            f"Generating {args.entries:,} list entries and {args.queries:,} queries per file...", flush=True
        )
        files = generate(directory, args.entries, args.queries)
        probe = (directory / "list.txt").open().readline().strip()
        compiled = compile_ours(directory)
        print(
            f"Compiled: parse {compiled['parse_seconds']:.2f} s, table {compiled['table_seconds']:.2f} s",
            flush=True,
        )
        upstream_port = free_port()
        upstream = subprocess.Popen(
            [
                "taskset",
                "-c",
                CLIENT_CORE,
                dnsmasq,
                "-k",
                "--conf-file=/dev/null",
                f"--port={upstream_port}",
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--no-resolv",
                "--no-hosts",
                "--address=/#/192.0.2.1",
                "--local-ttl=3600",
                "--log-facility=/dev/null",
            ],
        )
        ours_env = {
            **os.environ,
            "COP_SECRET_KEY": secrets.token_urlsafe(40),
            "COP_DATA_DIR": str(directory),
            # Statistics go where they go in a plain install: a SQLite file in the data directory.
            "COP_DATABASE_URL": f"sqlite:///{directory / 'cop.sqlite3'}",
            "COP_LOG_LEVEL": "WARNING",
            # dnsperf is one client asking as fast as it can, which response-rate limiting is made to
            # stop: keep the limiter's cost on every query, lift its limit.
            "COP_FILTER_RRL_RESPONSES_PER_SECOND": "1000000000",
        }

        subprocess.run(
            [sys.executable, "-c", "from cop.cli import main; main()", "migrate", "--verbosity", "0"],
            env=ours_env,
            check=True,
        )

        def dnsmasq_command(port: int, conf: str = "dnsmasq.conf") -> list[str]:
            return [
                dnsmasq,
                "-k",
                "--conf-file=/dev/null",
                f"--port={port}",
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--no-resolv",
                "--no-hosts",
                f"--server=127.0.0.1#{upstream_port}",
                f"--conf-file={directory / conf}",
                "--cache-size=10000",
                "--log-facility=/dev/null",
            ]

        def filter_command(port: int, workers: int = 1, stats: bool = True) -> list[str]:
            return [
                sys.executable,
                "-c",
                "from cop.cli import main; main()",
                "run_filter",
                "--workers",
                str(workers),
                "--listen",
                f"127.0.0.1:{port}",
                "--upstream",
                f"127.0.0.1:{upstream_port}",
                "--snapshot-dir",
                str(directory / "snapshots"),
                *([] if stats else ["--no-stats"]),
            ]

        both = f"{SERVER_CORE},{CLIENT_CORE}"
        servers: list[tuple[str, Any, dict[str, str] | None, str]] = [
            ("dnsmasq", dnsmasq_command, None, SERVER_CORE),
            ("dnsmasq-0.0.0.0", lambda port: dnsmasq_command(port, "dnsmasq-zero.conf"), None, SERVER_CORE),
            ("filter", filter_command, ours_env, SERVER_CORE),
            ("filter-2-workers-core-0", lambda port: filter_command(port, 2), ours_env, SERVER_CORE),
            ("filter-2-workers-cores-0-1", lambda port: filter_command(port, 2), ours_env, both),
        ]
        if args.extra:
            servers += [
                ("filter-no-stats", lambda port: filter_command(port, stats=False), ours_env, SERVER_CORE),
                (
                    "filter-no-answer-cache",
                    filter_command,
                    {**ours_env, "COP_FILTER_ANSWER_CACHE_ENTRIES": "0"},
                    SERVER_CORE,
                ),
            ]
        rounds: dict[str, list[dict[str, Any]]] = {label: [] for label, *_rest in servers}
        try:
            # Rounds interleave the servers, so a slow minute of the machine hits each of them.
            for number in range(1, args.rounds + 1):
                print(f"Round {number} of {args.rounds}", flush=True)
                for label, command, env, cores in servers:
                    port = free_port()
                    written = blocked_counted(directory)
                    figures = run_server(label, command(port), port, probe, files, args.seconds, env, cores)
                    if env is not None:
                        # Proof that statistics were on: what the workers' flushes wrote meanwhile.
                        figures["blocked_counted_in_database"] = blocked_counted(directory) - written
                    rounds[label].append(figures)
        finally:
            upstream.terminate()
            upstream.wait(10)

    medians = {label: _median(figures, list(files)) for label, figures in rounds.items()}
    baseline = medians.pop("dnsmasq")
    zero = medians.pop("dnsmasq-0.0.0.0")
    runs = medians
    everyone = {"dnsmasq": baseline, "dnsmasq-0.0.0.0": zero, **runs}

    def ratios(ours: dict[str, Any], baseline: dict[str, Any]) -> dict[str, dict[str, float]]:
        return {
            name: {
                "qps": round(ours[name]["qps"] / baseline[name]["qps"], 3),  # type: ignore[index]
                "cpu_per_query": round(
                    ours[name]["cpu_seconds_per_100k"] / baseline[name]["cpu_seconds_per_100k"],  # type: ignore[index]
                    3,
                ),
            }
            for name in files
        }

    version = subprocess.run([dnsmasq, "--version"], capture_output=True, text=True).stdout.split()[2]
    report: dict[str, Any] = {
        "baseline": f"dnsmasq {version}, address=/name/# (row dnsmasq) and address=/name/0.0.0.0",
        "configuration": (
            "ours: cop run_filter, statistics on (SQLite), default settings but "
            "COP_FILTER_RRL_RESPONSES_PER_SECOND lifted (one benchmarking client)"
        ),
        "cores": {
            "dnsperf and the upstream": CLIENT_CORE,
            **{label: cores for label, _command, _env, cores in servers},
        },
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "entries": args.entries,
        "seconds_per_file": args.seconds,
        "rounds": args.rounds,
        "figures": "medians over the rounds",
        "compile": {k: round(v, 3) for k, v in compiled.items()},
        **everyone,
        "ratios_to_dnsmasq": {label: ratios(figures, baseline) for label, figures in runs.items()},
        "ratios_to_dnsmasq_0.0.0.0": {label: ratios(figures, zero) for label, figures in runs.items()},
        "pss_bytes_per_entry": {
            label: round(figures["pss_bytes"] / args.entries, 1)  # type: ignore[operator]
            for label, figures in everyone.items()
        },
        "pss_bytes_per_entry_after_run": {
            label: round(figures["pss_bytes_after_run"] / args.entries, 1)  # type: ignore[operator]
            for label, figures in everyone.items()
        },
        "startup_seconds": {label: figures["startup_seconds"] for label, figures in everyone.items()},
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(
        json.dumps(
            {
                k: report[k]
                for k in (
                    "ratios_to_dnsmasq",
                    "ratios_to_dnsmasq_0.0.0.0",
                    "pss_bytes_per_entry",
                    "pss_bytes_per_entry_after_run",
                    "startup_seconds",
                )
            },
            indent=2,
        )
    )
    print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
