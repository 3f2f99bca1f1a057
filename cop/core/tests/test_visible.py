"""Names and links refuse invisible and direction-changing characters; free text shows them as codes."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse

from cop.core.models import ApiToken, Organisation, Role
from cop.core.tests.base import BaseTestCase
from cop.core.visible import check_link, check_name, render_inert

HIDDEN = [
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",  # embeddings and overrides
    "\u2066", "\u2067", "\u2068", "\u2069",  # isolates
    "\u200b", "\u200e", "\u200f", "\u2060", "\ufeff", "\u00ad", "\u061c", "\U000e0041",  # zero-width, tags
    "\u2028", "\u3164", "\x1b",
]  # fmt: skip


@pytest.mark.parametrize("character", HIDDEN)
def test_names_and_links_refuse_each_hidden_character(character: str) -> None:
    for check in (check_name, check_link):
        with pytest.raises(ValidationError) as refused:
            check(f"Example{character}Name")
        assert refused.value.code == "invisible"
        assert f"U+{ord(character):04X}" in refused.value.messages[0]


@pytest.mark.parametrize(
    "name",
    [
        "Ligne d'écoute",
        "وزارة الاتصالات",
        "国家互联网应急中心",
        "Министерство связи",
        "می\u200cخواهم",  # Persian: a zero-width non-joiner between letters shapes the word
        "क्\u200dष",  # Devanagari: a joiner after a virama
        "👨\u200d👩\u200d👧 family",  # an emoji sequence
    ],
)
def test_real_names_in_many_scripts_pass(name: str) -> None:
    check_name(name)


def test_joiners_between_latin_letters_or_in_links_are_refused() -> None:
    with pytest.raises(ValidationError):
        check_name("Pay\u200dPal")
    with pytest.raises(ValidationError):
        check_link("https://exa\u200cmple.org/می\u200cخواهم")


def test_free_text_shows_each_hidden_character_as_its_code_and_escapes_the_rest() -> None:
    shown = render_inert("<b>a</b>\u202edcba\u2069 line\nnext\ttab")
    assert shown == (
        '&lt;b&gt;a&lt;/b&gt;<span class="invisible-char">U+202E</span>dcba'
        '<span class="invisible-char">U+2069</span> line\nnext\ttab'
    )
    rendered = Template("{% load visible %}{{ text|visible }}").render(Context({"text": "x\u202ey"}))
    assert rendered == 'x<span class="invisible-char">U+202E</span>y'


class NamesPeopleTypeTestCase(BaseTestCase):
    def test_an_organisation_name_or_website_with_an_override_is_refused_everywhere(self) -> None:
        alice = self.client_for(self.world.alice)
        page = alice.post(reverse("core:organisation-create"), {"name": "Trusted\u202e NGO", "kind": "ngo"})
        self.assertContains(page, "invisible or direction-changing character (U+202E)")
        token = self.token_for(self.world.alice, self.world.secretariat, Role.SECRETARIAT)
        api = self.client.post(
            "/api/v1/organisations",
            json.dumps({"name": "Hotline\u200b", "kind": "ngo"}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert api.status_code == 422 and "U+200B" in api.json()["details"][0]["message"]
        ngo = self.world.ngo
        edit = alice.post(
            reverse("core:organisation-edit", args=[ngo.pk]),
            {"name": ngo.name, "kind": "ngo", "website": "https://example.org/\u2066x", "description": ""},
        )
        assert edit.status_code == 200
        assert not Organisation.objects.filter(name__in=["Trusted\u202e NGO", "Hotline\u200b"]).exists()
        ngo.refresh_from_db()
        assert ngo.website == ""

    def test_a_token_name_with_a_zero_width_space_is_refused(self) -> None:
        kofi = self.client_for(self.world.kofi)
        ministry = self.world.kenya_ministry
        before = ApiToken.objects.count()
        page = kofi.post(
            reverse("core:token-create", args=[ministry.pk]),
            {"name": "nightly\u200bexport", "role": Role.FOCAL_POINT},
        )
        self.assertContains(page, "U+200B", status_code=page.status_code)
        assert ApiToken.objects.count() == before


class EveryNameAndLinkFieldTestCase(BaseTestCase):
    """Each form where people type a name or a link uses the shared checks (one case per form)."""

    def test_each_name_and_link_field_refuses_a_hidden_character(self) -> None:
        from cop.alerts.forms import SubscriptionForm
        from cop.filter.binding import Binder
        from cop.filter.forms import DeviceForm, FamilyForm, ProfileCreateForm, ProfileSettingsForm
        from cop.filter.list_forms import FilterListForm
        from cop.filter.models import Family
        from cop.guidance.forms import ResourceForm
        from cop.helplines.forms import ServiceForm

        forms_and_fields = [
            (ServiceForm(), "name"),
            (SubscriptionForm(organisations=[self.world.kenya_hotline]), "name"),
            (SubscriptionForm(organisations=[self.world.kenya_hotline]), "url"),
            (ResourceForm(), "publisher"),
            (ResourceForm(), "url"),
            (FamilyForm(), "name"),
            (ProfileCreateForm(), "name"),
            (ProfileSettingsForm(), "name"),
            (DeviceForm(binder=Binder(Family(name="f"), None, ())), "name"),
            (FilterListForm(), "name"),
            (FilterListForm(), "url"),
        ]
        for form, field in forms_and_fields:
            with self.assertRaises(ValidationError, msg=f"{type(form).__name__}.{field}") as refused:
                form.fields[field].clean("https://example.org/\u202eexe.txt")
            assert "invisible" in {e.code for e in refused.exception.error_list}, (type(form).__name__, field)

    def test_a_helpline_channel_link_and_the_filter_api_names_refuse_them_too(self) -> None:
        from cop.filter.api import _text
        from cop.helplines.forms import ChannelForm

        channel = ChannelForm({"kind": "web", "value": "https://example.org/\u2066"}, country="KE")
        assert not channel.is_valid() and "U+2066" in str(channel.errors)
        from cop.core.errors import Invalid

        with self.assertRaises(Invalid):
            _text("Amara\u200b")
