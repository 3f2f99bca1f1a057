"""The API's per-field messages: one per kind of pydantic error, in every language, numbers filled in."""

from django.conf import settings
from django.test import SimpleTestCase
from django.utils import translation

from cop.core.validation_messages import MESSAGES, OTHERWISE, field_message

CONTEXT = {"min_length": 3, "max_length": 7, "gt": 1, "ge": 2, "lt": 8, "le": 9, "multiple_of": 5}


class FieldMessageTests(SimpleTestCase):
    def test_every_kind_reads_in_every_language_with_its_numbers(self) -> None:
        with translation.override("en"):
            english = {kind: str(message) for kind, message in MESSAGES.items()}
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for kind in MESSAGES:
                    text = field_message({"type": kind, "ctx": CONTEXT})
                    self.assertNotIn("%(", text, (language, kind))
                    if language != "en":
                        self.assertNotEqual(text, english[kind] % CONTEXT, (language, kind))

    def test_a_check_of_our_own_is_shown_as_it_was_written(self) -> None:
        message = field_message({"type": "value_error", "ctx": {"error": ValueError("the link has no host")}})
        self.assertEqual(message, "the link has no host")

    def test_an_unknown_kind_gets_the_general_message(self) -> None:
        self.assertEqual(field_message({"type": "something_new"}), str(OTHERWISE))

    def test_a_text_too_long_after_our_own_check_speaks_of_characters(self) -> None:
        error = {"type": "too_long", "ctx": {"field_type": "Value", "max_length": 200}}
        self.assertEqual(field_message(error), "Enter at most 200 characters.")
        error = {"type": "too_long", "ctx": {"field_type": "List", "max_length": 4}}
        self.assertEqual(field_message(error), "Give at most 4 items.")
