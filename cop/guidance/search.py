"""Full-text search over guidelines and resources, in each of the six languages.

- PostgreSQL: a tsvector per document built with the text-search configuration
  of its language (arabic, english, french, russian, spanish).
- Chinese: PostgreSQL has no Chinese configuration and SQLite's tokenizer does
  not split Chinese words, so on both databases Chinese text is indexed as
  overlapping character pairs ("网络安全" -> "网络 络安 安全") and a query must
  match all of its pairs. That finds any contiguous phrase of two or more
  characters without a dictionary.
- SQLite: an FTS5 table holding the same row ids, with words reduced to their
  Snowball stems in Python first, since FTS5 only stems English.
- Queries: function words are dropped (cop/guidance/search_words.py), words found in no document
  of the language are left out, and every remaining word must match, on both databases alike.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import snowballstemmer
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Value

from cop.guidance.models import SearchDocument
from cop.guidance.search_words import CHINESE_BREAKS, STOP_WORDS

CHINESE = "zh-hans"
POSTGRES_CONFIGS = {"ar": "arabic", "en": "english", "fr": "french", "ru": "russian", "es": "spanish"}
STEMMERS = {"ar": "arabic", "en": "english", "fr": "french", "ru": "russian", "es": "spanish"}
FTS_TABLE = "guidance_search_fts"

_WORD = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
MAX_QUERY_TERMS = 20


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def chinese_pairs(text: str) -> str:
    """Rewrite every run of Chinese characters as its overlapping character pairs."""

    def pairs(match: re.Match[str]) -> str:
        run = match.group(0)
        if len(run) == 1:
            return f" {run} "
        return " " + " ".join(run[i : i + 2] for i in range(len(run) - 1)) + " "

    return _CJK.sub(pairs, text.lower())


@cache
def _stemmer(language: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(STEMMERS[language])


def _stems(language: str, text: str) -> list[str]:
    words = _WORD.findall(unicodedata.normalize("NFC", text).lower())
    if language not in STEMMERS:
        return words
    return list(_stemmer(language).stemWords(words))


def _prepare(language: str, text: str) -> str:
    if language == CHINESE:
        return chinese_pairs(text)
    if is_sqlite():
        return " ".join(_stems(language, text))
    return text


def index_document(kind: str, object_id: int, language: str, title: str, body: str) -> None:
    document, _created = SearchDocument.objects.update_or_create(
        kind=kind, object_id=object_id, language=language, defaults={"title": title, "body": body}
    )
    title_text, body_text = _prepare(language, title), _prepare(language, body)
    if is_sqlite():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [document.pk])  # noqa: S608
            cursor.execute(
                f"INSERT INTO {FTS_TABLE} (rowid, title, body, language) VALUES (%s, %s, %s, %s)",  # noqa: S608
                [document.pk, title_text, body_text, language],
            )
    else:
        config = POSTGRES_CONFIGS.get(language, "simple")
        SearchDocument.objects.filter(pk=document.pk).update(
            vector=SearchVector(Value(title_text), config=config, weight="A")
            + SearchVector(Value(body_text), config=config, weight="B")
        )


def remove_documents(kind: str, object_id: int, keep_languages: set[str] | None = None) -> None:
    documents = SearchDocument.objects.filter(kind=kind, object_id=object_id)
    if keep_languages:
        documents = documents.exclude(language__in=keep_languages)
    ids = list(documents.values_list("pk", flat=True))
    if not ids:
        return
    if is_sqlite():
        with connection.cursor() as cursor:
            marks = ",".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({marks})", ids)  # noqa: S608
    SearchDocument.objects.filter(pk__in=ids).delete()


def _query_words(language: str, query: str) -> list[str]:
    """The words of `query` that carry meaning: function words dropped; Chinese split at its
    particles and then into character pairs, like the indexed text."""
    text = unicodedata.normalize("NFC", query).lower()
    if language == CHINESE:
        for particle in CHINESE_BREAKS:
            text = text.replace(particle, " ")
        return [t for term in chinese_pairs(text).split() for t in _WORD.findall(term)]
    stop = STOP_WORDS.get(language, frozenset())
    return [word for word in _WORD.findall(text) if word not in stop]


def _sqlite_terms(language: str, words: list[str]) -> list[str]:
    if language == CHINESE or language not in STEMMERS:
        return words
    return list(_stemmer(language).stemWords(words))


def _quoted(terms: list[str]) -> str:
    # Each term quoted, so that no user input is read as FTS5 syntax.
    return " ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _postgres_query(language: str, words: list[str]) -> SearchQuery:
    config = "simple" if language == CHINESE else POSTGRES_CONFIGS[language]
    return SearchQuery(" ".join(words), config=config, search_type="plain")


def _known(language: str, terms: list[str]) -> list[str]:
    """The terms that occur in at least one document of `language`.

    A word found nowhere (a typo, a filler word, two Chinese characters that straddle a word
    boundary such as "全教" in "网络安全教材") would otherwise make the whole query find nothing:
    it is left out, and the other words must all match.
    """
    documents = SearchDocument.objects.filter(language=language)
    known = []
    for term in terms:
        if is_sqlite():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT 1 FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND language = %s LIMIT 1",  # noqa: S608
                    [_quoted([term]), language],
                )
                found = cursor.fetchone() is not None
        else:
            found = documents.filter(vector=_postgres_query(language, [term])).exists()
        if found:
            known.append(term)
    return known


def search(language: str, query: str, kind: str | None = None, limit: int = 200) -> list[SearchDocument]:
    """Documents of `language` matching every known word of `query`, best first."""
    query = query.strip()[:300]
    if not _WORD.search(query):
        return []
    words = list(dict.fromkeys(_query_words(language, query)))[:MAX_QUERY_TERMS]
    terms = _known(language, _sqlite_terms(language, words) if is_sqlite() else words)
    if not terms:
        return []
    documents = SearchDocument.objects.filter(language=language)
    if kind:
        documents = documents.filter(kind=kind)
    if is_sqlite():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND language = %s "  # noqa: S608
                f"ORDER BY bm25({FTS_TABLE}, 4.0, 1.0) LIMIT %s",
                [_quoted(terms), language, limit * 2],
            )
            ranked = [row[0] for row in cursor.fetchall()]
        found = documents.in_bulk(ranked)
        return [found[pk] for pk in ranked if pk in found][:limit]
    search_query = _postgres_query(language, terms)
    return list(
        documents.filter(vector=search_query)
        .annotate(rank=SearchRank(F("vector"), search_query))
        .order_by("-rank", "pk")[:limit]
    )


def rebuild() -> int:
    """Rebuild the SQLite FTS table or the PostgreSQL vectors from SearchDocument rows."""
    count = 0
    for document in SearchDocument.objects.all().iterator():
        index_document(document.kind, document.object_id, document.language, document.title, document.body)
        count += 1
    return count
