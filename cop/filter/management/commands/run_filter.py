from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from cop.filter import stats
from cop.filter.compiler import compile_policy, snapshot_dir
from cop.filter.resolver import Config
from cop.filter.snapshot import current_name
from cop.filter.supervisor import parse_address, supervise
from cop.filter.tls import config_from_settings, describe


class Command(BaseCommand):
    help = (
        "Run the family filter's DNS resolver (UDP and TCP) with several worker processes sharing the port. "
        "Stop with SIGTERM or Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
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

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            listen = [parse_address(text) for text in options["listen"] or settings.FILTER_LISTEN]
            upstreams = tuple(
                parse_address(text) for text in options["upstream"] or settings.FILTER_UPSTREAMS
            )
            doh_texts = options["doh_listen"] or (
                [settings.FILTER_DOH_LISTEN] if settings.FILTER_DOH_LISTEN else []
            )
            doh_listen = [parse_address(text, 443) for text in doh_texts]
        except ValueError as problem:
            raise CommandError(f"Not an address:port: {problem}") from None
        try:
            tls = config_from_settings()  # DNS over TLS and HTTPS: checked here, not in each worker
        except ValueError as problem:
            raise CommandError(str(problem)) from None
        workers: int = options["workers"] or settings.FILTER_WORKERS
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        if not upstreams:
            raise CommandError("At least one upstream server is needed.")
        directory = snapshot_dir() if options["snapshot_dir"] is None else Path(options["snapshot_dir"])
        if options["snapshot_dir"] is None and not current_name(directory):
            compile_policy()  # a first start: compile what the database holds
        config = Config(
            snapshot_dir=directory,
            upstreams=upstreams,
            block_ttl=settings.FILTER_BLOCK_TTL,
            cache_entries=settings.FILTER_CACHE_ENTRIES,
            answer_entries=settings.FILTER_ANSWER_CACHE_ENTRIES,
            rrl_per_second=settings.FILTER_RRL_RESPONSES_PER_SECOND,
            rrl_slip=settings.FILTER_RRL_SLIP,
            rrl_ipv4_prefix=settings.FILTER_RRL_IPV4_PREFIX,
            rrl_ipv6_prefix=settings.FILTER_RRL_IPV6_PREFIX,
        )
        flush = None if options["no_stats"] else stats.flush_from_worker
        connections.close_all()  # each worker opens its own connection after the fork
        if doh_listen:
            self.stdout.write(
                f"DNS over HTTP on {', '.join(f'{h}:{p}' for h, p in doh_listen)} (/dns-query/<token>)."
            )
        if tls is not None:
            self.stdout.write(describe(tls))
        self.stdout.write(
            f"Family filter: {workers} worker(s) on {', '.join(f'{h}:{p}' for h, p in listen)}, "
            f"forwarding to {', '.join(f'{h}:{p}' for h, p in upstreams)}."
        )
        self.stdout.flush()
        supervise(config, listen, workers, flush, float(settings.FILTER_STATS_FLUSH_SECONDS), doh_listen, tls)
