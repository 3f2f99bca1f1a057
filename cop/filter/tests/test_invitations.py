"""Adding a guardian is an invitation by e-mail the other person accepts; nothing tells who has an account."""

from __future__ import annotations

import datetime
import re

from django.test import Client
from django.utils import timezone

from cop.core.models import User
from cop.core.tests.base import PASSWORD
from cop.core.tests.mailbox import deliver, link_in, only_mail_to
from cop.filter.models import Guardian, Invitation
from cop.filter.tests.helpers import FilterTestCase, make_parent
from cop.filter.tests.test_api import call
from cop.outbox.models import Job


def _answer(html: str) -> str:
    """A page without what differs on every request: CSRF tokens, and the invitation's number."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r"/invitations/\d+/", "/invitations/N/", html)


class InvitationTestCase(FilterTestCase):
    """carla (the Rossi family) invites; amina has an account; nobody-yet@example.net has none."""

    def setUp(self) -> None:
        super().setUp()
        self.carla_client = self.as_user(self.carla)
        self.invite_url = f"/en/filter/families/{self.other_family.pk}/invitations/"

    def invite(self, address: str = "amina@example.net") -> str:
        """carla invites `address`; returns the path of the link mailed to it."""
        response = self.carla_client.post(self.invite_url, {"email": address})
        self.assertRedirects(response, f"/en/filter/families/{self.other_family.pk}/")
        return link_in(only_mail_to(address.lower()))

    def test_the_old_add_by_username_adds_nobody_on_the_page_or_in_the_api(self) -> None:
        response = self.carla_client.post(
            f"/en/filter/families/{self.other_family.pk}/guardians/", {"username": "amina"}
        )
        assert response.status_code == 404
        status, _body = call(
            self.carla_client, "post", f"/families/{self.other_family.pk}/guardians", {"username": "amina"}
        )
        assert status in (404, 405)
        assert list(self.other_family.guardians.values_list("user__username", flat=True)) == ["carla"]

    def test_an_invitation_makes_nobody_a_guardian_until_they_accept_it_once(self) -> None:
        link = self.invite()
        assert not Guardian.objects.filter(family=self.other_family, user=self.amina).exists()
        page = self.parent.get(link)
        self.assertContains(page, "carla invites you to become a guardian of The Rossi family.")
        self.assertContains(page, "Accept the invitation")
        response = self.parent.post(link)
        self.assertRedirects(response, f"/en/filter/families/{self.other_family.pk}/")
        assert Guardian.objects.filter(family=self.other_family, user=self.amina).exists()
        invitation = Invitation.objects.get()
        assert (invitation.status, invitation.accepted_by) == ("accepted", self.amina)
        # Used once: the link no longer works, for anyone.
        self.assertContains(self.as_user(self.bruno).get(link), "cannot be used", status_code=404)
        self.assertContains(self.as_user(self.bruno).post(link), "cannot be used", status_code=404)
        assert not Guardian.objects.filter(family=self.other_family, user=self.bruno).exists()

    def test_the_inviter_gets_the_same_answer_whether_or_not_the_address_has_an_account(self) -> None:
        answers = []
        for address in ("amina@example.net", "nobody-yet@example.net"):
            response = self.carla_client.post(self.invite_url, {"email": address}, follow=True)
            answers.append((response.status_code, _answer(response.content.decode()).replace(address, "@")))
            # Out of the pending list, so that each answer lists one invitation.
            Invitation.objects.update(status=Invitation.Status.REVOKED)
        assert answers[0] == answers[1]
        mails = {m.to[0]: m for m in deliver()}
        # The very same mail, but for the address and the link.
        bodies = {address: re.sub(r"https?://\S+", "", str(m.body)) for address, m in mails.items()}
        assert bodies["amina@example.net"] == bodies["nobody-yet@example.net"]
        path = f"/families/{self.other_family.pk}/invitations"
        api_answers = [
            call(self.carla_client, "post", path, {"email": a})
            for a in ("bruno@example.net", "ghost@example.net")
        ]
        varying = {"id", "email", "created_at", "expires_at"}
        same = [(status, {k: v for k, v in body.items() if k not in varying}) for status, body in api_answers]
        assert same[0] == same[1] == (201, {"status": "pending", "invited_by": "carla"})

    def test_someone_without_an_account_creates_one_from_the_invitation_and_accepts(self) -> None:
        link = self.invite("nobody-yet@example.net")
        visitor = Client()
        page = visitor.get(link)
        self.assertContains(page, "Sign in to accept")
        signup = re.search(r'href="(/en/account/signup/[^"]+)"', page.content.decode())
        assert signup is not None
        response = visitor.post(
            signup.group(1).replace("&amp;", "&"),
            {"username": "dora", "password1": PASSWORD, "password2": PASSWORD},
        )
        self.assertRedirects(response, link, fetch_redirect_response=False)
        dora = User.objects.get(username="dora")
        # The invitation's link proved the address: no second link to confirm it.
        assert (dora.email, dora.has_confirmed_email) == ("nobody-yet@example.net", True)
        assert not Guardian.objects.filter(user=dora).exists()
        visitor.post(link)
        assert Guardian.objects.filter(family=self.other_family, user=dora).exists()

    def test_an_address_with_an_account_is_offered_only_to_sign_in_on_the_link_page(self) -> None:
        link = self.invite()
        page = Client().get(link)
        self.assertContains(page, "Sign in to accept")
        self.assertNotContains(page, "/en/account/signup/")
        assert "/en/account/login/?next=" in page.content.decode()

    def test_accepting_with_the_invited_address_confirms_it(self) -> None:
        zawadi = make_parent("zawadi", confirmed=False)
        link = self.invite("zawadi@example.net")
        self.as_user(zawadi).post(link)
        zawadi.refresh_from_db()
        assert zawadi.has_confirmed_email

    def test_a_guardian_who_opens_the_link_leaves_it_for_the_person_it_is_meant_for(self) -> None:
        link = self.invite()
        self.assertContains(self.carla_client.get(link), "This invitation is for someone else")
        response = self.carla_client.post(link, follow=True)
        self.assertContains(response, "You are already a guardian of The Rossi family.")
        assert Invitation.objects.get().status == "pending"
        self.parent.post(link)
        assert Invitation.objects.get().status == "accepted"

    def test_a_pending_invitation_shows_on_the_family_page_and_revoking_it_stops_its_link(self) -> None:
        link = self.invite("nobody-yet@example.net")
        page = self.carla_client.get(f"/en/filter/families/{self.other_family.pk}/")
        self.assertContains(page, "Invitations waiting for an answer")
        self.assertContains(page, "nobody-yet@example.net, pending until")
        invitation = Invitation.objects.get()
        response = self.carla_client.post(f"{self.invite_url}{invitation.pk}/revoke/", follow=True)
        self.assertContains(response, "The invitation to nobody-yet@example.net is revoked")
        self.assertNotContains(response, "Invitations waiting for an answer")
        self.assertContains(Client().get(link), "cannot be used", status_code=404)
        assert self.parent.post(f"{self.invite_url}{invitation.pk}/revoke/").status_code == 404

    def test_an_expired_or_altered_link_is_refused(self) -> None:
        link = self.invite()
        altered = link[:-3] + "x/"
        self.assertContains(self.parent.get(altered), "cannot be used", status_code=404)
        Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
        self.assertContains(self.parent.post(link), "cannot be used", status_code=404)
        assert not Guardian.objects.filter(family=self.other_family, user=self.amina).exists()
        self.assertNotContains(
            self.carla_client.get(f"/en/filter/families/{self.other_family.pk}/"), "Invitations waiting"
        )

    def test_only_an_account_with_a_confirmed_address_invites(self) -> None:
        zawadi = make_parent("zawadi", confirmed=False)
        family_url = f"/en/filter/families/{self.other_family.pk}/"
        self.other_family.guardians.create(user=zawadi)
        client = self.as_user(zawadi)
        self.assertContains(
            client.get(family_url), "To invite someone, confirm your own e-mail address first."
        )
        response = client.post(self.invite_url, {"email": "amina@example.net"})
        assert response.status_code == 400
        status, body = call(
            client, "post", f"/families/{self.other_family.pk}/invitations", {"email": "a@example.net"}
        )
        assert status == 403 and "Confirm your e-mail address first" in body["message"]
        assert not Invitation.objects.exists() and not Job.objects.filter(kind="core.email").exists()

    def test_bad_input_a_second_invitation_to_one_address_and_too_many_are_refused_with_messages(
        self,
    ) -> None:
        self.assertContains(
            self.carla_client.post(self.invite_url, {"email": "not-an-address"}),
            "Enter a valid email address.",
            status_code=400,
        )
        self.invite()
        self.assertContains(
            self.carla_client.post(self.invite_url, {"email": "AMINA@example.net"}),
            "An invitation to amina@example.net is pending already.",
            status_code=400,
        )
        for number in range(9):
            self.carla_client.post(self.invite_url, {"email": f"p{number}@example.net"})
        self.assertContains(
            self.carla_client.post(self.invite_url, {"email": "one-more@example.net"}),
            "This family has 10 invitations waiting for an answer.",
            status_code=400,
        )
        assert Invitation.objects.count() == 10

    def test_the_api_lists_sends_and_revokes_invitations(self) -> None:
        family = self.other_family.pk
        status, body = call(
            self.carla_client, "post", f"/families/{family}/invitations", {"email": " Dora@Example.net "}
        )
        assert status == 201 and (body["email"], body["status"], body["invited_by"]) == (
            "dora@example.net",
            "pending",
            "carla",
        )
        assert only_mail_to("dora@example.net").subject == (
            "carla invites you to manage a family filter on the COP Platform"
        )
        assert (
            call(self.carla_client, "get", f"/families/{family}/invitations")[1]["items"][0]["id"]
            == body["id"]
        )
        assert call(self.carla_client, "post", f"/families/{family}/invitations", {"email": "x"})[0] == 422
        assert call(self.carla_client, "delete", f"/families/{family}/invitations/{body['id']}")[0] == 204
        assert call(self.carla_client, "get", f"/families/{family}/invitations")[1]["items"] == []
        assert call(self.carla_client, "delete", f"/families/{family}/invitations/{body['id']}")[0] == 404
