"""A person in a real browser (Debian's Chromium, driven by Playwright) against a real gunicorn:
with and without JavaScript, on a phone, and without a request leaving the site."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from intake.sanitize import clean_text
from tests.helpers import STORY
from tests.server import Server, database_scalar

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
# No sandbox (CI runs as root), and nothing of Chromium's own talking to the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ACTION_TIMEOUT_MS = 15_000

CALL_TITLE = "Parentalité et troubles psychiques"
CALL_SLUG = "parentalite-et-troubles-psychiques"
CONSENT_LABELS = {
    "age": "J'ai 15 ans ou plus.",
    "health_data": "J'accepte que l'équipe traite mon témoignage, qui peut contenir des "
    "informations sur ma santé",
}
DRAFT_SAVED = "Brouillon enregistré sur cet appareil."
DRAFT_RESTORED = "Nous avons retrouvé le brouillon enregistré sur cet appareil."
DRAFT_KEYS = "Object.keys(localStorage).filter((key) => key.startsWith('intake-draft:'))"
STORED_DRAFTS = """() => [localStorage, sessionStorage].flatMap((storage) => Object.keys(storage)
  .filter((key) => key.startsWith('intake-draft:'))
  .map((key) => key + ' ' + storage.getItem(key)))"""
RECEIPT_CODE = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$")
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
}


# --- the browser and the site ---------------------------------------------------------------


def in_ci() -> bool:
    """Whether this run is CI's, where a missing browser is a failure, not a skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, launched once for the whole run."""
    if not CHROMIUM.exists():
        why = f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)"
        if in_ci():
            pytest.fail(f"{why}; CI must run the browser tests.", pytrace=False)
        pytest.skip(why)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def site(server: Server) -> Server:
    """The portal with its demo calls, one of them « Parentalité et troubles psychiques »."""
    server.flask("demo", "seed")
    return server


@pytest.fixture
def open_page(browser: Browser, site: Server) -> Iterator[Callable[..., Page]]:
    """Open a tab in a fresh browser profile (its own cookies and storage) on the site."""
    contexts = []

    def open_tab(javascript: bool = True, **options: Any) -> Page:
        context = browser.new_context(
            base_url=site.url, locale="fr-FR", java_script_enabled=javascript, **options
        )
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def submissions(site: Server) -> int:
    """How many stories the database holds."""
    count: int = database_scalar(site.database, "SELECT count(*) FROM submission")
    return count


# --- the pages, as a person uses them -------------------------------------------------------


class FormRefused(AssertionError):
    """The server sent the form back with its error summary instead of a thank-you page."""


@dataclass
class TestimonyPage:
    """The testimony form (general or for a call) and the thank-you page that follows it."""

    __test__ = False  # a page object, not a test class

    page: Page

    def open(self, call_slug: str | None = None) -> None:
        self.page.goto(f"/appels/{call_slug}" if call_slug else "/temoigner")

    def story(self) -> Locator:
        return self.page.get_by_label("Votre témoignage (obligatoire)")

    def write_story(self, text: str) -> None:
        self.story().fill(text)

    def choose(self, answer: str) -> None:
        self.page.get_by_label(answer, exact=True).check()

    def tick(self, purpose: str) -> None:
        self.page.get_by_label(CONSENT_LABELS[purpose]).check()

    def send_button(self) -> Locator:
        return self.page.get_by_role("button", name="Envoyer mon témoignage")

    def send(self) -> None:
        self.send_button().click()

    def send_complete_story(self, text: str = STORY) -> None:
        self.write_story(text)
        self.tick("age")
        self.tick("health_data")
        self.send()

    def code(self) -> str:
        """The follow-up code of the thank-you page, once it is shown."""
        heading = self.page.get_by_role("heading", name="Merci, nous avons bien reçu")
        expect(heading.or_(self.error_summary())).to_be_visible()
        if self.error_summary().is_visible():
            raise FormRefused(self.error_summary().inner_text())
        return self.page.locator("#receipt-code").inner_text()

    def help_lines(self) -> Locator:
        return self.page.get_by_role("region", name="Si vous avez besoin de parler à quelqu'un")

    def error_summary(self) -> Locator:
        return self.page.get_by_role("alert").filter(has_text="pas encore été envoyé")

    def draft_keys(self) -> list[str]:
        keys: list[str] = self.page.evaluate(DRAFT_KEYS)
        return keys


