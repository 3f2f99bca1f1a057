from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase, override_settings

LOCALE_DIRS = {"ar": "ar", "zh-hans": "zh_Hans", "fr": "fr", "ru": "ru", "es": "es"}


class TranslationCoverageTestCase(SimpleTestCase):
    """Every UI string in the code has a finished translation in all five other languages."""

    def extract(self) -> set[str]:
        if shutil.which("xgettext") is None:
            self.fail(
                "xgettext (GNU gettext) is needed to check translations; scripts/system-deps installs it"
            )
        # makemessages writes next to the sources it reads, so it reads a copy:
        # the real catalogs are never touched by the test.
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(Path(settings.BASE_DIR) / "cop", Path(tmp) / "cop")
            (Path(tmp) / "locale" / "fr" / "LC_MESSAGES").mkdir(parents=True)
            cwd = os.getcwd()
            os.chdir(tmp)
            try:
                with override_settings(LOCALE_PATHS=[str(Path(tmp) / "locale")]):
                    call_command("makemessages", locale=["fr"], no_location=True, verbosity=0)
            finally:
                os.chdir(cwd)
            catalog = polib.pofile(str(Path(tmp) / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
            return {entry.msgid for entry in catalog if entry.msgid}

    def test_every_ui_string_is_translated_into_every_language(self) -> None:
        source = self.extract()
        self.assertGreater(len(source), 100)
        for language, folder in LOCALE_DIRS.items():
            catalog = polib.pofile(
                str(Path(settings.BASE_DIR) / "locale" / folder / "LC_MESSAGES" / "django.po")
            )
            done = {e.msgid for e in catalog.translated_entries() if not e.obsolete}
            missing = sorted(source - done)
            self.assertEqual(missing, [], f"{language} lacks translations")
            self.assertEqual([e.msgid for e in catalog.fuzzy_entries()], [], f"{language} has fuzzy entries")

    def test_placeholders_survive_translation(self) -> None:
        import re

        pattern = re.compile(r"%\(\w+\)s")
        for folder in LOCALE_DIRS.values():
            catalog = polib.pofile(
                str(Path(settings.BASE_DIR) / "locale" / folder / "LC_MESSAGES" / "django.po")
            )
            for entry in catalog.translated_entries():
                wanted = set(pattern.findall(entry.msgid)) | set(pattern.findall(entry.msgid_plural or ""))
                strings = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
                for text in strings:
                    self.assertEqual(set(pattern.findall(text)) - wanted, set(), (folder, entry.msgid))


class LanguagePagesTestCase(TestCase):
    def test_each_language_has_its_own_prefix_and_direction(self) -> None:
        for code, _name in settings.LANGUAGES:
            response = self.client.get(f"/{code}/")
            self.assertContains(response, f'<html lang="{code}" dir="{"rtl" if code == "ar" else "ltr"}">')

    def test_the_home_page_is_translated(self) -> None:
        expectations = {
            "fr": "Plateforme COP",
            "es": "Plataforma COP",
            "ru": "Платформа COP",
            "zh-hans": "平台",
            "ar": "منصة",
        }
        for code, text in expectations.items():
            self.assertContains(self.client.get(f"/{code}/"), text)

    def test_a_bare_address_redirects_to_a_language(self) -> None:
        response = self.client.get("/", headers={"Accept-Language": "fr-CH,fr;q=0.9"})
        self.assertRedirects(response, "/fr/", fetch_redirect_response=False)

    def test_the_switcher_links_to_the_same_page_in_each_language(self) -> None:
        response = self.client.get("/en/countries/KE/")
        for code in ["ar", "zh-hans", "fr", "ru", "es"]:
            self.assertContains(response, f'href="/{code}/countries/KE/"')

    def test_country_names_follow_the_page_language(self) -> None:
        self.assertContains(self.client.get("/zh-hans/countries/KE/"), "肯尼亚")
        self.assertContains(self.client.get("/ar/countries/EG/"), "مصر")
        self.assertContains(self.client.get("/ru/countries/DE/"), "Германия")
