"""The resolver's settings, read from the COP_FILTER_* environment variables without Django.

`cop run_filter` starts its workers without loading Django: loading it took most of the
resolver's start-up (seconds) and tens of megabytes in every process. So what the resolver
needs is read here, once; cop/settings.py takes the same values from here (FILTER_LISTEN and
the others), so each variable has one reader, one default and one check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from cop.env import envcount, envdatabase, envhostname, envlist, envlisten, envstr


@dataclass(frozen=True)
class ResolverSettings:
    # Where compiled snapshots and list files live.
    data_dir: Path
    listen: list[str]
    upstreams: list[str]
    workers: int
    block_ttl: int
    cache_entries: int
    # Finished answers each worker keeps for questions asked again (0 turns this cache off).
    answer_entries: int
    doh_listen: str
    # DNS over TLS and DNS over HTTPS with TLS from the resolver itself (empty: off). Devices are
    # named <token>.<domain>; the certificate (PEM, reloaded when the files change) is for *.<domain>.
    domain: str
    dot_listen: list[str]
    doh_tls_listen: list[str]
    tls_cert: str
    tls_key: str
    stats_flush_seconds: int
    # Response-rate limiting of UDP answers per client network (0 turns it off); every Nth answer
    # over the limit goes out truncated so that real clients retry over TCP (0: none does).
    rrl_per_second: int
    rrl_slip: int
    rrl_ipv4_prefix: int
    rrl_ipv6_prefix: int
    # Where the workers write their counters: the platform's database (DATABASES["default"]).
    database: dict[str, Any]
    log_level: str


def read(data_dir: Path) -> ResolverSettings:
    """The settings from the environment; ImproperlyConfigured names a variable with a bad value."""
    ipv4_prefix = envcount("COP_FILTER_RRL_IPV4_PREFIX", 24, minimum=1)
    ipv6_prefix = envcount("COP_FILTER_RRL_IPV6_PREFIX", 56, minimum=1)
    if ipv4_prefix > 32 or ipv6_prefix > 128:
        raise ImproperlyConfigured(
            "COP_FILTER_RRL_IPV4_PREFIX is at most 32, COP_FILTER_RRL_IPV6_PREFIX at most 128"
        )
    return ResolverSettings(
        data_dir=Path(envstr("COP_FILTER_DATA_DIR", str(data_dir / "filter"))),
        listen=envlist("COP_FILTER_LISTEN", ["127.0.0.1:5300"]),
        upstreams=envlist("COP_FILTER_UPSTREAMS", ["9.9.9.9:53", "149.112.112.112:53"]),
        workers=envcount("COP_FILTER_WORKERS", 2, minimum=1),
        block_ttl=envcount("COP_FILTER_BLOCK_TTL", 60, minimum=0),
        cache_entries=envcount("COP_FILTER_CACHE_ENTRIES", 100_000, minimum=100),
        answer_entries=envcount("COP_FILTER_ANSWER_CACHE_ENTRIES", 50_000, minimum=0),
        doh_listen=envstr("COP_FILTER_DOH_LISTEN", ""),
        domain=envhostname("COP_FILTER_DOMAIN"),
        dot_listen=envlisten("COP_FILTER_DOT_LISTEN"),
        doh_tls_listen=envlisten("COP_FILTER_DOH_TLS_LISTEN"),
        tls_cert=envstr("COP_FILTER_TLS_CERT", ""),
        tls_key=envstr("COP_FILTER_TLS_KEY", ""),
        stats_flush_seconds=envcount("COP_FILTER_STATS_FLUSH_SECONDS", 30, minimum=1),
        rrl_per_second=envcount("COP_FILTER_RRL_RESPONSES_PER_SECOND", 50, minimum=0),
        rrl_slip=envcount("COP_FILTER_RRL_SLIP", 2, minimum=0),
        rrl_ipv4_prefix=ipv4_prefix,
        rrl_ipv6_prefix=ipv6_prefix,
        database=envdatabase(data_dir),
        log_level=envstr("COP_LOG_LEVEL", "INFO"),
    )
