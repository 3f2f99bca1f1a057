"""Writing the resolver's counters into the platform's database, in plain SQL, without Django.

Resolver workers do not load Django (see `conf.py`): its ORM would cost seconds of start-up and
tens of megabytes in every worker. A batch is a handful of rows, written here with the database's
own driver (sqlite3, or psycopg for PostgreSQL) into the tables of `models.py`. Rows are counters:
an upsert adds to the row of the same day and key, so two workers writing the same day add up
rather than overwrite each other. `stats.flush` runs the same statements on Django's connection,
so the tests that read the rows back through the ORM check this SQL on both databases.
"""

from __future__ import annotations

import datetime
import sqlite3
import threading
from typing import TYPE_CHECKING, Any

import dns.rdatatype

from cop.filter.snapshot import REASONS

if TYPE_CHECKING:
    from cop.filter.resolver import Recorder

# `ON CONFLICT` names each table's unique constraint (models.py); SQLite 3.24 and PostgreSQL 9.5
# both read it. The table is named in SET: `count` alone would be ambiguous with `excluded.count`.
ACTIVITY = (
    "INSERT INTO filter_activityhourly (profile_id, day, hour, queries) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (profile_id, day, hour) "
    "DO UPDATE SET queries = filter_activityhourly.queries + excluded.queries"
)
BLOCKED = (
    "INSERT INTO filter_blockeddaily (profile_id, day, category, count) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (profile_id, day, category) DO UPDATE SET count = filter_blockeddaily.count + excluded.count"
)
SITES = (
    "INSERT INTO filter_blockedsite (profile_id, day, name, category, count) VALUES (%s, %s, %s, %s, %s) "
    "ON CONFLICT (profile_id, day, name) DO UPDATE SET count = filter_blockedsite.count + excluded.count"
)
PREVENTIVE = (
    "INSERT INTO filter_preventivedaily (day, category, count) VALUES (%s, %s, %s) "
    "ON CONFLICT (day, category) DO UPDATE SET count = filter_preventivedaily.count + excluded.count"
)
LOG = (
    "INSERT INTO filter_querylogentry (profile_id, at, name, qtype, blocked, reason) "
    "VALUES (%s, %s, %s, %s, %s, %s)"
)
# Django-only keys of a DATABASES entry's OPTIONS, which are not connection parameters.
DJANGO_OPTIONS = {
    "assume_role",
    "cursor_factory",
    "init_command",
    "isolation_level",
    "pool",
    "server_side_binding",
    "timeout",
    "transaction_mode",
}


def write(batch: Recorder, cursor: Any, vendor: str, placeholder: str = "%s") -> None:
    """Add a batch's counts with `cursor`, inside the caller's transaction.

    `vendor` is "sqlite" or "postgresql": SQLite gets days and moments as the text Django stores
    (ISO dates, UTC moments without a zone), PostgreSQL gets dates and aware moments.
    `placeholder` is the driver's ("?" for sqlite3; Django's cursors take "%s" for both).
    """
    sqlite = vendor == "sqlite"

    def day(text: str) -> Any:
        return text if sqlite else datetime.date.fromisoformat(text)

    def sql(statement: str) -> str:
        return statement if placeholder == "%s" else statement.replace("%s", placeholder)

    profiles = {key[0] for key in batch.activity} | {entry[0] for entry in batch.log}
    existing: set[int] = set()
    if profiles:
        # A profile deleted since the snapshot was compiled has nowhere to count.
        marks = ", ".join([placeholder] * len(profiles))
        cursor.execute(f"SELECT id FROM filter_profile WHERE id IN ({marks})", sorted(profiles))  # noqa: S608 - placeholders only
        existing = {row[0] for row in cursor.fetchall()}
    rows: list[tuple[Any, ...]] = [
        (profile_id, day(on), hour, count)
        for (profile_id, on, hour), count in batch.activity.items()
        if profile_id in existing
    ]
    if rows:
        cursor.executemany(sql(ACTIVITY), rows)
    rows = [
        (profile_id, day(on), category, count)
        for (profile_id, on, category), count in batch.blocked.items()
        if profile_id in existing
    ]
    if rows:
        cursor.executemany(sql(BLOCKED), rows)
    rows = [
        (profile_id, day(on), name[:253], category, count)
        for (profile_id, on, name, category), count in batch.sites.items()
        if profile_id in existing
    ]
    if rows:
        cursor.executemany(sql(SITES), rows)
    rows = [(day(on), category, count) for (on, category), count in batch.preventive.items()]
    if rows:
        cursor.executemany(sql(PREVENTIVE), rows)
    rows = []
    for profile_id, at, name, qtype, blocked, reason in batch.log:
        if profile_id not in existing:
            continue
        moment = datetime.datetime.fromtimestamp(at, datetime.UTC)
        rows.append(
            (
                profile_id,
                moment.replace(tzinfo=None).isoformat(" ") if sqlite else moment,
                name[:253],
                dns.rdatatype.to_text(dns.rdatatype.RdataType.make(qtype))[:10],
                blocked,
                REASONS[reason].value[:20],
            )
        )
    if rows:
        cursor.executemany(sql(LOG), rows)


class Store:
    """Where one worker writes its batches: its own connection to the platform's database.

    Made from a DATABASES entry as plain data; the connection is opened at the first write, in
    the worker (never shared across a fork), and opened again after a failure.
    """

    def __init__(self, database: dict[str, Any]) -> None:
        engine = str(database.get("ENGINE", ""))
        if engine.endswith("sqlite3"):
            self.vendor = "sqlite"
        elif engine.endswith(("postgresql", "postgresql_psycopg2", "postgis")):
            self.vendor = "postgresql"
        else:
            raise ValueError(f"the resolver cannot write statistics to a {engine or 'missing'} database")
        self.database = database
        self.connection: Any = None
        # The flushing thread and the final flush at stop never write at the same time.
        self.lock = threading.Lock()

    def __call__(self, batch: Recorder) -> None:
        with self.lock:
            try:
                self._write(batch)
            except Exception:
                self.close()
                raise

    def _write(self, batch: Recorder) -> None:
        if self.connection is None:
            self.connection = self._connect()
        if self.vendor == "sqlite":
            cursor = self.connection.cursor()
            cursor.execute("BEGIN IMMEDIATE")  # take the write lock now, not halfway through
            try:
                write(batch, cursor, "sqlite", "?")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")
        else:
            with self.connection.transaction(), self.connection.cursor() as cursor:
                write(batch, cursor, "postgresql")

    def _connect(self) -> Any:
        options = dict(self.database.get("OPTIONS") or {})
        if self.vendor == "sqlite":
            connection = sqlite3.connect(
                str(self.database["NAME"]),
                timeout=float(options.get("timeout", 5)),
                isolation_level=None,  # transactions are begun and ended above
                check_same_thread=False,  # the flushing thread, then the final flush
            )
            if options.get("init_command"):
                connection.executescript(str(options["init_command"]))
            return connection
        import psycopg  # only where PostgreSQL holds the statistics

        parameters = {
            "dbname": self.database.get("NAME"),
            "user": self.database.get("USER"),
            "password": self.database.get("PASSWORD"),
            "host": self.database.get("HOST"),
            "port": self.database.get("PORT"),
            **{key: value for key, value in options.items() if key not in DJANGO_OPTIONS},
        }
        return psycopg.connect(**{key: value for key, value in parameters.items() if value not in (None, "")})

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:  # noqa: BLE001, S110 - a broken connection is dropped either way
                pass
            self.connection = None
