"""Snapshots are compiled by the worker, off the request path: one job for many saves, retried on failure."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.db.models.signals import post_save
from django.test import override_settings

from cop.filter import snapshot
from cop.filter.compiler import COMPILE, compile_policy
from cop.filter.models import Entry, PolicyVersion
from cop.filter.tests.helpers import FilterTestCase, make_device, run_compilations
from cop.outbox.models import Job
from cop.outbox.runner import run_due


class CompilingTestCase(FilterTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.data = Path(tempfile.mkdtemp(prefix="cop-filter-compile-"))
        self.addCleanup(shutil.rmtree, self.data, ignore_errors=True)
        override = override_settings(FILTER_DATA_DIR=self.data)
        override.enable()
        self.addCleanup(override.disable)
        run_compilations()  # what the set-up's saves queued

    def pending(self) -> list[Job]:
        return list(Job.objects.filter(kind=COMPILE, status=Job.Status.PENDING))

    def current_document(self) -> str:
        name = snapshot.current_name(self.data / "snapshots")
        return (self.data / "snapshots" / name).read_text()

    def block(self, site: str) -> None:
        response = self.parent.post(
            f"/en/filter/profiles/{self.amara.pk}/entries/", {"site": site, "action": "block"}
        )
        assert response.status_code == 302

    def test_a_parents_save_queues_a_compilation_and_compiles_nothing_itself(self) -> None:
        versions = PolicyVersion.objects.count()
        self.block("games.example")
        assert PolicyVersion.objects.count() == versions  # nothing compiled while the parent waited
        assert len(self.pending()) == 1
        assert run_compilations() == 1
        assert PolicyVersion.objects.count() == versions + 1
        current = snapshot.load(self.data / "snapshots")
        assert current.version == PolicyVersion.objects.first().number  # type: ignore[union-attr]

    def test_many_saves_while_one_compilation_waits_make_one_compilation(self) -> None:
        versions = PolicyVersion.objects.count()
        for site in ("games.example", "videos.example", "chat.example"):
            self.block(site)
        self.parent.post(f"/en/filter/profiles/{self.amara.pk}/pause/", {"minutes": "15"})
        assert len(self.pending()) == 1
        assert run_compilations() == 1
        assert PolicyVersion.objects.count() == versions + 1
        document = self.current_document()
        assert all(site in document for site in ("games.example", "videos.example", "chat.example"))

    def test_the_worker_command_runs_the_compilation(self) -> None:
        self.block("games.example")
        out = io.StringIO()
        call_command("run_worker", "--once", stdout=out)
        assert out.getvalue().strip() == "Ran 1 job(s)."
        assert not self.pending()

    def test_a_failed_compilation_is_retried_with_backoff_and_then_succeeds(self) -> None:
        versions = PolicyVersion.objects.count()
        # A file where the snapshot directory should be: nothing can be written there (even by root).
        shutil.rmtree(self.data / "snapshots")
        (self.data / "snapshots").write_text("not a directory")
        self.block("games.example")
        assert run_due(10) == 1
        [job] = self.pending()
        assert job.attempts == 1 and "could not be written" in job.last_error
        assert PolicyVersion.objects.count() == versions
        assert run_due(10) == 0  # not due again before its backoff
        (self.data / "snapshots").unlink()
        assert run_due(10, now=job.next_attempt_at) == 1
        job.refresh_from_db()
        assert (job.status, job.attempts) == (Job.Status.DONE, 2)
        assert PolicyVersion.objects.count() == versions + 1
        assert "games.example" in self.current_document()

    def test_a_save_while_a_compilation_runs_queues_the_next_one(self) -> None:
        # A guardian's save that lands while the worker compiles: the running compilation may have
        # read the database already, so the save must not just join it.
        saved: list[Entry] = []

        def save_during_compilation(sender: type, **kwargs: Any) -> None:
            if not saved:
                saved.append(Entry.objects.create(profile=self.amara, name="late.example", action="block"))

        self.block("games.example")
        post_save.connect(save_during_compilation, sender=PolicyVersion, dispatch_uid="test-late-save")
        try:
            assert run_due(1) == 1
        finally:
            post_save.disconnect(sender=PolicyVersion, dispatch_uid="test-late-save")
        assert saved and len(self.pending()) == 1
        assert run_compilations() == 1
        assert "late.example" in self.current_document()

    def test_a_new_ask_link_queues_no_compilation(self) -> None:
        device = make_device(self.amara)
        run_compilations()
        self.parent.post(f"/en/filter/devices/{device.pk}/ask-link/")
        assert not self.pending()

    def test_commands_and_tests_still_compile_directly(self) -> None:
        versions = PolicyVersion.objects.count()
        assert compile_policy().number == versions + 1
        assert not self.pending()
