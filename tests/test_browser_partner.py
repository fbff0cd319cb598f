"""The partner workflow in a real browser (headless Chromium, every request that is not for
127.0.0.1 blocked), against gunicorn with two workers: a librarian registers, an admin
verifies the account, the librarian finds their library with the duplicate check and asks
to add the access-site role, the county's reviewer approves, and a public search for access
and information sites finds the library as one place with both roles."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import test_browser
from conftest import REPO
from partner_web import PASSWORD, add_account
from test_browser import ARTIFACTS, AXE, Visit, axe_violations, require, serving
from web_sites import make_db

from locator.accounts import Role

pytestmark = [pytest.mark.browser]
# The job seeker's browser tests' Chromium, shared rather than set up a second way.
playwright_api = test_browser.playwright_api
browser = test_browser.browser

LIBRARY = "lib-springfield"
ADMIN = "boss@state.example"
REVIEWER = "rev@sangamon.example"
LIBRARIAN = "ana@lincoln.example"


@pytest.fixture(scope="module")
def db_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = make_db(tmp_path_factory.mktemp("browser_partner"))
    env = {**os.environ, "LOCATOR_DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "locator", "users", "create-admin", "--email", ADMIN],
                   input=PASSWORD + "\n", text=True, env=env, check=True, cwd=REPO)
    add_account(url, REVIEWER, role=Role.REVIEWER, organization="LWA 21", areas=("17167",))
    return url


@pytest.fixture(scope="module")
def server(db_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(db_url, tmp_path_factory.mktemp("partner_server"),
                 LOCATOR_SECRET_KEY="browser-partner-test") as base:
        yield base


def shot(visit: Visit, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=ARTIFACTS / f"partner-{name}.png", full_page=True)


def log_in(visit: Visit, email: str) -> None:
    visit.goto("/login")
    visit.page.get_by_label("Work e-mail").fill(email)
    visit.page.get_by_label("Password").fill(PASSWORD)
    visit.page.get_by_role("button", name="Log in").click()
    visit.page.wait_for_url("**/account")


def test_register_verify_extend_approve_and_find_one_place_with_both_roles(
        browser, server: str) -> None:
    visits = {name: Visit(browser, server) for name in ("librarian", "admin", "reviewer",
                                                         "public")}
    try:
        librarian = visits["librarian"]
        librarian.goto("/register")
        for label, value in (("Your name", "Ana Reyes"), ("Organisation", "Lincoln Library"),
                             ("Work e-mail", LIBRARIAN), ("Phone", "217-555-0100"),
                             ("Password", PASSWORD), ("Password again", PASSWORD)):
            librarian.page.get_by_label(label, exact=True).fill(value)
        librarian.page.get_by_label("County your organisation is in").select_option("17167")
        librarian.page.get_by_role("button", name="Ask for the account").click()
        librarian.page.wait_for_selector("text=Account requested")
        shot(librarian, "1-registered")

        admin = visits["admin"]
        log_in(admin, ADMIN)
        admin.goto("/review/")
        pending = admin.page.locator(f'li[data-user="{LIBRARIAN}"]')
        pending.get_by_role("button", name="Verify").click()
        admin.page.wait_for_url("**/review/")
        assert admin.page.locator(f'li[data-user="{LIBRARIAN}"]').count() == 0
        shot(admin, "2-verified")

        log_in(librarian, LIBRARIAN)
        librarian.goto("/partner/check")
        librarian.page.get_by_label("Name of the site").fill("Lincoln Library")
        librarian.page.get_by_label("Address, ZIP code, town").fill("62701")
        librarian.page.get_by_role("button", name="Search", exact=True).click()
        match = librarian.page.locator("ul.check-results li").first
        assert match.get_attribute("data-site") == LIBRARY
        shot(librarian, "3-already-listed")
        match.get_by_role("link", name="This is my site").click()
        librarian.page.get_by_label("Access site", exact=True).check()
        librarian.page.get_by_label("Joint location").check()
        librarian.page.get_by_role("button", name="Send for review").click()
        librarian.page.wait_for_selector('tr[data-status="pending"]')
        shot(librarian, "4-requested")

        reviewer = visits["reviewer"]
        log_in(reviewer, REVIEWER)
        reviewer.goto("/review/")
        reviewer.page.locator("ul.pending-requests li a").first.click()
        assert reviewer.page.locator('tr[data-field="roles"]').count() == 1
        shot(reviewer, "5-review")
        reviewer.page.get_by_role("button", name="Approve").click()
        reviewer.page.wait_for_selector("text=Nothing is waiting in your area.")

        public = visits["public"]
        public.goto("/")
        public.page.get_by_label("Access and information sites").check()
        public.page.get_by_label("Where are you?").fill("62701")
        public.page.get_by_role("button", name="Search", exact=True).click()
        public.page.wait_for_selector("li.result")
        ids = public.page.locator("li.result").evaluate_all(
            "items => items.map(i => i.dataset.siteId)")
        assert ids.count(LIBRARY) == 1
        item = public.page.locator(f'li.result[data-site-id="{LIBRARY}"]')
        kinds = item.locator(".kind").all_inner_texts()
        assert kinds == ["Public library", "Access site"]
        shot(public, "6-public-search")

        librarian.goto("/partner/")
        assert librarian.page.locator('tr[data-status="approved"]').count() == 1
        for visit in visits.values():
            assert visit.blocked == [] and visit.dialogs == []
            assert visit.console_errors == []
    finally:
        for visit in visits.values():
            visit.close()


def test_axe_finds_no_serious_or_critical_violations_in_registration(browser,
                                                                     server: str) -> None:
    require(AXE.exists(), f"{AXE} is missing: run `npm ci`")
    visit = Visit(browser, server)
    visit.context.add_init_script(path=str(AXE))
    try:
        visit.goto("/register")
        assert axe_violations(visit) == []
        visit.page.get_by_role("button", name="Ask for the account").click()
        visit.page.wait_for_selector("#county_fips-error")
        assert visit.page.get_by_label("County your organisation is in").get_attribute(
            "aria-invalid") == "true"
        assert axe_violations(visit) == []
        assert visit.blocked == [] and visit.console_errors == []
    finally:
        visit.close()
