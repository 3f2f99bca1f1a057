from __future__ import annotations

import io
import re
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils.html import escape

from cop.core.tests.base import BaseTestCase
from cop.core.tests.zip_bombs import docx_bomb
from cop.guidance import search
from cop.guidance.models import Resource, SearchDocument, Status

MEDIA = tempfile.mkdtemp(prefix="cop-test-media-")
KEPT = tempfile.mkdtemp(prefix="cop-test-kept-")


def pdf_bytes(size: int = 2000) -> bytes:
    return b"%PDF-1.4\n" + b"0" * size + b"\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


@override_settings(MEDIA_ROOT=MEDIA, LIBRARY_MAX_UPLOAD_MB=1, KEPT_UPLOADS_DIR=KEPT)
class LibraryTestCase(BaseTestCase):
    def proposal(self, **changes: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "Semaine de formation des enseignants au numérique responsable",
            "summary": "Un programme de formation pour les enseignants du primaire sur le cyberharcèlement.",
            "publisher": "Example Académie",
            "year": "2023",
            "url": "https://example.org/formation",
            "type": "best-practice",
            "language": "fr",
            "country": "FR",
            "licence": "CC BY 4.0",
            "audiences": ["educators"],
            "age_bands": ["8-12"],
        }
        data.update(changes)
        return {k: v for k, v in data.items() if v is not None}

    def submit(self, client: Any = None, language: str = "fr", **changes: Any) -> Any:
        client = client or self.client_for(self.world.pablo)
        return client.post(f"/{language}/library/submit/", self.proposal(**changes))

    def test_a_partner_proposes_a_resource_and_sees_it_waiting(self) -> None:
        response = self.submit()
        assert response.status_code == 302
        resource = Resource.objects.get(publisher="Example Académie")
        assert resource.status == Status.PENDING
        assert resource.submitted_by == self.world.pablo and resource.organisation == self.world.ngo
        assert resource.text("fr").summary.startswith("Un programme")  # type: ignore[union-attr]
        mine = self.client_for(self.world.pablo).get("/fr/library/mine/")
        self.assertContains(mine, "Semaine de formation")
        self.assertContains(mine, "status-pending")
        # Not public, not searchable, not in the feed until approved.
        self.assertNotContains(self.client.get("/fr/library/"), "Semaine de formation")
        assert self.client.get(resource.get_absolute_url()).status_code == 404
        found = search.search("fr", "semaine formation enseignants", kind=SearchDocument.Kind.RESOURCE)
        assert resource.pk not in [d.object_id for d in found]
        self.assertNotContains(self.client.get("/fr/library/feed/"), "Semaine de formation")

    def test_the_secretariat_approves_and_it_is_published_searchable_and_in_the_feed(self) -> None:
        self.submit()
        resource = Resource.objects.get(publisher="Example Académie")
        alice = self.client_for(self.world.alice)
        self.assertContains(alice.get("/en/library/moderation/"), "Semaine de formation")
        response = alice.post(f"/en/library/{resource.slug}/moderate/", {"decision": "approve", "note": ""})
        assert response.status_code == 302
        resource.refresh_from_db()
        assert resource.status == Status.APPROVED and resource.published_at is not None
        assert resource.moderated_by == self.world.alice
        self.assertContains(self.client.get("/fr/library/?q=semaine+formation"), "Semaine de formation")
        found = search.search("fr", "formations des enseignants", kind=SearchDocument.Kind.RESOURCE)
        assert resource.pk in [d.object_id for d in found]
        self.assertContains(self.client.get("/fr/library/feed/"), "Semaine de formation")

    def test_asking_for_changes_needs_a_message_and_the_submitter_can_resend(self) -> None:
        self.submit()
        resource = Resource.objects.get(publisher="Example Académie")
        alice = self.client_for(self.world.alice)
        refused = alice.post(f"/en/library/{resource.slug}/moderate/", {"decision": "changes", "note": ""})
        assert refused.status_code == 400
        resource.refresh_from_db()
        assert resource.status == Status.PENDING
        alice.post(f"/en/library/{resource.slug}/moderate/", {"decision": "changes", "note": "Add the year."})
        resource.refresh_from_db()
        assert resource.status == Status.CHANGES_REQUESTED
        pablo = self.client_for(self.world.pablo)
        self.assertContains(pablo.get("/fr/library/mine/"), "Add the year.")
        response = pablo.post(f"/fr/library/{resource.slug}/edit/", self.proposal(year="2024"))
        assert response.status_code == 302
        resource.refresh_from_db()
        assert resource.status == Status.PENDING and resource.year == 2024

    def test_a_rejection_needs_a_reason_that_the_submitter_sees(self) -> None:
        self.submit()
        resource = Resource.objects.get(publisher="Example Académie")
        alice = self.client_for(self.world.alice)
        alice.post(f"/en/library/{resource.slug}/moderate/", {"decision": "reject", "note": "Out of scope."})
        resource.refresh_from_db()
        assert resource.status == Status.REJECTED
        self.assertContains(self.client_for(self.world.pablo).get("/fr/library/mine/"), "Out of scope.")
        assert self.client.get(resource.get_absolute_url()).status_code == 404

    def test_only_the_secretariat_moderates(self) -> None:
        self.submit()
        resource = Resource.objects.get(publisher="Example Académie")
        for user in (self.world.pablo, self.world.kofi):
            client = self.client_for(user)
            assert client.get("/en/library/moderation/").status_code == 403
            assert (
                client.post(f"/en/library/{resource.slug}/moderate/", {"decision": "approve"}).status_code
                == 403
            )
        resource.refresh_from_db()
        assert resource.status == Status.PENDING

    def test_signing_in_is_needed_to_propose(self) -> None:
        response = self.client.post("/fr/library/submit/", self.proposal())
        assert response.status_code == 302 and "/login/" in response["Location"]
        assert not Resource.objects.filter(publisher="Example Académie").exists()

    def assert_refused(self, response: Any, message: str) -> None:
        assert response.status_code == 200
        self.assertContains(response, message)
        assert not Resource.objects.filter(publisher__startswith="Example").exists()
        assert not any(p.is_file() for p in Path(MEDIA).rglob("*")), (
            "no file may be kept from a refused proposal"
        )

    def test_bad_proposals_get_a_clear_message_and_store_nothing(self) -> None:
        pablo = self.client_for(self.world.pablo)
        self.assert_refused(self.submit(pablo, "en", title=""), "This field is required")
        self.assert_refused(
            self.submit(pablo, "en", title="<script>alert(1)</script>"), "HTML is not allowed"
        )
        self.assert_refused(self.submit(pablo, "en", summary="<b onclick=x>hi</b>"), "HTML is not allowed")
        self.assert_refused(self.submit(pablo, "en", url="javascript:alert(1)"), "https://")
        self.assert_refused(self.submit(pablo, "en", url="ftp://example.org/file"), "https://")
        self.assert_refused(self.submit(pablo, "en", url=""), "Give a link to the resource, a file, or both")
        self.assert_refused(self.submit(pablo, "en", year="2999"), "future")
        self.assert_refused(self.submit(pablo, "en", audiences=[]), "This field is required")
        self.assert_refused(self.submit(pablo, "en", title="Zero\u200b\u0000width"), "not allowed")

    def test_an_oversized_or_non_document_file_is_refused(self) -> None:
        pablo = self.client_for(self.world.pablo)
        big = SimpleUploadedFile("big.pdf", pdf_bytes(1024 * 1024 + 10), content_type="application/pdf")
        self.assert_refused(self.submit(pablo, "en", url="", file=big), "larger than 1 MB")
        image = SimpleUploadedFile("photo.pdf", png_bytes(), content_type="application/pdf")
        self.assert_refused(
            self.submit(pablo, "en", url="", file=image), "not a document the library accepts"
        )
        renamed = SimpleUploadedFile("notes.docx", pdf_bytes(), content_type="application/pdf")
        self.assert_refused(
            self.submit(pablo, "en", url="", file=renamed), "not a document the library accepts"
        )
        script = SimpleUploadedFile(
            "page.html", b"<html><script>alert(1)</script></html>", content_type="text/html"
        )
        self.assert_refused(
            self.submit(pablo, "en", url="", file=script), "not a document the library accepts"
        )

    def test_a_small_docx_that_would_unpack_to_512_mb_is_refused_at_once_with_the_reason(self) -> None:
        bomb = SimpleUploadedFile("Guide.docx", docx_bomb(512))
        started = time.monotonic()
        response = self.submit(self.client_for(self.world.pablo), "en", url="", file=bomb)
        # Unpacking it whole, as before, took seconds and half a gigabyte of memory.
        assert time.monotonic() - started < 3
        self.assert_refused(response, "would unpack from")
        self.assertContains(response, "far more than any document")

    def test_a_file_chosen_in_a_form_that_failed_for_another_field_is_kept_and_used(self) -> None:
        pablo = self.client_for(self.world.pablo)
        content = docx_bytes()
        response = self.submit(pablo, "en", url="", title="", file=SimpleUploadedFile("Guide.docx", content))
        self.assertContains(response, "This field is required")
        self.assertContains(response, "Kept from your last try: Guide.docx")
        token = re.search(r'name="kept_file" value="([^"]+)"', response.content.decode())
        assert token is not None
        assert not Resource.objects.filter(publisher__startswith="Example").exists()
        assert not any(p.is_file() for p in Path(MEDIA).rglob("*")), "kept outside the media folder"
        # The token is the person's own: another member sending it gets no file.
        ines = self.client_for(self.world.ines)
        stolen = ines.post("/en/library/submit/", self.proposal(url="", kept_file=token[1]))
        self.assertContains(stolen, "Give a link to the resource, a file, or both")
        tampered = pablo.post("/en/library/submit/", self.proposal(url="", kept_file=token[1] + "x"))
        self.assertContains(tampered, "Give a link to the resource, a file, or both")
        # Sent again without choosing the file: the kept one is attached, then removed from the keep.
        response = pablo.post("/en/library/submit/", self.proposal(url="", kept_file=token[1]))
        assert response.status_code == 302
        resource = Resource.objects.get(publisher="Example Académie")
        stored = resource.file.read()
        resource.file.delete(save=False)
        assert stored == content
        assert not any(Path(KEPT).iterdir())

    def test_a_document_file_is_kept_and_downloaded_as_an_attachment(self) -> None:
        pablo = self.client_for(self.world.pablo)
        upload = SimpleUploadedFile("Guide.docx", docx_bytes())
        assert self.submit(pablo, "en", url="", file=upload).status_code == 302
        resource = Resource.objects.get(publisher="Example Académie")
        assert (resource.file.name or "").endswith(f"{resource.slug}.docx")
        assert self.client.get(f"/en/library/{resource.slug}/file/").status_code == 404  # not yet published
        response = pablo.get(f"/en/library/{resource.slug}/file/")
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        resource.file.delete(save=False)

    def test_stored_text_is_always_rendered_escaped(self) -> None:
        self.submit(summary="Fish & chips > \"quotes\" 'single'")
        resource = Resource.objects.get(publisher="Example Académie")
        resource.status = Status.APPROVED
        resource.save()
        response = self.client.get(f"/fr/library/{resource.slug}/")
        self.assertContains(response, "Fish &amp; chips &gt; &quot;quotes&quot; &#x27;single&#x27;")


