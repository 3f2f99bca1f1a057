"""Every public page kind, rendered in each language other than English, shows no English text
of ours, and shows content of another language only marked with its `lang`.

The coverage test of test_i18n.py proves that each msgid has a translation; this one proves that
pages use them: it caught the country pages' sources and the help pages' source line, which were
stored English data rendered as they were, and library texts shown in English on French pages
without a word. English found is either a msgid of the catalogue, one of the platform's own source
texts, or content whose language is known (a resource's title, summary and publisher, a guideline
text): the first two must not appear; the third must sit inside an element whose `lang` says so.
"""

from __future__ import annotations

import json
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import polib
from django.conf import settings
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from cop.core.languages import normalise
from cop.core.reference.sources import source_notes
from cop.core.tests.base import BaseTestCase
from cop.guidance.indexing import index_resource
from cop.guidance.models import Guideline, Resource, ResourceText, ResourceType, Status
from cop.helplines.sources import KNOWN, describe

LANGUAGES = {"fr": "fr", "es": "es", "ru": "ru", "ar": "ar", "zh-hans": "zh_Hans"}
LONG = 30  # English strings at least this long must not appear even inside a longer text

# Reviewed: proper names and codes that are the same in every language.
ALLOWED = {"COP", "API", "ISO 3166", "CSV", "JSON", "Atom", "PDF", "ITU", "OK", "DNS", "DoH", "URL"}


def english_strings(folder: str) -> set[str]:
    """msgids of the catalogue whose translation into `folder` differs from the English, and the
    platform's own English source texts (reference data)."""
    catalog = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / folder / "LC_MESSAGES" / "django.po"))
    found = {e.msgid for e in catalog if e.msgid and e.msgstr != e.msgid and "%" not in e.msgid}
    here = Path(settings.BASE_DIR) / "cop"
    with open(here / "core" / "reference" / "sources.json", encoding="utf-8") as f:
        found |= {str(s["source"]) for s in json.load(f).values() if s["source"]}
    with open(here / "helplines" / "reference" / "services.toml", "rb") as handle:
        found |= {s["source"] for s in tomllib.load(handle)["services"]}
    found.add("libphonenumber short-number metadata")
    return {s for s in found if s.strip() and s not in ALLOWED and any(c.isalpha() for c in s)}


