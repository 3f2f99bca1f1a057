"""Guidance, risks and library in a real browser, as their users would use them, with axe-core audits."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings

from cop.core.tests.base import PASSWORD, World
from cop.core.tests.browser import assert_accessible, sign_in
from cop.guidance.models import Guideline, Resource, Status
from cop.threats.models import Risk

pytestmark = pytest.mark.django_db(transaction=True)
LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.fixture
def world(content_world: World) -> World:
    return content_world


def test_a_ten_year_old_reads_the_8_12_set_in_spanish_and_reaches_get_help(
    page: Any, live_server: Any, world: World
) -> None:
    page.goto(f"{live_server.url}/es/")
    page.get_by_role("link", name="Consejos para tu edad").click()
    page.get_by_role("link", name="De 8 a 12 años").first.click()
    page.wait_for_url("**/es/guidelines/children/8-12/")
    assert_accessible(page)
    games = Guideline.objects.get(audience="children", group="8-12", slug="games").text("es")
    assert games is not None
    page.get_by_role("link", name=games.title).click()
    assert page.locator("h1").inner_text() == games.title
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('main')).fontSize)") >= 19
    assert_accessible(page)
    page.locator("#main").get_by_role("link", name="Pide ayuda ahora").click()
    page.wait_for_url("**/es/help/?age=8-12")
    page.locator("#country").select_option("ES")
    page.locator("form.help-country button[type=submit]").click()
    page.wait_for_url("**/es/help/ES/?age=8-12")
    assert page.get_by_role("link", name="112", exact=True).get_attribute("href") == "tel:112"
    assert_accessible(page)
    page.locator("a[href='/es/guidelines/children/8-12/getting-help/']").first.click()
    help_text = Guideline.objects.get(audience="children", group="8-12", slug="getting-help").text("es")
    assert help_text is not None and page.locator("h1").inner_text() == help_text.title
    assert_accessible(page)


def test_a_young_child_moves_through_the_screens_with_the_keyboard(
    page: Any, live_server: Any, world: World
) -> None:
    page.goto(f"{live_server.url}/en/guidelines/children/5-7/chatting/")
    first = page.locator("#screen-title").inner_text()
    page.get_by_role("link", name="Next", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**?screen=2")
    assert page.locator("#screen-title").inner_text() != first
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('main')).fontSize)") >= 23
    page.get_by_role("link", name="Back").click()
    page.wait_for_url("**?screen=1")
    assert page.locator("#screen-title").inner_text() == first
    assert_accessible(page)


def test_read_aloud_speaks_the_text_in_its_language(browser: Any, live_server: Any, world: World) -> None:
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    # Record what the page asks the speech engine to say (the browser may have no voices installed).
    page.add_init_script(
        "window.__spoken = [];"
        "window.speechSynthesis.speak = (u) => { window.__spoken.push({text: u.text, lang: u.lang}); };"
    )
    page.goto(f"{live_server.url}/fr/guidelines/children/8-12/bullying/")
    button = page.get_by_role("button", name="Lire à voix haute")
    assert button.is_visible()
    button.click()
    spoken = page.evaluate("window.__spoken")
    text = Guideline.objects.get(group="8-12", slug="bullying").text("fr")
    assert text is not None
    assert spoken[0]["lang"] == "fr" and spoken[0]["text"].startswith(text.title)
    assert "Lire à voix haute" not in spoken[0]["text"]
    # The label says what the button does now; a pressed state as well would read "Stop reading, pressed".
    assert page.get_by_role("button", name="Arrêter la lecture").is_visible()
    assert page.locator("button.read-aloud").get_attribute("aria-pressed") is None
    context.close()


def test_without_javascript_the_read_aloud_button_stays_hidden(
    browser: Any, live_server: Any, world: World
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/en/guidelines/children/8-12/bullying/")
    assert page.get_by_role("button", name="Read aloud").count() == 0
    assert page.locator("#main").get_by_role("link", name="Get help now").is_visible()
    context.close()


def test_a_teacher_finds_a_training_resource_in_french_through_search(
    page: Any, live_server: Any, world: World
) -> None:
    page.goto(f"{live_server.url}/fr/library/")
    page.get_by_role("searchbox", name="Rechercher").fill("formation des enseignants")
    page.get_by_label("Type").select_option("training")
    page.get_by_role("button", name="Afficher les ressources").click()
    page.wait_for_url("**/fr/library/?q=*")
    assert_accessible(page)
    results = page.locator("li.resource h3 a")
    assert results.count() >= 1
    results.first.click()
    slug = page.url.rstrip("/").rsplit("/", 1)[-1]
    resource = Resource.objects.get(slug=slug)
    assert resource.type == "training"
    assert page.locator("h1").inner_text() == resource.text("fr").title  # type: ignore[union-attr]
    assert_accessible(page)


def test_a_partner_proposes_a_best_practice_the_secretariat_approves_it_and_it_is_found(
    browser: Any, live_server: Any, world: World
) -> None:
    partner = browser.new_context(bypass_csp=True).new_page()
    sign_in(partner, live_server.url, "pablo", PASSWORD)
    partner.goto(f"{live_server.url}/en/library/submit/")
    assert_accessible(partner)
    partner.get_by_label("Title of the resource").fill("Peer mentors against online bullying")
    partner.get_by_label("What it is and who it is for").fill(
        "Older pupils trained as peer mentors help younger ones who meet bullying online."
    )
    partner.get_by_label("Publisher").fill("Example Schools Network")
    partner.get_by_label("Year of publication").fill("2022")
    partner.get_by_label("Link").fill("https://example.org/peer-mentors")
    partner.get_by_label("Type").select_option("best-practice")
    partner.get_by_label("Licence").fill("CC BY 4.0")
    partner.get_by_label("Educators").check()
    partner.get_by_role("button", name="Send for review").click()
    partner.wait_for_url("**/en/library/mine/*")
    assert "Waiting for review" in partner.content()
    assert_accessible(partner)

    secretariat = browser.new_context(bypass_csp=True).new_page()
    sign_in(secretariat, live_server.url, "alice", PASSWORD)
    secretariat.goto(f"{live_server.url}/en/library/moderation/")
    assert_accessible(secretariat)
    secretariat.get_by_role("link", name="Peer mentors against online bullying").click()
    assert_accessible(secretariat)
    secretariat.get_by_label("Approve and publish").check()
    secretariat.get_by_role("button", name="Record the decision").click()
    secretariat.wait_for_url("**/en/library/moderation/")
    assert "Nothing is waiting for review." in secretariat.content()

    visitor = browser.new_context(bypass_csp=True).new_page()
    visitor.goto(f"{live_server.url}/en/search/?q=peer+mentor")
    assert "Peer mentors against online bullying" in visitor.content()
    feed = visitor.goto(f"{live_server.url}/en/library/feed/")
    assert feed is not None and "Peer mentors against online bullying" in feed.text()
    partner.goto(f"{live_server.url}/en/library/mine/")
    assert "Published" in partner.content()
    assert Resource.objects.get(publisher="Example Schools Network").status == Status.APPROVED


def test_the_arabic_pages_run_right_to_left_and_pass_axe(page: Any, live_server: Any, world: World) -> None:
    for path in ["/ar/guidelines/children/8-12/bullying/", "/ar/threats/", "/ar/library/"]:
        page.goto(f"{live_server.url}{path}")
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert page.evaluate("getComputedStyle(document.querySelector('main')).direction") == "rtl"
        assert_accessible(page)


def _public_paths(language: str) -> list[str]:
    paths = ["/guidelines/", "/threats/", "/threats/?band=5-7", "/library/", "/library/?type=training"]
    paths += ["/search/?q=internet", "/open-data/", "/translations/"]
    paths += [f"/guidelines/{a}/" for a in ("children", "parents", "industry", "policy")]
    for guideline in Guideline.objects.order_by("audience", "group", "position"):
        if guideline.position == 1:
            paths.append(f"/guidelines/{guideline.audience}/{guideline.group}/")
        paths.append(f"/guidelines/{guideline.audience}/{guideline.group}/{guideline.slug}/")
    paths += [f"/threats/{code}/" for code in Risk.objects.values_list("code", flat=True).distinct()]
    paths += [f"/library/{slug}/" for slug in Resource.objects.published().values_list("slug", flat=True)]
    return [f"/{language}{path}" for path in paths]


@pytest.mark.sweep
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_guidance_risk_and_library_page_passes_axe(
    page: Any, live_server: Any, world: World, language: str
) -> None:
    started = time.monotonic()
    paths = _public_paths(language)
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        assert_accessible(page)
    # A signed-in secretariat member's pages in this language too.
    sign_in(page, live_server.url, "alice", PASSWORD)
    for path in [
        "/library/submit/",
        "/library/mine/",
        "/library/moderation/",
        "/guidelines/children/8-12/games/edit/",
        "/guidelines/children/8-12/games/history/",
    ]:
        response = page.goto(f"{live_server.url}/{language}{path}")
        assert response is not None and response.status == 200, path
        assert_accessible(page)
    print(f"{language}: {len(paths) + 5} pages audited in {time.monotonic() - started:.0f} s")