class LibraryListingTestCase(BaseTestCase):
    def test_the_listing_filters_by_facets_and_counts_them(self) -> None:
        training = Resource.objects.published().filter(type="training")
        response = self.client.get("/en/library/?type=training")
        assert response.context["page"].paginator.count == training.count()
        for resource in training:
            self.assertContains(response, resource.get_absolute_url())
        french = Resource.objects.published().filter(language="fr", type="training").count()
        response = self.client.get("/en/library/?type=training&language=fr")
        assert response.context["page"].paginator.count == french
        language_facet = next(f for f in response.context["facets"] if f.name == "language")
        counts = {v.value: v.count for v in language_facet.values}
        assert counts["fr"] == french

    def test_every_published_resource_has_a_page_in_every_language(self) -> None:
        resource = Resource.objects.published().first()
        assert resource is not None
        for language in ("ar", "zh-hans", "en", "fr", "ru", "es"):
            response = self.client.get(f"/{language}/library/{resource.slug}/")
            self.assertContains(response, escape(resource.text(language).title))  # type: ignore[union-attr]
            self.assertContains(response, 'rel="noopener noreferrer external"')

    def test_unknown_facet_values_just_match_nothing(self) -> None:
        response = self.client.get("/en/library/?type=nothing&country=ZZ&risk=%3Cscript%3E")
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 0
        self.assertNotContains(response, "<script>")