class TextNodes(HTMLParser):
    """Text nodes and labelling attributes of a page, each with the `lang` that applies to it."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str]] = []
        self.skip = 0
        self.found: list[tuple[str, str]] = []

    def lang(self) -> str:
        return self.stack[-1][1] if self.stack else ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = normalise(values.get("lang") or "") or self.lang()
        for name in ("aria-label", "title", "alt", "placeholder"):
            if values.get(name):
                self.found.append((str(values[name]), lang))
        if tag in self.VOID:
            return
        self.stack.append((tag, lang))
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        while self.stack:
            open_tag, _lang = self.stack.pop()
            if open_tag in ("script", "style"):
                self.skip -= 1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self.skip:
            self.found.append((text, self.lang()))


class TranslatedPagesTestCase(BaseTestCase):
    english_only: Resource
    chinese: Resource

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # A member's proposal, described only in English, then published: the case the issue found.
        cls.english_only = Resource.objects.create(
            slug="example-english-only",
            title="Example online safety workshop kit",
            publisher="Example Publishing House",
            year=2025,
            url="https://example.com/kit",
            type=ResourceType.TRAINING,
            language="en",
            licence="CC BY 4.0",
            status=Status.APPROVED,
            published_at=timezone.now(),
            submitted_by=cls.world.pablo,
        )
        ResourceText.objects.create(
            resource=cls.english_only,
            language="en",
            title="Example online safety workshop kit",
            summary="A neutral example kit for workshops with parents and teachers.",
        )
        # A Chinese publisher's name, to be seen on an Arabic page.
        cls.chinese = Resource.objects.create(
            slug="example-chinese-publisher",
            title="示例网络安全手册",
            publisher="示例出版社",
            year=2024,
            url="https://example.com/handbook",
            type=ResourceType.TOOL,
            language="zh-hans",
            licence="CC BY 4.0",
            status=Status.APPROVED,
            published_at=timezone.now(),
        )
        ResourceText.objects.create(
            resource=cls.chinese, language="zh-hans", title="示例网络安全手册", summary="一个中性的示例手册。"
        )
        index_resource(cls.english_only)
        index_resource(cls.chinese)

    def content_languages(self) -> dict[str, set[str]]:
        """Texts whose language is known: resources' and guidelines' texts, titles and publishers."""
        known: dict[str, set[str]] = {}
        for resource in Resource.objects.published().prefetch_related("texts"):
            for text in [resource.title, resource.publisher]:
                known.setdefault(" ".join(text.split()), set()).add(resource.language)
            for rtext in resource.texts.all():
                for value in [rtext.title, rtext.summary]:
                    known.setdefault(" ".join(value.split()), set()).add(rtext.language)
        for guideline in Guideline.objects.prefetch_related("texts"):
            for gtext in guideline.texts.all():
                for value in [gtext.title, gtext.summary]:
                    known.setdefault(" ".join(value.split()), set()).add(gtext.language)
        return known

    def pages(self) -> list[str]:
        guideline = Guideline.objects.order_by("pk").first()
        assert guideline is not None
        kinds = [
            reverse("core:home"),
            reverse("core:countries"),
            reverse("core:country", args=["KE"]),
            reverse("core:country", args=["EG"]),
            reverse("core:organisations"),
            reverse("core:organisation", args=[self.world.kenya_ministry.pk]),
            reverse("guidance:index"),
            reverse("guidance:audience", args=[guideline.audience]),
            reverse("guidance:group", args=[guideline.audience, guideline.group]),
            guideline.get_absolute_url(),
            reverse("guidance:library"),
            reverse("guidance:library") + "?type=training",
            self.english_only.get_absolute_url(),
            self.chinese.get_absolute_url(),
            reverse("guidance:search") + "?q=example",
            reverse("threats:classification"),
            reverse("helplines:index"),
            reverse("helplines:country", args=["DE"]),
            reverse("helplines:country", args=["KE"]),
            reverse("alerts:list"),
        ]
        return kinds

    def problems(self, language: str, folder: str, known: dict[str, set[str]]) -> list[str]:
        english = english_strings(folder)
        long_english = [s for s in english if len(s) >= LONG]
        found = []
        with override(language):
            paths = self.pages()
        for path in paths:
            response = self.client.get(path)
            self.assertEqual(response.status_code, 200, path)
            parser = TextNodes()
            parser.feed(response.content.decode())
            for text, lang in parser.found:
                if lang != language:
                    continue
                languages = known.get(text)
                if languages is not None and language not in languages:
                    found.append(f"{path}: {text!r} is in {sorted(languages)} but carries lang={lang}")
                elif text in english and languages is None:
                    found.append(f"{path}: English text {text!r}")
                else:
                    found += [f"{path}: English {s!r} inside {text!r}" for s in long_english if s in text]
        return found

    def test_no_page_shows_english_of_ours_or_unmarked_content_in_another_language(self) -> None:
        known = self.content_languages()
        problems = []
        for language, folder in LANGUAGES.items():
            problems += self.problems(language, folder, known)
        self.assertEqual(problems, [])

    def test_content_only_in_another_language_says_so_in_the_page_language(self) -> None:
        response = self.client.get(f"/fr/library/{self.english_only.slug}/")
        self.assertContains(response, "Disponible uniquement dans cette langue : anglais")
        self.assertContains(response, '<bdi lang="en" dir="ltr">Example online safety workshop kit</bdi>')
        library = self.client.get("/zh-hans/library/?type=training")
        self.assertContains(library, "仅有此语言版本：英语")

    def test_a_chinese_publisher_on_an_arabic_page_carries_its_language(self) -> None:
        response = self.client.get(f"/ar/library/{self.chinese.slug}/")
        self.assertContains(response, '<bdi lang="zh-hans" dir="ltr">示例出版社</bdi>')
        same = self.client.get(f"/zh-hans/library/{self.chinese.slug}/")
        self.assertContains(same, "<dd>示例出版社</dd>", html=False)


class SourceNotesTestCase(SimpleTestCase):
    def test_every_source_of_the_reference_data_has_a_translatable_description(self) -> None:
        with open(
            Path(settings.BASE_DIR) / "cop" / "core" / "reference" / "sources.json", encoding="utf-8"
        ) as f:
            self.assertEqual(set(json.load(f)), set(source_notes()))

    def test_every_source_of_the_helplines_file_is_translatable(self) -> None:
        path = Path(settings.BASE_DIR) / "cop" / "helplines" / "reference" / "services.toml"
        with open(path, "rb") as handle:
            self.assertLessEqual({s["source"] for s in tomllib.load(handle)["services"]}, KNOWN)

    def test_a_publication_name_in_an_arabic_sentence_is_isolated_left_to_right(self) -> None:
        with override("ar"):
            line = str(describe("libphonenumber short-number metadata (phonenumbers 9.0.1)"))
        self.assertIn('<bdi lang="en" dir="ltr">libphonenumber</bdi>', line)
        self.assertIn("9.0.1", line)
        self.assertEqual(str(describe("<b>typed by an editor</b>")), "&lt;b&gt;typed by an editor&lt;/b&gt;")