@dataclass
class FollowUpPage:
    """The follow-up pages, opened with the code the thank-you page gave."""

    __test__ = False

    page: Page

    def open(self, code: str) -> None:
        self.page.goto("/suivi")
        self.page.get_by_label("Votre code de suivi").fill(code)
        self.page.get_by_role("button", name="Ouvrir mon suivi").click()
        expect(self.page.get_by_role("heading", level=1)).to_have_text("Votre témoignage")

    def reply(self) -> Locator:
        return self.page.get_by_label("Votre message à l'équipe")

    def answer(self, text: str) -> None:
        self.reply().fill(text)
        self.page.get_by_role("button", name="Envoyer mon message").click()
        expect(self.page.locator(".flash")).to_have_text("Votre message a été envoyé à l'équipe.")

    def leave(self) -> None:
        self.page.get_by_role("button", name="Quitter le suivi").click()
        expect(self.page.locator(".flash")).to_contain_text("Vous avez quitté le suivi.")

    def draft_status(self) -> Locator:
        return self.page.locator("form", has=self.reply()).locator(".draft-status")

    def stored_drafts(self) -> list[str]:
        """Every draft this browser keeps for the site, in either storage, with its text."""
        drafts: list[str] = self.page.evaluate(STORED_DRAFTS)
        return drafts


def page_widths(page: Page) -> tuple[int, int]:
    """The document's scrollable width and the window's width (390 on the phone below)."""
    widths: list[int] = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return widths[0], widths[1]


# --- without JavaScript ---------------------------------------------------------------------


# A real browser sends only the fields a page shows; the test client always sent credit_mode.
def test_visitor_without_javascript_sends_a_story_and_gets_a_code(
    open_page: Callable[..., Page], site: Server
) -> None:
    already = submissions(site)  # the demo stories
    page = open_page(javascript=False)
    page.goto("/")
    page.get_by_role("link", name=CALL_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CALL_TITLE)

    form = TestimonyPage(page)
    form.write_story(STORY)
    form.choose("Parent concerné")
    form.tick("age")
    form.tick("health_data")
    form.send()

    assert RECEIPT_CODE.match(form.code())
    expect(form.help_lines().get_by_role("link", name="3114", exact=True)).to_be_visible()
    assert submissions(site) == already + 1


def test_visitor_without_javascript_sees_errors_and_keeps_text(
    open_page: Callable[..., Page], site: Server
) -> None:
    already = submissions(site)  # the demo stories
    text = "L'amitié & moi <3, voilà tout."
    assert len(text) == 30
    form = TestimonyPage(open_page(javascript=False))
    form.open()
    form.write_story(text)
    form.tick("age")
    form.send()

    summary = form.error_summary()
    expect(summary).to_be_visible()
    links = summary.get_by_role("link")
    expect(links).to_have_count(2)
    assert [links.nth(i).get_attribute("href") for i in range(2)] == ["#story", "#health_data"]
    expect(links.first).to_contain_text("caractères (il en compte 30)")
    expect(form.story()).to_have_value(text)
    assert submissions(site) == already


# --- with JavaScript ------------------------------------------------------------------------


def test_character_counter_counts_as_the_server_does(open_page: Callable[..., Page]) -> None:
    # A decomposed « é » (two code points, one after NFC) and an emoji (one code point, two
    # UTF-16 units): a naive JavaScript count would disagree with the server on both.
    story = "Première ligne.\nDeuxie\u0301me ligne 🙂\n\nTroisième, après une ligne vide."
    expected = len(clean_text(story))
    assert expected == len(story) - 1
    form = TestimonyPage(open_page())
    form.open()
    counter = form.page.locator("#story-counter")

    form.write_story(story)

    expect(counter).to_be_visible()
    expect(counter).to_have_text(f"{expected} / 20\u202f000 caractères")


