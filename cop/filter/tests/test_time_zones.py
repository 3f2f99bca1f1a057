"""A family's time zone: its country's main zone by default, its country's and the common zones first."""

from __future__ import annotations

import re

from cop.core.models import Country
from cop.filter import time_zones
from cop.filter.models import Family
from cop.filter.tests.helpers import FilterTestCase


def optgroups(html: str) -> list[tuple[str, list[str]]]:
    select = html[html.index('name="time_zone"') :]
    select = select[: select.index("</select>")]
    return [
        (label, re.findall(r'<option value="([^"]*)"', body))
        for label, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, re.S)
    ]


class TimeZonesTestCase(FilterTestCase):
    def test_every_country_has_a_main_zone_the_platform_knows(self) -> None:
        missing = [
            c.iso2 for c in Country.objects.all() if time_zones.main_zone(c.iso2) not in time_zones.AVAILABLE
        ]
        assert missing == []
        assert time_zones.main_zone("US") == "America/New_York"
        assert time_zones.main_zone("KE") == "Africa/Nairobi"
        assert time_zones.zones_of("RU")[0] == "Europe/Moscow"

    def test_a_new_family_gets_the_main_zone_of_its_country_by_default(self) -> None:
        for iso2, zone in [("KE", "Africa/Nairobi"), ("US", "America/New_York"), ("FR", "Europe/Paris")]:
            with self.subTest(country=iso2):
                response = self.parent.post(
                    "/en/filter/families/new/",
                    {"name": f"Family {iso2}", "kind": "family", "country": iso2, "time_zone": ""},
                )
                assert response.status_code == 302
                family = Family.objects.get(name=f"Family {iso2}")
                assert (family.time_zone, family.country_id) == (zone, iso2)

    def test_a_zone_chosen_from_the_list_is_kept(self) -> None:
        self.parent.post(
            "/en/filter/families/new/",
            {"name": "Chosen", "kind": "family", "country": "US", "time_zone": "America/Los_Angeles"},
        )
        assert Family.objects.get(name="Chosen").time_zone == "America/Los_Angeles"

    def test_without_a_country_or_a_zone_the_form_says_so_and_creates_nothing(self) -> None:
        response = self.parent.post(
            "/en/filter/families/new/", {"name": "Nowhere", "kind": "family", "time_zone": ""}
        )
        self.assertContains(response, "Choose a country, or a time zone from the list.", status_code=400)
        assert not Family.objects.filter(name="Nowhere").exists()

    def test_an_unknown_zone_is_refused(self) -> None:
        response = self.parent.post(
            "/en/filter/families/new/",
            {"name": "Odd", "kind": "family", "country": "KE", "time_zone": "Mars/Olympus"},
        )
        assert response.status_code == 400
        assert not Family.objects.filter(name="Odd").exists()

    def test_the_form_guesses_the_country_from_the_browser_and_lists_its_zones_and_the_common_ones_first(
        self,
    ) -> None:
        html = self.parent.get(
            "/en/filter/families/new/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5"
        ).content.decode()
        assert re.search(r'<option value="FR" selected>', html)
        # The default is the country's zone, not UTC.
        assert re.search(r'<option value="" selected>The main time zone of the country above</option>', html)
        groups = optgroups(html)
        assert [label for label, _zones in groups] == [
            "Time zones of France",
            "Common time zones",
            "Every other time zone",
        ]
        assert groups[0][1] == ["Europe/Paris"]
        assert "UTC" in groups[1][1] and "Europe/Paris" not in groups[1][1]
        assert len({z for _label, zones in groups for z in zones}) == len(time_zones.AVAILABLE)

    def test_changing_a_family_lists_its_countrys_zones_first_main_zone_on_top(self) -> None:
        Family.objects.filter(pk=self.family.pk).update(country_id="US", time_zone="America/Chicago")
        html = self.parent.get(f"/en/filter/families/{self.family.pk}/edit/").content.decode()
        label, zones = optgroups(html)[0]
        assert label == "Time zones of United States" and zones[0] == "America/New_York"
        assert '<option value="America/Chicago" selected>' in html
