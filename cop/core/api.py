"""API endpoints of the core app: reference data and the organisations registry.

No `from __future__ import annotations` here: django-ninja reads the
parameter annotations at run time.
"""

from typing import Annotated

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import HttpBearer
from pydantic import AnyHttpUrl, ConfigDict, JsonValue, StringConstraints, WithJsonSchema, model_validator

from cop.core import audit, permissions
from cop.core.api_fields import Body, CountryCode, FreeText, FromString, RegionCode, VisibleText
from cop.core.errors import Conflict, Invalid, NotFound
from cop.core.middleware import client_ip
from cop.core.models import (
    ApiToken,
    Country,
    DevelopmentLevel,
    Organisation,
    OrganisationKind,
    Region,
    UNStatus,
)
from cop.core.pagination import LimitOffset

router = Router()


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = ApiToken.authenticate(token)
        if api_token is None:
            return None
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            # A bare update: bookkeeping, not a privileged write worth auditing.
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        audit.set_actor(
            audit.AuditActor(
                label=f"token {api_token.key_id} ({api_token.organisation.name})",
                user=api_token.created_by,
                token=api_token,
                ip_address=client_ip(request),
            )
        )
        return api_token


token_auth = TokenAuth()


def actor(request: HttpRequest) -> permissions.Actor:
    auth = getattr(request, "auth", None)
    return permissions.Actor(token=auth) if isinstance(auth, ApiToken) else permissions.Actor()


class ErrorDetail(Schema):
    location: list[str] = Field(
        description='Where the problem is, e.g. ["body", "urls"] or ["query", "limit"].'
    )
    message: str


class ErrorOut(Schema):
    """The one error body of the API, whatever the status."""

    code: str = Field(
        description="One per HTTP status: bad_request, unauthenticated, forbidden, not_found, "
        "method_not_allowed, conflict, too_large, unsupported_media_type, invalid_request, too_many_requests."
    )
    message: str = Field(description="What went wrong, in the language asked for with Accept-Language.")
    details: list[ErrorDetail] | None = Field(None, description="Validation errors only: one per problem.")


class RegionOut(Schema):
    code: str
    name: str
    countries: int
    source: str


class CountryOut(Schema):
    iso2: str
    iso3: str
    numeric: str
    name: str = Field(description="Name in the language asked for with Accept-Language.")
    names: dict[str, str] = Field(description="Names in the six UN languages (CLDR).")
    un_status: UNStatus
    region: str
    development_level: DevelopmentLevel
    development_level_source: str
    development_level_as_of: str | None

    @staticmethod
    def from_country(country: Country) -> "CountryOut":
        as_of = country.development_level_as_of
        return CountryOut(
            iso2=country.iso2,
            iso3=country.iso3,
            numeric=country.numeric,
            name=country.name,
            names=country.names,
            un_status=UNStatus(country.un_status),
            region=country.region_id,
            development_level=DevelopmentLevel(country.development_level),
            development_level_source=country.development_level_source,
            development_level_as_of=as_of.isoformat() if as_of else None,
        )


class CountryFilter(Schema):
    region: RegionCode | None = None
    development_level: DevelopmentLevel | None = None
    un_status: UNStatus | None = None


# A path names a country that may not exist: 404, as for any other record.
CountryInPath = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]


@router.get("/regions", response=list[RegionOut], tags=["reference data"])
def list_regions(request: HttpRequest) -> list[RegionOut]:
    """The six ITU regions."""
    return [
        RegionOut(code=r.code, name=r.name, countries=r.countries.count(), source=r.source)
        for r in Region.objects.all()
    ]


@router.get("/regions/{code}", response={200: RegionOut, 404: ErrorOut}, tags=["reference data"])
def get_region(request: HttpRequest, code: str) -> RegionOut:
    region = get_object_or_404(Region, code=code)
    return RegionOut(
        code=region.code, name=region.name, countries=region.countries.count(), source=region.source
    )


@router.get("/countries", response={200: list[CountryOut], 422: ErrorOut}, tags=["reference data"])
def list_countries(request: HttpRequest, filters: Query[CountryFilter]) -> list[CountryOut]:
    """UN Member States and observer States with ITU region and development level."""
    countries = Country.objects.all()
    if filters.region is not None:
        countries = countries.filter(region_id=filters.region)
    if filters.development_level is not None:
        countries = countries.filter(development_level=filters.development_level)
    if filters.un_status is not None:
        countries = countries.filter(un_status=filters.un_status)
    return [CountryOut.from_country(c) for c in countries]


@router.get(
    "/countries/{iso2}", response={200: CountryOut, 404: ErrorOut, 422: ErrorOut}, tags=["reference data"]
)
def get_country(request: HttpRequest, iso2: CountryInPath) -> CountryOut:
    country = Country.objects.filter(iso2=iso2.upper()).first()
    if country is None:
        raise NotFound(_("No country has the code %(iso2)s."), iso2=iso2.upper())
    return CountryOut.from_country(country)


class OrganisationOut(Schema):
    id: int
    name: str
    kind: OrganisationKind
    country: str | None
    website: str
    description: str


