"""Forms of the family filter, and the parsing of what people type: site names and networks.

The parsing functions raise ValidationError with a message meant for the person who typed the
value; the API (cop/filter/api.py) uses the same functions, so a page and the API refuse the
same input with the same words.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from publicsuffixlist import PublicSuffixList

from cop.core.models import Country
from cop.core.visible import check_name
from cop.filter import time_zones
from cop.filter.actions import max_log_hours
from cop.filter.binding import Binder
from cop.filter.categories import CHOOSABLE
from cop.filter.models import Entry, Family, Profile
from cop.filter.names import BadName, normalise
from cop.guidance.validators import plain_text

PAUSE_MINUTES = (15, 30, 60, 120)
MAX_NETWORKS = 50
MAX_ALLOWED_SITES = 200
MAX_SITE_INPUT = 2048  # room for a pasted address (URL); the name in it is at most 253 characters


def category_choices() -> list[tuple[str, Any]]:
    """What a parent may block: never the illegal list, which is blocked for everyone anyway."""
    return [(category.code, category.label) for category in CHOOSABLE]


def day_choices() -> list[tuple[str, Any]]:
    return [(str(number), name) for number, name in WEEKDAYS.items()]


def _host_part(raw: str) -> str:
    """People paste addresses (https://www.example.org/page); the filter works on the name alone."""
    text = raw.strip()
    if _pasted(text):
        parts = urlsplit(text if "//" in text else "//" + text)
        try:
            return parts.hostname or text
        except ValueError:  # a malformed port or bracket; let the name check explain
            return text
    return text


def _pasted(text: str) -> bool:
    """An address copied from a browser (a scheme, a path or a user) rather than a name typed."""
    return "/" in text or "@" in text


@functools.cache
def _public_suffixes() -> PublicSuffixList:
    # The list ships inside the package; reading it takes a moment, so once per process.
    return PublicSuffixList()


@dataclass(frozen=True)
class Site:
    """A site as the filter stores it, and whether that differs from what the person typed."""

    name: str
    typed: str
    changed: bool


def read_site(raw: str, *, whole_site: bool = False) -> Site:
    """A site name as the filter stores it (`Bücher.Example.` -> `xn--bcher-kva.example`).

    A name typed without a scheme is the name the person meant (`videos.example.com`), less a
    leading `www.`, which names the site itself. With `whole_site` (what a parent blocks), a pasted
    address stands for its whole site: `https://www.roblox.com/games` -> `roblox.com`, the name a
    registry hands out (the Public Suffix List knows `example.co.uk` and `someone.github.io`), which
    covers its subdomains. What is allowed is never widened that way: allowing a pasted
    `https://docs.example.com/x` must not allow all of `example.com`.
    """
    text = raw.strip()
    try:
        host = normalise(_host_part(text))
    except BadName as problem:
        raise ValidationError(
            _("“%(site)s” is not a website name the filter can use: %(problem)s.")
            % {"site": text[:100], "problem": problem},
            code="bad_name",
        ) from None
    name = host
    if whole_site and _pasted(text):
        name = _public_suffixes().privatesuffix(host) or host
    elif host.startswith("www.") and host.count(".") >= 2:
        name = host[4:]
    return Site(name=name, typed=text, changed=_pasted(text) or name != host)


def parse_site(raw: str, *, whole_site: bool = False) -> str:
    return read_site(raw, whole_site=whole_site).name


def stored_note(site: Site) -> str:
    """Tells the parent what the list keeps when it is not what they typed; empty when it is."""
    if not site.changed:
        return ""
    return _("You typed %(typed)s; the list keeps %(site)s, which covers its subdomains too.") % {
        "typed": site.typed[:100],
        "site": site.name,
    }


def parse_sites(lines: Iterable[str]) -> list[str]:
    """Several site names, one per line; every bad line is named, and none is kept if one is bad."""
    names: list[str] = []
    problems: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            name = parse_site(line)
        except ValidationError as error:
            problems.append(_("Line %(line)s: %(problem)s") % {"line": number, "problem": error.messages[0]})
            continue
        if name not in names:
            names.append(name)
    if problems:
        raise ValidationError(problems, code="bad_name")
    if len(names) > MAX_ALLOWED_SITES:
        raise ValidationError(
            _("At most %(count)s sites, please.") % {"count": MAX_ALLOWED_SITES}, code="too_many"
        )
    return sorted(names)


def parse_networks(lines: Iterable[str]) -> list[str]:
    """IP addresses and networks, normalised: 192.0.2.7/24 -> 192.0.2.0/24, 192.0.2.7 -> 192.0.2.7/32."""
    networks: list[str] = []
    problems: list[str] = []
    for line in lines:
        value = line.strip()
        if not value:
            continue
        try:
            # A zone (fe80::1%eth0) names an interface of one machine: meaningless to the resolver.
            if "%" in value:
                raise ValueError(value)
            network = str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            problems.append(
                _("“%(value)s” is not an IP address or network (write it like 192.0.2.7 or 192.0.2.0/24).")
                % {"value": value[:60]}
            )
            continue
        if network not in networks:
            networks.append(network)
    if problems:
        raise ValidationError(problems, code="bad_network")
    if len(networks) > MAX_NETWORKS:
        raise ValidationError(
            _("At most %(count)s addresses or networks per device.") % {"count": MAX_NETWORKS},
            code="too_many",
        )
    return networks


def check_categories(codes: Iterable[str]) -> list[str]:
    """Only codes a parent may choose; the illegal list and unknown codes are refused."""
    allowed = {code for code, _label in category_choices()}
    unknown = sorted(set(codes) - allowed)
    if unknown:
        raise ValidationError(
            _("Unknown category: %(codes)s. Choose among: %(allowed)s.")
            % {"codes": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))},
            code="unknown_category",
        )
    return sorted(set(codes))


