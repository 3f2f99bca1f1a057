"""The proposal form after a failed try, and what the proposal's page shows of it."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from cop.core.tests.base import BaseTestCase
from cop.guidance.models import Resource, Status
from cop.guidance.tests import test_library as library


@override_settings(MEDIA_ROOT=library.MEDIA, LIBRARY_MAX_UPLOAD_MB=1, KEPT_UPLOADS_DIR=library.KEPT)
class ProposalFormTestCase(BaseTestCase):
    def submit(self, language: str = "fr", **changes: Any) -> Any:
        # The library tests' proposal, without inheriting (and so running again) their tests.
        data = library.LibraryTestCase.proposal(self, **changes)  # type: ignore[arg-type]
        return self.client_for(self.world.pablo).post(f"/{language}/library/submit/", data)

    def test_when_another_field_fails_the_page_names_the_chosen_file_and_says_it_is_kept(self) -> None:
        upload = SimpleUploadedFile("teachers-week.pdf", library.pdf_bytes(), content_type="application/pdf")
        response = self.submit(language="en", year="2999", file=upload)
        assert response.status_code == 200
        self.assertContains(response, "teachers-week.pdf")
        self.assertContains(response, "Kept from your last try")

    def test_when_another_field_fails_the_chosen_age_bands_stay_chosen(self) -> None:
        response = self.submit(language="en", year="2999", age_bands=["5-7", "13-17"])
        html = response.content.decode()
        checked = [band for band in ("5-7", "8-12", "13-17") if self._checked(html, "age_bands", band)]
        assert checked == ["5-7", "13-17"]

    @staticmethod
    def _checked(html: str, name: str, value: str) -> bool:
        import re

        for tag in re.findall(r"<input[^>]*>", html):
            if f'name="{name}"' in tag and f'value="{value}"' in tag:
                return "checked" in tag
        raise AssertionError(f"no {name} {value}")

    def test_the_proposal_page_lists_for_whom_without_a_leading_comma_and_the_ages(self) -> None:
        self.submit(language="en", audiences=["educators", "parents"], age_bands=["8-12", "13-17"])
        resource = Resource.objects.get(publisher="Example Académie")
        page = self.client_for(self.world.alice).get(resource.get_absolute_url()).content.decode()
        assert "<dd>, " not in page
        self.assertInHTML("<dt>For whom</dt>", page)
        assert "<dd>Parents and guardians, Educators</dd>" in page
        self.assertInHTML("<dt>Children&#x27;s ages</dt>", page)
        assert "<dd>Ages 8 to 12, Ages 13 to 17</dd>" in page

    def test_changing_a_proposal_with_a_file_names_the_file_it_has(self) -> None:
        upload = SimpleUploadedFile("teachers-week.pdf", library.pdf_bytes(), content_type="application/pdf")
        self.submit(language="en", file=upload)
        resource = Resource.objects.get(publisher="Example Académie")
        Resource.objects.filter(pk=resource.pk).update(status=Status.CHANGES_REQUESTED)
        page = self.client_for(self.world.pablo).get(f"/en/library/{resource.slug}/edit/")
        self.assertContains(page, "It has a file")