def test_a_story_with_a_phone_number_gets_a_gentle_word_and_still_goes_through(
    open_page: Callable[..., Page],
) -> None:
    form = TestimonyPage(open_page())
    form.open()
    note = form.page.locator("#story-details")
    form.write_story(STORY)
    expect(note).to_be_hidden()

    form.write_story(STORY + " Vous pouvez m'appeler au 06 12 34 56 78.")

    expect(note).to_be_visible()
    expect(note).to_contain_text("seront retirées avant toute publication")
    form.write_story(STORY)
    expect(note).to_be_hidden()
    # The note never stands in the way: a story with a number is sent like any other.
    form.send_complete_story(STORY + " Mon numéro : 06 12 34 56 78.")
    assert RECEIPT_CODE.match(form.code())


def test_draft_survives_a_reload_and_is_cleared_after_sending(
    open_page: Callable[..., Page],
) -> None:
    form = TestimonyPage(open_page())
    form.open()
    form.write_story(STORY)
    expect(form.page.locator(".draft-status")).to_have_text(DRAFT_SAVED)
    assert form.draft_keys() == ["intake-draft:/temoigner"]

    form.page.reload()

    expect(form.story()).to_have_value(STORY)
    expect(form.page.locator(".draft-status")).to_contain_text(DRAFT_RESTORED)
    form.tick("age")
    form.tick("health_data")
    form.send()
    assert RECEIPT_CODE.match(form.code())
    assert form.draft_keys() == []


REPLY = "Oui, vous pouvez retirer le nom de ma ville. Merci de m'avoir demandé."


def person_following_a_story(open_page: Callable[..., Page], **options: Any) -> FollowUpPage:
    """Someone who sent a story (and may be written to), then opened its follow-up."""
    form = TestimonyPage(open_page(**options))
    form.open()
    form.page.get_by_label("L'équipe peut m'écrire au sujet de mon témoignage").check()
    form.send_complete_story()
    follow_up = FollowUpPage(form.page)
    follow_up.open(form.code())
    return follow_up


def test_follow_up_reply_draft_is_gone_once_the_team_has_it(
    open_page: Callable[..., Page],
) -> None:
    follow_up = person_following_a_story(open_page, **PHONE)
    follow_up.reply().fill(REPLY)
    expect(follow_up.draft_status()).to_have_text(DRAFT_SAVED)
    follow_up.page.reload()  # a draft still saves the text while it is not sent
    expect(follow_up.reply()).to_have_value(REPLY)
    expect(follow_up.draft_status()).to_contain_text(DRAFT_RESTORED)

    follow_up.page.get_by_role("button", name="Envoyer mon message").click()

    expect(follow_up.page.locator(".flash")).to_have_text("Votre message a été envoyé à l'équipe.")
    expect(follow_up.reply()).to_have_value("")
    expect(follow_up.page.get_by_text(DRAFT_RESTORED)).to_have_count(0)
    assert not [draft for draft in follow_up.stored_drafts() if "ville" in draft]
    follow_up.page.reload()
    expect(follow_up.reply()).to_have_value("")
    expect(follow_up.page.get_by_text(DRAFT_RESTORED)).to_have_count(0)


def test_leaving_the_follow_up_leaves_no_draft_behind(open_page: Callable[..., Page]) -> None:
    follow_up = person_following_a_story(open_page, **PHONE)
    follow_up.reply().fill(REPLY)
    expect(follow_up.draft_status()).to_have_text(DRAFT_SAVED)

    follow_up.leave()

    assert follow_up.stored_drafts() == []


def test_another_code_typed_in_the_same_tab_never_brings_back_someone_else_s_draft(
    open_page: Callable[..., Page],
) -> None:
    # Someone writes an answer on a shared phone and walks away without leaving the follow-up.
    first = person_following_a_story(open_page, **PHONE)
    first.reply().fill(REPLY)
    expect(first.draft_status()).to_have_text(DRAFT_SAVED)
    other = TestimonyPage(open_page())
    other.open()
    other.send_complete_story()
    second_code = other.code()

    first.page.context.clear_cookies()  # their follow-up closes by itself after 30 minutes

    first.open(second_code)  # the next person types their own code in the same tab

    expect(first.reply()).to_have_value("")
    expect(first.page.get_by_text(DRAFT_RESTORED)).to_have_count(0)


