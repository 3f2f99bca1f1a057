"""`cop run_filter`: the resolver's supervisor and workers, started without Django.

Nothing a resolver does at run time needs Django: policy comes from the snapshot files, settings
from the environment (`conf.py`), and statistics go to the database in plain SQL (`counts.py`).
Loading Django took most of the time from the command to the first answer (seconds: the apps,
the models, the system checks) and tens of megabytes in every process, so `cop` hands
`run_filter` to `main` here before it sets Django up (cop/cli.py), and the supervisor forks
workers that have imported the resolver and nothing else. The one exception is a first start
without a compiled policy: Django is set up to compile one from the database, and the command
then starts again without it.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TextIO

from django.core.exceptions import ImproperlyConfigured

from cop.env import envdatadir
from cop.filter import conf
from cop.filter.counts import Store
from cop.filter.resolver import Config
from cop.filter.snapshot import current_name
from cop.filter.supervisor import parse_address, supervise

HELP = (
    "Run the family filter's DNS resolver (UDP and TCP) with several worker processes sharing the port. "
    "Stop with SIGTERM or Ctrl-C."
)


class Problem(Exception):
    """A setting or option that stops the start, with the message for the operator."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The command's options: here and in the Django command that `manage.py` lists."""
    parser.add_argument(
        "--listen",
        action="append",
        help="address:port to answer on (repeatable; default COP_FILTER_LISTEN)",
    )
    parser.add_argument("--upstream", action="append", help="address:port to forward to (repeatable)")
    parser.add_argument(
        "--doh-listen", action="append", help="address:port for DNS over HTTP/1.1 (COP_FILTER_DOH_LISTEN)"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="worker processes (default COP_FILTER_WORKERS)"
    )
    parser.add_argument("--snapshot-dir", default=None, help="where compiled policies are read from")
    parser.add_argument(
        "--no-stats", action="store_true", help="keep no statistics (a resolver without database access)"
    )


def main(argv: list[str]) -> None:
    """`cop run_filter ARGS`: a bad option or setting ends the command with its message."""
    parser = argparse.ArgumentParser(prog="cop run_filter", description=HELP)
    add_arguments(parser)
    options = parser.parse_args(argv)
    try:
        settings = conf.read(envdatadir())
    except ImproperlyConfigured as problem:
        raise SystemExit(f"CommandError: {problem}") from None
    if not logging.getLogger().handlers:  # as the platform's LOGGING: messages alone, on stderr
        logging.basicConfig(level=settings.log_level, format="%(message)s")
    try:
        run(options, settings)
    except Problem as problem:
        raise SystemExit(f"CommandError: {problem}") from None


def run(options: argparse.Namespace, settings: conf.ResolverSettings, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    try:
        listen = [parse_address(text) for text in options.listen or settings.listen]
        upstreams = tuple(parse_address(text) for text in options.upstream or settings.upstreams)
        doh_texts = options.doh_listen or ([settings.doh_listen] if settings.doh_listen else [])
        doh_listen = [parse_address(text, 443) for text in doh_texts]
    except ValueError as problem:
        raise Problem(f"Not an address:port: {problem}") from None
    tls = None
    if settings.dot_listen or settings.doh_tls_listen:
        from cop.filter.tls import config_from, describe  # HTTP/2 and TLS only where they are served

        try:
            tls = config_from(settings)  # checked here, not in each worker
        except ValueError as problem:
            raise Problem(str(problem)) from None
    workers: int = options.workers or settings.workers
    if workers < 1:
        raise Problem("--workers must be at least 1.")
    if not upstreams:
        raise Problem("At least one upstream server is needed.")
    if options.snapshot_dir is None:
        directory = settings.data_dir / "snapshots"
        directory.mkdir(parents=True, exist_ok=True)
        if not current_name(directory):
            _first_compilation(directory)
    else:
        directory = Path(options.snapshot_dir)
    config = Config(
        snapshot_dir=directory,
        upstreams=upstreams,
        block_ttl=settings.block_ttl,
        cache_entries=settings.cache_entries,
        answer_entries=settings.answer_entries,
        rrl_per_second=settings.rrl_per_second,
        rrl_slip=settings.rrl_slip,
        rrl_ipv4_prefix=settings.rrl_ipv4_prefix,
        rrl_ipv6_prefix=settings.rrl_ipv6_prefix,
    )
    try:
        flush = None if options.no_stats else Store(settings.database)
    except ValueError as problem:
        raise Problem(str(problem)) from None
    if doh_listen:
        out.write(f"DNS over HTTP on {', '.join(f'{h}:{p}' for h, p in doh_listen)} (/dns-query/<token>).\n")
    if tls is not None:
        out.write(describe(tls) + "\n")
    out.write(
        f"Family filter: {workers} worker(s) on {', '.join(f'{h}:{p}' for h, p in listen)}, "
        f"forwarding to {', '.join(f'{h}:{p}' for h, p in upstreams)}.\n"
    )
    out.flush()
    supervise(config, listen, workers, flush, float(settings.stats_flush_seconds), doh_listen, tls)


def _first_compilation(directory: Path) -> None:
    """No policy compiled yet: compile what the database holds (with Django), then start afresh.

    Starting again leaves Django out of the supervisor and the workers it forks; the new
    process finds the policy and goes straight on.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop.settings")
    import django

    django.setup()
    from cop.filter.compiler import compile_policy

    compile_policy()
    if not current_name(directory):
        raise Problem(f"No policy could be compiled into {directory}.")
    sys.stdout.flush()
    os.execv(sys.executable, sys.orig_argv)  # noqa: S606 - this very command, as it was started