# The time zone choice that stands for the main zone of the country chosen in the same form, so that
# the default follows the country without JavaScript.
COUNTRY_ZONE = ""


class FamilyForm(forms.ModelForm[Family]):
    country = forms.ModelChoiceField(
        label=gettext_lazy("Country"),
        queryset=Country.objects.order_by("name_en"),
        required=False,
        empty_label=gettext_lazy("Choose a country"),
        help_text=gettext_lazy("Its time zone is the default, and its zones are listed first."),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        required=False,
        help_text=gettext_lazy("Schedules such as bedtime follow the clock of this time zone."),
    )

    class Meta:
        model = Family
        fields = ["name", "kind", "country", "time_zone"]
        labels = {"name": gettext_lazy("Name"), "kind": gettext_lazy("Kind")}
        help_texts = {"name": gettext_lazy("For example: The Okafor family, or Hillside Primary School.")}

    def __init__(self, *args: Any, country_hint: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].validators.extend([plain_text, check_name])
        country_field = self.fields["country"]
        assert isinstance(country_field, forms.ModelChoiceField)
        country_field.label_from_instance = lambda c: c.name  # type: ignore[method-assign,assignment]
        if not self.instance.pk:
            if country_hint:
                self.initial.setdefault("country", country_hint)
            self.initial.setdefault("time_zone", COUNTRY_ZONE)
        iso2 = self._country_code()
        zone_field = self.fields["time_zone"]
        assert isinstance(zone_field, forms.ChoiceField)
        country = Country.objects.filter(iso2=iso2).first() if iso2 else None
        groups = time_zones.grouped_choices(
            country.iso2 if country else None,
            _("Time zones of %(country)s") % {"country": country.name} if country else "",
            _("Common time zones"),
            _("Every other time zone"),
        )
        zone_field.choices = [(COUNTRY_ZONE, _("The main time zone of the country above")), *groups]

    def _country_code(self) -> str | None:
        """The country the form shows zones for: the one sent, or the family's, or the guess."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("country"))
            return str(value).upper() if value else None
        initial = self.initial.get("country")
        if isinstance(initial, Country):
            return initial.iso2
        return str(initial).upper() if initial else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("time_zone") == COUNTRY_ZONE and "time_zone" not in self.errors:
            country = data.get("country")
            main = time_zones.main_zone(country.iso2) if country is not None else None
            if main is None:
                self.add_error("time_zone", _("Choose a country, or a time zone from the list."))
            else:
                data["time_zone"] = main
                self.instance.time_zone = main
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("E-mail address of the other parent or guardian"),
        max_length=254,
        help_text=gettext_lazy(
            "We send them a link to accept, valid for 7 days. Once they accept, they see and change "
            "everything here."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class ProfileCreateForm(forms.ModelForm[Profile]):
    class Meta:
        model = Profile
        fields = ["name", "age_band"]
        labels = {"name": gettext_lazy("Child's name or nickname"), "age_band": gettext_lazy("Age")}
        help_texts = {
            "name": gettext_lazy("Only you and the other guardians of the family see it."),
            "age_band": gettext_lazy("Decides which categories start blocked; you can change them next."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].validators.extend([plain_text, check_name])


class CategoryCheckboxes(forms.CheckboxSelectMultiple):
    """Category checkboxes, each described by the line saying what the category holds (coverage.py)."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["attrs"]["aria-describedby"] = f"category-status-{option['value']}"
        return option