def test_copy_button_appears_only_with_javascript(open_page: Callable[..., Page]) -> None:
    with_js = TestimonyPage(open_page(permissions=["clipboard-read", "clipboard-write"]))
    without_js = TestimonyPage(open_page(javascript=False))
    for form in (with_js, without_js):
        form.open()
        form.send_complete_story()

    code = with_js.code()
    copy = with_js.page.get_by_role("button", name="Copier le code")
    expect(copy).to_be_visible()
    copy.click()
    expect(with_js.page.locator(".copy-status")).to_have_text("Code copié.")
    assert with_js.page.evaluate("navigator.clipboard.readText()") == code

    assert RECEIPT_CODE.match(without_js.code())
    hidden_copy = without_js.page.get_by_role("button", name="Copier le code", include_hidden=True)
    expect(hidden_copy).to_be_hidden()
    expect(hidden_copy).to_have_attribute("hidden", "")


def test_form_is_usable_on_a_phone_screen(open_page: Callable[..., Page]) -> None:
    form = TestimonyPage(open_page(**PHONE))
    form.open(CALL_SLUG)
    scroll_width, window_width = page_widths(form.page)
    assert window_width == 390 and scroll_width <= window_width, (scroll_width, window_width)

    send = form.send_button()
    send.scroll_into_view_if_needed()
    assert send.is_visible()
    expect(send).to_be_in_viewport()
    send.tap()  # an empty form: the error summary, with its long messages, must fit too

    expect(form.error_summary()).to_be_visible()
    scroll_width, window_width = page_widths(form.page)
    assert window_width == 390 and scroll_width <= window_width, (scroll_width, window_width)


def test_page_makes_no_request_outside_the_site(
    open_page: Callable[..., Page], site: Server
) -> None:
    page = open_page()
    requested: list[str] = []
    script_errors: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    page.goto("/")
    page.get_by_role("link", name=CALL_TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CALL_TITLE)
    page.get_by_role("navigation").get_by_role("link", name="Nous contacter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nous contacter")
    page.get_by_role("navigation").get_by_role("link", name="Témoigner").click()
    form = TestimonyPage(page)
    form.send_complete_story()
    assert RECEIPT_CODE.match(form.code())

    assert f"{site.url}/static/js/intake.js" in requested  # the recording does see sub-requests
    assert [url for url in requested if not url.startswith(f"{site.url}/")] == []
    assert script_errors == []


def dev_admin_login(site: Server) -> tuple[str, str]:
    """The development admin that ``make run`` prints: its address and password."""
    printed = site.flask("users", "dev-admin")
    login = re.search(r"(admin@intake\.example) / (\S+)", printed)
    assert login, "make run's development admin was not printed"
    return login.group(1), login.group(2)


def test_printed_admin_takes_a_demo_story_to_published_without_javascript(
    open_page: Callable[..., Page], site: Server
) -> None:
    email, password = dev_admin_login(site)
    page = open_page(javascript=False)
    page.goto("/langue/en")  # the team's buttons by their English names; French is tested apart

    page.goto("/moderation/connexion")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")

    # The general-form demo story asked to reread the edited version first: approving it waits
    # for the person (tests/test_rereading.py); the parenting call's first story did not.
    page.get_by_role("link", name="Parentalité et troubles psychiques").first.click()
    for step in ("Take it for review", "Save the publishable version", "Approve for publication"):
        page.get_by_role("button", name=step).click()
        expect(page.locator(".flash").first).to_be_visible()
    page.get_by_label("Address of the article").fill("https://media.example/temoignages/reprise")
    page.get_by_label("Publication date").fill("2026-11-24")
    page.get_by_role("button", name="Mark as published").click()

    expect(page.get_by_text("https://media.example/temoignages/reprise")).to_be_visible()
    statuses = database_scalar(
        site.database, "SELECT group_concat(status) FROM submission WHERE published_url IS NOT NULL"
    )
    assert statuses == "published"


# --- the team, on a phone -------------------------------------------------------------------

LONG_URL = (
    "https://forum.exemple.org/discussions/parentalite-et-troubles-psychiques/"
    "temoignages-de-parents-concernes-par-un-trouble-bipolaire?page=12&tri=recents#message-48213"
)
LONG_WORD = "Anticonstitutionnellement-insupportablement-interminablement-épuisée"
LONG_EMAIL = "camille.exemple.tres-longue-adresse@fournisseur-de-messagerie-exemple.org"
PHONE_STORY = (
    f"{STORY} J'ai tout raconté sur {LONG_URL} il y a deux ans. {LONG_WORD}, voilà comment "
    f"je me sentais le soir. Vous pouvez m'écrire à {LONG_EMAIL} si besoin."
)


