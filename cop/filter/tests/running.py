"""Running the real resolver (`cop run_filter`) in a child process against a test upstream."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dns.edns
import dns.message
import dns.query
import dns.rdatatype

from cop.filter import snapshot
from cop.filter.categories import CATEGORIES
from cop.filter.marks import Source, compile_lists
from cop.filter.rules import ADDRESS, NAME, Rule
from cop.filter.tests.upstream import Upstream, free_port

ORDER = [category.code for category in CATEGORIES]
DEVICE_OPTION = 65074


def bit(category: str) -> int:
    return 1 << ORDER.index(category)


def write_snapshot(
    directory: Path,
    version: int,
    lists: dict[str, list[str]],
    exceptions: dict[str, list[str]] | None = None,
    addresses: dict[str, list[str]] | None = None,
    **document: Any,
) -> None:
    """Compile lists and a policy document into `directory` the way the platform's compiler does.

    `addresses` are IPv4 and IPv6 addresses per category, as a list that lists addresses has them.
    """
    rules: dict[str, list[Rule]] = {}
    for category, names in lists.items():
        rules.setdefault(category, []).extend(Rule(NAME, name) for name in names)
    for category, names in (exceptions or {}).items():
        rules.setdefault(category, []).extend(Rule(NAME, name, exception=True) for name in names)
    for category, texts in (addresses or {}).items():
        rules.setdefault(category, []).extend(Rule(ADDRESS, text) for text in texts)
    table_name = f"table-test-{version}.bin"
    sources = [Source(bit(category), found.copy) for category, found in rules.items()]
    compile_lists(sources, directory / table_name)
    snapshot.publish(directory, {"version": version, "categories": ORDER, "table": table_name, **document})


@dataclass
class Running:
    process: subprocess.Popen[bytes]
    port: int
    upstream: Upstream
    directory: Path

    def ask(
        self,
        name: str,
        rdtype: str = "A",
        token: str = "",
        tcp: bool = False,
        payload: int | None = 1232,
        timeout: float = 3.0,
    ) -> dns.message.Message:
        options: list[dns.edns.Option] = (
            [dns.edns.GenericOption(dns.edns.OptionType.make(DEVICE_OPTION), token.encode())] if token else []
        )
        query = dns.message.make_query(
            name, rdtype, use_edns=0 if payload else False, payload=payload or 512, options=options
        )
        send = dns.query.tcp if tcp else dns.query.udp
        return send(query, "127.0.0.1", port=self.port, timeout=timeout)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(
    directory: Path,
    upstream: Upstream,
    workers: int = 2,
    env: dict[str, str] | None = None,
    doh_port: int | None = None,
    log: Path | None = None,
    statistics: bool = False,
) -> Running:
    """Start `cop run_filter`; its log (stderr) goes to the file `log` when one is given.

    Without `statistics` it keeps none; with them, it writes to the database COP_DATABASE_URL in
    `env` names."""
    port = free_port()
    command = [
        sys.executable,
        "-c",
        "from cop.cli import main; main()",
        "run_filter",
        "--listen",
        f"127.0.0.1:{port}",
        "--upstream",
        f"127.0.0.1:{upstream.port}",
        "--workers",
        str(workers),
        "--snapshot-dir",
        str(directory),
        *([] if statistics else ["--no-stats"]),
        *(["--doh-listen", f"127.0.0.1:{doh_port}"] if doh_port else []),
    ]
    environment = {**os.environ, "COP_LOG_LEVEL": "WARNING", **(env or {})}
    errors = open(log, "ab") if log is not None else None  # noqa: SIM115 - the child keeps its own copy
    try:
        process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=errors)
    finally:
        if errors is not None:
            errors.close()
    running = Running(process, port, upstream, directory)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the resolver exited with {process.returncode}")
        try:
            running.ask("news.example.org", timeout=0.3)
            # Both workers bind the port; give the second a moment so no test meets a half-started pool.
            time.sleep(0.3)
            return running
        except (dns.exception.Timeout, ConnectionError, OSError):
            time.sleep(0.1)
    running.stop()
    raise RuntimeError("the resolver did not answer within 20 s")


def dig(port: int, *arguments: str) -> str:
    """Ask with `dig`, the reference command-line client; fails loudly when it is missing."""
    command = shutil.which("dig")
    assert command, "dig is missing: scripts/system-deps installs dnsutils"
    result = subprocess.run(
        [command, "@127.0.0.1", "-p", str(port), "+time=3", "+tries=2", *arguments],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    return result.stdout


def addresses(message: dns.message.Message, rdtype: str = "A") -> list[str]:
    wanted = dns.rdatatype.from_text(rdtype)
    return sorted(item.to_text() for rrset in message.answer if rrset.rdtype == wanted for item in rrset)
