"""The API's per-field validation messages in the request's language.

The request models are validated by pydantic, whose messages are English and fixed. Each of its errors
carries a stable `type` and the numbers it speaks of (`ctx`), so the message is written here, once per
kind, and translated like every other text; a check of our own (a `ValueError` raised in a validator)
already speaks the request's language and is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# pydantic error type -> message; `%(name)s` takes the error's context value of that name.
MESSAGES: dict[str, Promise] = {
    "missing": _("This field is required."),
    "extra_forbidden": _("This field is not part of the request."),
    "string_type": _("Enter text."),
    "string_too_short": _("Enter at least %(min_length)s characters."),
    "string_too_long": _("Enter at most %(max_length)s characters."),
    "string_pattern_mismatch": _("This text holds characters that are not allowed here."),
    "string_unicode": _("Enter valid text."),
    "int_type": _("Enter a whole number."),
    "int_parsing": _("Enter a whole number."),
    "int_from_float": _("Enter a whole number."),
    "float_type": _("Enter a number."),
    "float_parsing": _("Enter a number."),
    "finite_number": _("Enter a finite number."),
    "decimal_parsing": _("Enter a number."),
    "decimal_type": _("Enter a number."),
    "bool_type": _("Enter true or false."),
    "bool_parsing": _("Enter true or false."),
    "greater_than": _("Enter a number greater than %(gt)s."),
    "greater_than_equal": _("Enter a number of at least %(ge)s."),
    "less_than": _("Enter a number less than %(lt)s."),
    "less_than_equal": _("Enter a number of at most %(le)s."),
    "multiple_of": _("Enter a multiple of %(multiple_of)s."),
    "too_short": _("Give at least %(min_length)s items."),
    "too_long": _("Give at most %(max_length)s items."),
    "list_type": _("Give a list."),
    "set_type": _("Give a list."),
    "tuple_type": _("Give a list."),
    "dict_type": _("Give an object."),
    "model_type": _("Give an object."),
    "model_attributes_type": _("Give an object."),
    "enum": _("Choose one of the allowed values."),
    "literal_error": _("Choose one of the allowed values."),
    "json_invalid": _("The body is not valid JSON."),
    "json_type": _("The body is not valid JSON."),
    "datetime_type": _("Enter a date and time (ISO 8601)."),
    "datetime_parsing": _("Enter a date and time (ISO 8601)."),
    "datetime_from_date_parsing": _("Enter a date and time (ISO 8601)."),
    "timezone_aware": _("Enter a date and time with its offset from UTC."),
    "timezone_naive": _("Enter a date and time without an offset."),
    "date_type": _("Enter a date (YYYY-MM-DD)."),
    "date_parsing": _("Enter a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": _("Enter a date (YYYY-MM-DD)."),
    "date_from_datetime_inexact": _("Enter a date (YYYY-MM-DD)."),
    "time_type": _("Enter a time of day (HH:MM)."),
    "time_parsing": _("Enter a time of day (HH:MM)."),
    "uuid_type": _("Enter a UUID."),
    "uuid_parsing": _("Enter a UUID."),
    "url_type": _("Enter a web address."),
    "url_parsing": _("Enter a web address."),
    "url_scheme": _("Enter a web address starting with http:// or https://."),
    "url_too_long": _("The web address is too long."),
    "none_required": _("This field must be empty."),
    "bytes_type": _("Enter text."),
}
OTHERWISE = _("This value is not valid.")


def field_message(error: Mapping[str, Any]) -> str:
    """The message for one of pydantic's errors, in the active language."""
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in context:
        # Our own validator's message, written with gettext in the request's language.
        return str(context["error"])
    if kind in ("too_short", "too_long") and (
        isinstance(error.get("input"), str) or context.get("field_type") == "Value"
    ):
        # A length constraint applied after a validator of ours is checked generically: still text.
        kind = f"string_{kind}"
    template = MESSAGES.get(kind, OTHERWISE)
    try:
        return str(template) % {name: value for name, value in context.items()}
    except (KeyError, TypeError, ValueError):
        return str(OTHERWISE)
