from __future__ import annotations

import io

from babel import Locale
from django.core.management import call_command
from django.test import TestCase

from cop.core.models import AuditEvent, Country, DevelopmentLevel, Region, UNStatus
from cop.core.reference.loader import load_reference_data


class ReferenceDataTestCase(TestCase):
    def test_it_has_the_193_un_member_states(self) -> None:
        self.assertEqual(Country.objects.filter(un_status=UNStatus.MEMBER).count(), 193)

    def test_it_flags_the_two_observer_states(self) -> None:
        observers = set(Country.objects.filter(un_status=UNStatus.OBSERVER).values_list("iso2", flat=True))
        self.assertEqual(observers, {"VA", "PS"})

    def test_it_leaves_out_territories_that_are_not_states(self) -> None:
        for code in ["TW", "XK", "HK", "PR", "GL", "EH"]:
            self.assertFalse(Country.objects.filter(iso2=code).exists(), code)

    def test_it_has_the_six_itu_regions(self) -> None:
        self.assertEqual(
            list(Region.objects.values_list("code", flat=True)),
            ["africa", "americas", "arab-states", "asia-pacific", "cis", "europe"],
        )

    def test_it_puts_known_members_in_each_itu_region(self) -> None:
        known = {
            "africa": ["KE", "NG", "ZA", "SN", "ET"],
            "americas": ["BR", "US", "CA", "MX", "JM"],
            "arab-states": ["EG", "SA", "MA", "SD", "AE"],
            "asia-pacific": ["CN", "IN", "JP", "AU", "FJ"],
            "cis": ["RU", "KZ", "UZ", "BY", "AM"],
            "europe": ["FR", "DE", "GB", "TR", "IL"],
        }
        for region, codes in known.items():
            for code in codes:
                self.assertEqual(Country.objects.get(iso2=code).region_id, region, code)

    def test_every_state_has_exactly_one_region(self) -> None:
        self.assertFalse(Country.objects.filter(region__isnull=True).exists())

    def test_it_classifies_least_developed_countries_from_the_un_list(self) -> None:
        ldc = Country.objects.filter(development_level=DevelopmentLevel.LEAST_DEVELOPED)
        self.assertEqual(ldc.count(), 44)
        for code in ["AF", "BD", "HT", "KI", "SS", "YE"]:
            self.assertEqual(Country.objects.get(iso2=code).development_level, "least-developed", code)
        # Graduated from the list: Botswana (1994), Samoa (2014), Bhutan (2023), Sao Tome (2024).
        for code in ["BW", "WS", "BT", "ST"]:
            self.assertEqual(Country.objects.get(iso2=code).development_level, "developing", code)

    def test_it_classifies_developed_countries_by_the_un_convention(self) -> None:
        for code in ["JP", "CA", "US", "AU", "NZ", "DE", "RU"]:
            self.assertEqual(Country.objects.get(iso2=code).development_level, "developed", code)
        for code in ["KR", "SG", "IL", "TR", "CY"]:
            self.assertEqual(Country.objects.get(iso2=code).development_level, "developing", code)

    def test_it_stores_the_source_and_date_of_the_development_level(self) -> None:
        kenya = Country.objects.get(iso2="KE")
        self.assertIn("Least developed", kenya.development_level_source)
        self.assertIsNotNone(kenya.development_level_as_of)

    def test_names_in_chinese_and_arabic_equal_cldr(self) -> None:
        for code in ["CN", "EG", "RU", "BR", "KE"]:
            country = Country.objects.get(iso2=code)
            self.assertEqual(country.names["zh-hans"], Locale.parse("zh_Hans").territories[code])
            self.assertEqual(country.names["ar"], Locale.parse("ar").territories[code])
        self.assertEqual(Country.objects.get(iso2="CN").names["zh-hans"], "中国")
        self.assertEqual(Country.objects.get(iso2="EG").names["ar"], "مصر")

    def test_it_has_iso_alpha3_and_numeric_codes(self) -> None:
        kenya = Country.objects.get(iso2="KE")
        self.assertEqual((kenya.iso3, kenya.numeric), ("KEN", "404"))

    def test_loading_again_changes_nothing(self) -> None:
        before = AuditEvent.objects.count()
        result = load_reference_data()
        self.assertEqual((result.created, result.updated, result.unchanged), (0, 0, 195))
        self.assertEqual(AuditEvent.objects.count(), before)

    def test_loading_repairs_a_changed_fact_and_audits_it(self) -> None:
        Country.objects.filter(iso2="KE").update(development_level="developed")
        result = load_reference_data()
        self.assertEqual(result.updated, 1)
        self.assertEqual(Country.objects.get(iso2="KE").development_level, "developing")
        event = AuditEvent.objects.filter(model="core.Country", object_id="KE").latest("id")
        self.assertEqual(event.actor_label, "system: load_reference_data")
        self.assertEqual(event.before, {"development_level": "developed"})
        self.assertEqual(event.after, {"development_level": "developing"})

    def test_the_command_shows_progress(self) -> None:
        out = io.StringIO()
        call_command("load_reference_data", stdout=out)
        self.assertIn("195/195", out.getvalue())
        self.assertIn("0 created, 0 updated, 195 unchanged", out.getvalue())