def test_the_team_reads_a_long_story_on_a_phone_without_scrolling_sideways(
    open_page: Callable[..., Page], site: Server
) -> None:
    person = TestimonyPage(open_page(**PHONE))
    person.open(CALL_SLUG)
    person.write_story(PHONE_STORY)
    person.choose("Parent concerné")
    person.page.get_by_label("Qu'est-ce qui vous a le plus aidé ?").fill(
        f"Le forum {LONG_URL} et mon infirmière. {LONG_WORD}."
    )
    person.tick("age")
    person.tick("health_data")
    person.page.get_by_label("Mon témoignage peut être publié sous forme d'article").check()
    person.page.get_by_label("L'équipe peut m'écrire au sujet de mon témoignage").check()
    person.page.get_by_label("Adresse e-mail (facultative)").fill(LONG_EMAIL)
    person.send()
    code = person.code()
    public_id = database_scalar(site.database, "SELECT public_id FROM submission ORDER BY id DESC")

    team = team_phone(open_page, site)
    team.goto(f"/moderation/temoignages/{public_id}")
    team_does(team, "Prendre en charge")
    team_does(team, "Enregistrer la version publiable")
    team.get_by_label("Votre question").fill(f"Pouvons-nous retirer {LONG_URL} ? {LONG_WORD}")
    team_does(team, "Poser la question")
    follow_up = FollowUpPage(person.page)
    follow_up.open(code)
    follow_up.answer(f"Oui, retirez {LONG_URL} s'il vous plaît. {LONG_WORD}")
    team.reload()
    team_does(team, "Valider pour publication")
    team.get_by_label("Adresse de l'article").fill(LONG_URL)
    team.get_by_label("Date de publication").fill("2026-11-24")
    team_does(team, "Marquer comme publié")
    team.get_by_label("Nouvelle note interne").fill(f"Vérifier {LONG_URL} avant. {LONG_WORD}")
    team_does(team, "Ajouter la note")
    team.get_by_role("button", name="Afficher l'adresse e-mail").click()
    expect(team.locator(".revealed")).to_have_text(LONG_EMAIL)

    expect(team.get_by_role("heading", name="Historique")).to_be_visible()
    scroll_width, window_width = page_widths(team)
    assert window_width == 390 and scroll_width <= window_width, (
        scroll_width,
        overflowing(team),
    )
    # Nothing is cut inside its own box either: no table scrolls within its frame.
    assert team.evaluate(SCROLLING_BOXES) == []


# Elements that stick out of the window, for the failure message.
OVERFLOWING = """(width) => Array.from(document.querySelectorAll('body *'))
  .filter((el) => el.getBoundingClientRect().right > width + 0.5)
  .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
    + ' ' + Math.round(el.getBoundingClientRect().right))
  .slice(0, 15)"""
# Boxes whose content is wider than they are (a table scrolling inside its container).
SCROLLING_BOXES = """() => Array.from(document.querySelectorAll('main *'))
  .filter((el) => el.scrollWidth > el.clientWidth + 1)
  .filter((el) => getComputedStyle(el).overflowX !== 'visible')
  .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))"""


def team_phone(open_page: Callable[..., Page], site: Server) -> Page:
    """A moderator's phone, logged in (in French) as the development admin."""
    email, password = dev_admin_login(site)
    team = open_page(**PHONE)
    team.goto("/moderation/connexion")
    team.get_by_label("Adresse e-mail").fill(email)
    team.get_by_label("Mot de passe").fill(password)
    team.get_by_role("button", name="Se connecter").click()
    expect(team.get_by_role("heading", level=1)).to_have_text("File d'attente")
    return team


def team_does(team: Page, button: str) -> None:
    """Press one of the story page's buttons and wait for the page that follows."""
    team.get_by_role("button", name=button).click()
    expect(team.locator(".flash").first).to_be_visible()


def overflowing(page: Page) -> list[str]:
    """What sticks out at the right edge, to say why a page scrolls sideways."""
    found: list[str] = page.evaluate(OVERFLOWING, PHONE["viewport"]["width"])
    return found
