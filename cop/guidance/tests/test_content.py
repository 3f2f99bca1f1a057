"""The shipped content files: complete in six languages, well formed, and plain for children."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import textstat
from django.conf import settings
from django.test import override_settings

from cop.core.content import ContentError
from cop.guidance import markdown
from cop.guidance.content import ParsedGuideline, parse_guidelines, parse_library
from cop.guidance.models import AUDIENCE_GROUPS, ResourceType

LANGUAGES = [code for code, _name in settings.LANGUAGES]
MIN_READING_EASE = {"5-7": 80, "8-12": 70, "13-17": 60}
# Characters of a translation per character of the English text. Chinese packs a
# word into one or two characters; the other languages run a little longer than English.
LENGTH_RATIO = {
    "ar": (0.6, 1.6),
    "es": (0.8, 1.8),
    "fr": (0.8, 1.8),
    "ru": (0.8, 1.8),
    "zh-hans": (0.15, 0.7),
}


@pytest.fixture(scope="module")
def guidelines() -> list[ParsedGuideline]:
    return parse_guidelines()


def test_every_set_and_group_ships_its_items(guidelines: list[ParsedGuideline]) -> None:
    groups = {(g.audience, g.group) for g in guidelines}
    assert groups == {(a, g) for a, gs in AUDIENCE_GROUPS.items() for g in gs}
    children = {g.slug for g in guidelines if g.audience == "children" and g.group == "8-12"}
    assert children == {
        "chatting", "games", "bullying", "personal-details", "harmful-content", "grooming", "sharing-images",
        "getting-help",
    }  # fmt: skip
    for band in ("5-7", "13-17"):
        assert {g.slug for g in guidelines if g.group == band} == children
    assert {g.slug for g in guidelines if g.audience == "policy"} == {
        "legal-framework", "law-enforcement", "resources-and-reporting", "education-and-awareness",
        "national-checklist",
    }  # fmt: skip


def test_every_shipped_item_has_all_six_languages(guidelines: list[ParsedGuideline]) -> None:
    for item in guidelines:
        assert sorted(item.texts) == sorted(LANGUAGES), item.path


@pytest.mark.parametrize("band", ["5-7", "8-12", "13-17"])
def test_english_texts_for_children_read_easily(guidelines: list[ParsedGuideline], band: str) -> None:
    textstat.set_lang("en")
    for item in (g for g in guidelines if g.group == band):
        text = markdown.plain_text(item.texts["en"].body)
        score = textstat.flesch_reading_ease(text)
        assert score >= MIN_READING_EASE[band], f"{item.path}: Flesch Reading Ease {score:.0f}"


def test_young_children_get_one_short_idea_per_screen(guidelines: list[ParsedGuideline]) -> None:
    for item in (g for g in guidelines if g.group == "5-7"):
        for language, text in item.texts.items():
            screens = markdown.sections(text.body)
            assert 3 <= len(screens) <= 6, f"{item.path}/{language}"
            for screen in screens:
                assert screen.heading, f"{item.path}/{language}: a screen without a heading"
                assert "\n\n\n" not in screen.body
            if language in ("en", "es", "fr", "ru"):
                for screen in screens:
                    sentences = [
                        s for s in re.split(r"[.!?]+\s", markdown.plain_text(screen.body)) if s.strip()
                    ]
                    assert len(sentences) <= 3, f"{item.path}/{language}: {screen.heading}"


def test_translations_keep_the_length_of_the_english_text(guidelines: list[ParsedGuideline]) -> None:
    for item in guidelines:
        english = len(markdown.plain_text(item.texts["en"].body))
        for language, (low, high) in LENGTH_RATIO.items():
            ratio = len(markdown.plain_text(item.texts[language].body)) / english
            assert low <= ratio <= high, f"{item.path}/{language}: {ratio:.2f} of the English length"


def test_the_starter_library_holds_real_links_of_every_type() -> None:
    resources = parse_library()
    assert len(resources) >= 20
    assert {r.type for r in resources} == set(ResourceType.values)
    assert all(r.url.startswith("https://") or r.url.startswith("http://") for r in resources)
    assert len({r.url for r in resources}) == len(resources)
    french_training = [r for r in resources if r.language == "fr" and r.type == "training"]
    assert french_training, "a teacher looking in French needs training material in French"


def _copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(settings.CONTENT_DIR, target)
    return target


def test_a_missing_translation_is_reported_with_its_path(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    (content / "guidelines/children/8-12/games/zh-hans.md").unlink()
    with override_settings(CONTENT_DIR=content), pytest.raises(ContentError) as error:
        parse_guidelines()
    assert "guidelines/children/8-12/games/zh-hans.md: missing" in str(error.value)


def test_a_translation_with_another_structure_is_refused(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    path = content / "guidelines/parents/home/talking/fr.md"
    path.write_text(path.read_text() + "\n## Une section de trop\n\nTexte.\n")
    with override_settings(CONTENT_DIR=content), pytest.raises(ContentError) as error:
        parse_guidelines()
    assert "parents/home/talking/fr.md: structure differs from English" in str(error.value)


def test_html_and_links_in_a_content_file_are_refused(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    path = content / "guidelines/policy/national/legal-framework/en.md"
    path.write_text(path.read_text() + "\n<script>alert(1)</script>\n")
    with override_settings(CONTENT_DIR=content), pytest.raises(ContentError) as error:
        parse_guidelines()
    assert "legal-framework/en.md: contains HTML or a link" in str(error.value)


def test_an_unknown_risk_code_is_refused(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    (content / "guidelines/children/5-7/games/item.toml").write_text(
        'position = 2\nthreats = ["no-such-risk"]\n'
    )
    with override_settings(CONTENT_DIR=content), pytest.raises(ContentError) as error:
        parse_guidelines()
    assert "unknown risk codes: no-such-risk" in str(error.value)


def test_a_library_entry_with_a_script_link_is_refused(tmp_path: Path) -> None:
    content = _copy_content(tmp_path)
    first = sorted((content / "library").glob("*.toml"))[0]
    text = re.sub(r'(?m)^url = ".*"$', 'url = "javascript:alert(1)"', first.read_text(), count=1)
    first.write_text(text)
    with override_settings(CONTENT_DIR=content), pytest.raises(ContentError) as error:
        parse_library()
    assert f"library/{first.name}: url must be an http or https link" in str(error.value)