class ProfileSettingsForm(forms.ModelForm[Profile]):
    blocked_categories = forms.MultipleChoiceField(
        label=gettext_lazy("Blocked categories"),
        required=False,
        widget=CategoryCheckboxes,
        help_text=gettext_lazy("Sites in a checked category are blocked for this child."),
    )

    class Meta:
        model = Profile
        fields = ["name", "age_band", "blocked_categories", "safe_search", "youtube", "block_answer"]
        labels = {
            "name": gettext_lazy("Child's name or nickname"),
            "age_band": gettext_lazy("Age"),
            "safe_search": gettext_lazy("Safe search on Google, Bing and DuckDuckGo"),
            "youtube": gettext_lazy("YouTube restricted mode"),
            "block_answer": gettext_lazy("Answer for blocked sites"),
        }
        help_texts = {
            "safe_search": gettext_lazy("Hides explicit results in these search engines."),
            "block_answer": gettext_lazy(
                "How a blocked name is answered. Keep the first unless a device or app misbehaves with it."
            ),
        }
        widgets = {"youtube": forms.RadioSelect, "block_answer": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].validators.extend([plain_text, check_name])
        self.fields["blocked_categories"].choices = category_choices()  # type: ignore[attr-defined]

    def clean_blocked_categories(self) -> list[str]:
        return check_categories(self.cleaned_data.get("blocked_categories") or [])


