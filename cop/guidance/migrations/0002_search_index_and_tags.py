"""The database-specific part of search, and the audience and age-band tags.

SQLite gets an FTS5 table; PostgreSQL a GIN index on the tsvector column.
Each runs only on its own database, so one migration history serves both.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TAGS = [
    ("audience", ["children", "parents", "educators", "industry", "policy"]),
    ("age-band", ["5-7", "8-12", "13-17"]),
]


def create_index(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE guidance_search_fts USING fts5("
            "title, body, language UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')"
        )
    elif connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX guidance_searchdocument_vector_gin ON guidance_searchdocument USING gin (vector)"
        )


def drop_index(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS guidance_search_fts")
    elif connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS guidance_searchdocument_vector_gin")


def create_tags(apps: Any, schema_editor: Any) -> None:
    tag = apps.get_model("guidance", "Tag")
    for kind, codes in TAGS:
        for position, code in enumerate(codes, start=1):
            tag.objects.update_or_create(kind=kind, code=code, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("guidance", "0001_initial")]

    operations = [
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(create_tags, migrations.RunPython.noop),
    ]
