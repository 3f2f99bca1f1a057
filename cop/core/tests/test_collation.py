"""Names are listed in the order of the page's language, everywhere they are listed."""

from __future__ import annotations

import re

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from cop.core.collation import collation_key, sort_by_name
from cop.core.models import Organisation, OrganisationKind
from cop.core.tests.base import BaseTestCase


class CollationTestCase(SimpleTestCase):
    def test_spanish_puts_accented_letters_with_their_letter_and_n_tilde_after_n(self) -> None:
        names = ["Bután", "Bélgica", "Benín", "belice", "Ñandú", "Nueva Zelandia", "Omán", "Noruega"]
        self.assertEqual(
            sort_by_name(names, language="es"),
            ["Bélgica", "belice", "Benín", "Bután", "Noruega", "Nueva Zelandia", "Ñandú", "Omán"],
        )

    def test_russian_puts_short_i_after_i_and_yo_with_ye(self) -> None:
        names = ["Йемен", "Италия", "Казахстан", "Ёлка", "Египет", "Ямайка", "Ирак"]
        self.assertEqual(
            sort_by_name(names, language="ru"),
            ["Египет", "Ёлка", "Ирак", "Италия", "Йемен", "Казахстан", "Ямайка"],
        )

    def test_arabic_sorts_hamza_forms_with_alef_in_alphabet_order(self) -> None:
        names = ["مصر", "تونس", "أفغانستان", "إثيوبيا", "البحرين", "اليمن"]
        self.assertEqual(
            sort_by_name(names, language="ar"), ["إثيوبيا", "أفغانستان", "البحرين", "اليمن", "تونس", "مصر"]
        )

    def test_chinese_sorts_by_pinyin_read_as_words(self) -> None:
        names = ["中国", "德国", "阿富汗", "不丹", "比利时", "重庆", "埃及"]
        # a fù hàn, āi jí, bǐ lì shí, bù dān, chóng qìng (重 read "chong" in this word), dé guó, zhōng guó
        expected = ["阿富汗", "埃及", "比利时", "不丹", "重庆", "德国", "中国"]
        self.assertEqual(sort_by_name(names, language="zh-hans"), expected)

    def test_french_accents_and_case_count_only_between_otherwise_equal_names(self) -> None:
        names = ["Érythrée", "Estonie", "côte", "Côte", "cote", "coté", "Égypte", "Espagne"]
        self.assertEqual(
            sort_by_name(names, language="fr"),
            ["cote", "coté", "côte", "Côte", "Égypte", "Érythrée", "Espagne", "Estonie"],
        )

    @settings(max_examples=30, deadline=None)
    @given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", max_size=8), max_size=8))
    def test_plain_lowercase_latin_sorts_as_the_alphabet(self, names: list[str]) -> None:
        self.assertEqual(sort_by_name(names, language="en"), sorted(names))

    @settings(max_examples=30, deadline=None)
    @given(st.text(max_size=12), st.sampled_from(["ar", "zh-hans", "en", "fr", "ru", "es"]))
    def test_any_text_has_a_key_and_equal_keys_mean_equal_text(self, text: str, language: str) -> None:
        self.assertEqual(collation_key(text, language)[-1], text)


class SortedPagesTestCase(BaseTestCase):
    def options(self, html: str, select_id: str) -> list[str]:
        select = re.search(rf'<select[^>]*id="{select_id}".*?</select>', html, re.S)
        assert select is not None, select_id
        return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0))

    def test_the_spanish_country_list_puts_belgium_before_bhutan(self) -> None:
        html = self.client.get("/es/countries/").content.decode()
        self.assertLess(html.index("Bélgica"), html.index("Bután"))

    def test_country_selects_follow_the_language(self) -> None:
        html = self.client.get("/es/help/").content.decode()
        names = [n.strip() for n in re.findall(r"<option[^>]*>([^<]*)</option>", html)]
        self.assertLess(names.index("Bélgica"), names.index("Bután"))
        report = self.client.get("/es/report/").content.decode()
        self.assertLess(report.index(">Bélgica<"), report.index(">Bután<"))

    def test_organisations_are_listed_in_the_page_language(self) -> None:
        Organisation.objects.create(name="Éducation Exemple", kind=OrganisationKind.NGO)
        Organisation.objects.create(name="Fondation Exemple", kind=OrganisationKind.NGO)
        html = self.client.get("/fr/organisations/").content.decode()
        self.assertLess(html.index("Éducation Exemple"), html.index("Fondation Exemple"))