class EntryForm(forms.Form):
    site = forms.CharField(
        label=gettext_lazy("Website"),
        max_length=MAX_SITE_INPUT,
        help_text=gettext_lazy(
            "For example: example.org. It covers its subdomains too, such as www.example.org."
        ),
    )
    action = forms.ChoiceField(
        label=gettext_lazy("What to do"),
        choices=Entry.Action.choices,
        widget=forms.RadioSelect,
        initial="block",
    )

    def __init__(self, *args: Any, profile: Profile, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.profile = profile
        self.stored: Site | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "site" not in data or "action" not in data:
            return data
        # A pasted address blocks its whole site, but allows only its own name: the action decides.
        try:
            site = read_site(data["site"], whole_site=data["action"] == Entry.Action.BLOCK)
        except ValidationError as error:
            self.add_error("site", error)
            return data
        existing = Entry.objects.filter(profile=self.profile, name=site.name).first()
        if existing is not None:
            self.add_error(
                "site",
                ValidationError(
                    _("%(site)s is already on this child's list (%(action)s). Remove it first to change it.")
                    % {"site": site.name, "action": existing.get_action_display()},
                    code="duplicate",
                ),
            )
            return data
        self.stored = site
        data["site"] = site.name
        return data


class PauseForm(forms.Form):
    minutes = forms.TypedChoiceField(
        label=gettext_lazy("Pause for"), coerce=int, choices=[(str(m), str(m)) for m in PAUSE_MINUTES]
    )


class QueryLogForm(forms.Form):
    hours = forms.IntegerField(label=gettext_lazy("Keep the log for (hours)"), min_value=1, initial=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["hours"]
        # The limit comes from a setting, so it is read when the form is made rather than at import.
        field.validators.append(_max_hours)
        field.widget.attrs.update({"max": max_log_hours(), "min": 1})
        field.help_text = _("From 1 to %(hours)s hours. It turns itself off then.") % {
            "hours": max_log_hours()
        }


def _max_hours(value: int) -> None:
    if value > max_log_hours():
        raise ValidationError(_("At most %(hours)s hours.") % {"hours": max_log_hours()}, code="max_value")


class ScheduleForm(forms.Form):
    EVERYTHING = "everything"
    CATEGORIES = "categories"

    label = forms.CharField(
        label=gettext_lazy("Name of the schedule"),
        max_length=60,
        help_text=gettext_lazy("For example: Bedtime, or Homework."),
    )
    days = forms.MultipleChoiceField(label=gettext_lazy("Days"), widget=forms.CheckboxSelectMultiple)
    start = forms.TimeField(
        label=gettext_lazy("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end = forms.TimeField(
        label=gettext_lazy("Until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy(
            "An end earlier than the start runs past midnight, for example 20:00 to 07:00."
        ),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("What is blocked in this time"),
        widget=forms.RadioSelect,
        choices=[
            (EVERYTHING, gettext_lazy("Everything except the allowed sites below")),
            (CATEGORIES, gettext_lazy("Only the categories checked below")),
        ],
        initial=EVERYTHING,
    )
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Categories blocked in this time"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    allowed = forms.CharField(
        label=gettext_lazy("Sites allowed in this time"),
        required=False,
        max_length=MAX_ALLOWED_SITES * 260,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("One per line, for example the school's homework site."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["label"].validators.append(plain_text)
        self.fields["days"].choices = day_choices()  # type: ignore[attr-defined]
        self.fields["categories"].choices = category_choices()  # type: ignore[attr-defined]

    def clean_days(self) -> list[int]:
        return sorted({int(day) for day in self.cleaned_data["days"]})

    def clean_categories(self) -> list[str]:
        return check_categories(self.cleaned_data.get("categories") or [])

    def clean_allowed(self) -> list[str]:
        return parse_sites(str(self.cleaned_data.get("allowed") or "").splitlines())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == self.CATEGORIES and "categories" in data and not data["categories"]:
            self.add_error("categories", _("Check at least one category, or block everything."))
        return data

    def values(self) -> dict[str, Any]:
        """The cleaned values as the Schedule model stores them."""
        data = self.cleaned_data
        everything = data["mode"] == self.EVERYTHING
        return {
            "label": data["label"],
            "days": data["days"],
            "start": data["start"],
            "end": data["end"],
            "block_everything": everything,
            # Blocking everything makes categories meaningless; they are not kept to confuse later.
            "categories": [] if everything else data["categories"],
            "allowed": data["allowed"],
        }


class DeviceForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Device name"),
        max_length=60,
        help_text=gettext_lazy("For example: Amara's tablet."),
    )
    networks = forms.CharField(
        label=gettext_lazy("IP addresses or networks (optional)"),
        required=False,
        max_length=MAX_NETWORKS * 60,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, binder: Binder, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].validators.extend([plain_text, check_name])
        # What this guardian may bind depends on where they are and what is assigned to them.
        self.fields["networks"].help_text = (
            _("One per line, for example 192.0.2.7 or 192.0.2.0/24.") + " " + binder.what_you_can_bind()
        )

    def clean_networks(self) -> list[str]:
        return parse_networks(str(self.cleaned_data.get("networks") or "").splitlines())


class AskForm(forms.Form):
    """A child asking for a site: few words, and nothing else asked of them."""

    site = forms.CharField(
        label=gettext_lazy("Which website?"),
        max_length=MAX_SITE_INPUT,
        help_text=gettext_lazy("For example: example.org"),
    )
    reason = forms.CharField(
        label=gettext_lazy("Why do you need it? (you can leave this empty)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_site(self) -> str:
        try:
            return parse_site(self.cleaned_data["site"])
        except ValidationError:
            raise ValidationError(
                _("We could not read that website name. Write it like this: example.org"), code="bad_name"
            ) from None


def describe_days(days: Iterable[int]) -> str:
    chosen = sorted(set(days))
    if chosen == list(range(7)):
        return _("Every day")
    return ", ".join(str(WEEKDAYS[day]) for day in chosen if day in WEEKDAYS)