Name = Annotated[VisibleText, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[FreeText, StringConstraints(max_length=2000)]


# A ministry or a regulator belongs to a country (Organisation.clean): said in the schema too.
NATIONAL_KINDS: list[JsonValue] = [OrganisationKind.MINISTRY.value, OrganisationKind.REGULATOR.value]
# pydantic's AnyHttpUrl is documented as any URI ("reports:queue"); only http and https are read.
Website = Annotated[
    AnyHttpUrl,
    WithJsonSchema(
        # A host after the scheme: "http://" alone is refused (empty host).
        {
            "type": "string",
            "format": "uri",
            "maxLength": 2083,
            "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\\s]",
        }
    ),
]


class OrganisationIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"kind": {"enum": NATIONAL_KINDS}}, "required": ["kind"]},
            "then": {"properties": {"country": {"type": "string"}}, "required": ["country"]},
        }
    )

    name: Name
    kind: Annotated[OrganisationKind, FromString]
    country: CountryCode | None = None
    website: Website | None = None
    description: Description = ""

    @model_validator(mode="after")
    def national_kinds_have_a_country(self) -> "OrganisationIn":
        if self.kind in NATIONAL_KINDS and self.country is None:
            raise ValueError(gettext("A ministry or regulator belongs to a country."))
        return self


class OrganisationPatch(Body):
    name: Name | None = None
    kind: Annotated[OrganisationKind, FromString] | None = Field(
        None, description="Only the secretariat may change it (403 otherwise): it decides where reports go."
    )
    country: CountryCode | None = None
    website: Website | None = None
    description: Description | None = None


def _out(org: Organisation) -> OrganisationOut:
    return OrganisationOut(
        id=org.pk,
        name=org.name,
        kind=OrganisationKind(org.kind),
        country=org.country_id,
        website=org.website,
        description=org.description,
    )


class OrganisationFilter(Schema):
    country: CountryCode | None = None
    kind: OrganisationKind | None = None


@router.get("/organisations", response=list[OrganisationOut], tags=["organisations"])
@paginate(LimitOffset)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilter]) -> list[OrganisationOut]:
    organisations = Organisation.objects.all()
    if filters.country:
        organisations = organisations.filter(country_id=filters.country.upper())
    if filters.kind:
        organisations = organisations.filter(kind=filters.kind)
    return [_out(o) for o in organisations]


@router.get(
    "/organisations/{organisation_id}", response={200: OrganisationOut, 404: ErrorOut}, tags=["organisations"]
)
def get_organisation(request: HttpRequest, organisation_id: int) -> OrganisationOut:
    return _out(get_object_or_404(Organisation, pk=organisation_id))


def _country(iso2: str | None) -> Country | None:
    if iso2 is None:
        return None
    country = Country.objects.filter(iso2=iso2.upper()).first()
    if country is None:
        raise Invalid(_("No country has the code %(iso2)s."), iso2=iso2.upper())
    return country


def _save(org: Organisation) -> None:
    from django.core.exceptions import ValidationError as DjangoValidationError

    try:
        # Uniqueness is left to the database so that a clash is a 409, not a 422.
        org.full_clean(validate_constraints=False)
    except DjangoValidationError as exc:
        raise Invalid(" ".join(exc.messages)) from None
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError:
        raise Conflict(_("An organisation with this name already exists in this country.")) from None


WRITE_RESPONSES = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post(
    "/organisations",
    response={201: OrganisationOut, **WRITE_RESPONSES},
    auth=token_auth,
    tags=["organisations"],
)
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Status[OrganisationOut]:
    country = _country(payload.country)
    permissions.require(actor(request), "core.add_organisation", country_id=country.pk if country else None)
    org = Organisation(
        name=payload.name,
        kind=payload.kind,
        country=country,
        website=str(payload.website) if payload.website else "",
        description=payload.description,
    )
    _save(org)
    return Status(201, _out(org))


@router.patch(
    "/organisations/{organisation_id}",
    response={200: OrganisationOut, **WRITE_RESPONSES},
    auth=token_auth,
    tags=["organisations"],
)
def update_organisation(
    request: HttpRequest, organisation_id: int, payload: OrganisationPatch
) -> OrganisationOut:
    org = get_object_or_404(Organisation, pk=organisation_id)
    who = actor(request)
    permissions.require(who, "core.change_organisation", country_id=org.country_id, organisation_id=org.pk)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("kind") is not None and changes["kind"] != org.kind:
        permissions.require(
            who, "core.change_organisation_kind", country_id=org.country_id, organisation_id=org.pk
        )
    if "country" in changes:
        org.country = _country(changes["country"])
        permissions.require(who, "core.change_organisation", country_id=org.country_id)
    for name in ("name", "kind", "description"):
        if name in changes and changes[name] is not None:
            setattr(org, name, changes[name])
    if "website" in changes:
        org.website = str(changes["website"]) if changes["website"] else ""
    _save(org)
    return _out(org)


class TokenOut(Schema):
    key_id: str
    name: str
    role: str
    organisation: OrganisationOut


@router.get("/me", response={200: TokenOut, 401: ErrorOut}, auth=token_auth, tags=["tokens"])
def whoami(request: HttpRequest) -> TokenOut:
    """The token in use: its organisation and the role it acts with."""
    token = request.auth  # type: ignore[attr-defined]
    return TokenOut(
        key_id=token.key_id, name=token.name, role=token.role, organisation=_out(token.organisation)
    )
