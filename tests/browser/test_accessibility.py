"""axe-core (the npm package, node_modules/axe-core) injected into every page and page state in
real Chromium, in English and Simplified Chinese: no serious or critical violation. Every
violation found (any impact) is written to test-artifacts/axe-*.json for review."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import httpx
import pytest

from tests.browser.test_booth_integrity import server  # noqa: F401 - the live server fixture
from tests.service.helpers import login, open_election
from tests.verify.records import run_election

pytestmark = pytest.mark.browser
TIMEOUT = 30_000
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")


def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("SCRUTIN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{AXE} is missing: run `npm ci` (axe-core is a devDependency)")
        pytest.skip("axe-core is not installed: npm ci")
    return AXE.read_text()


class Audit:
    """Runs axe on a page state and records its violations."""

    def __init__(self, artifacts: Path, lang: str) -> None:
        self.source = axe_source()
        self.artifacts, self.lang = artifacts, lang
        self.found: dict[str, list[dict]] = {}

    def check(self, page, label: str) -> None:
        # The pages' Content-Security-Policy forbids inline scripts: the contexts bypass it,
        # and only this injected script differs from what a visitor gets.
        page.add_script_tag(content=self.source)
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                        summary: n.failureSummary}))}));
        }""")
        self.found[label] = result
        page.screenshot(path=str(self.artifacts / f"axe-{self.lang}-{label}.png"), full_page=True)

    def blocking(self) -> dict[str, list[str]]:
        return {
            label: [
                f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"] for n in v["nodes"])
                for v in found
                if v["impact"] in BLOCKING
            ]
            for label, found in self.found.items()
            if any(v["impact"] in BLOCKING for v in found)
        }

    def write(self) -> None:
        (self.artifacts / f"axe-{self.lang}.json").write_text(
            json.dumps(self.found, indent=1, ensure_ascii=False)
        )


def _page(chromium, server: str, lang: str, user: str | None = None, **options):  # noqa: F811
    context = chromium.new_context(base_url=server, locale="en-US", bypass_csp=True, **options)
    context.set_default_timeout(TIMEOUT)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"/login?lang={lang}")
    if user:
        page.fill("#username", user)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(re.compile(r"/$"))
    return context, page, errors


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_no_serious_accessibility_violation_on_any_page(
    chromium,
    server,
    tmp_path,  # noqa: F811
    artifacts,
    lang,
) -> None:
    with httpx.Client(base_url=server, timeout=120) as http:
        admin, open_id, _ = open_election(http, tmp_path / "open", ["V1", "V2"])
        admin.post(f"/api/v1/elections/{open_id}/roles", {"username": "S1", "role": "scrutineer"})
        done = run_election(
            http, tmp_path / "done", {"W1": [[[1, -1, 0]]], "W2": [[[1, 1, -1]]]}, min_contributors=1
        )
        login(http, "Admin")
    audit = Audit(artifacts, lang)

    # anonymous: home, login, a booth, results, a 404, the error page (a form without token)
    context, page, errors = _page(chromium, server, lang)
    audit.check(page, "login")
    page.goto("/")
    audit.check(page, "home-anonymous")
    page.goto(f"/elections/{open_id}")
    audit.check(page, "booth-anonymous")
    page.goto(f"/elections/{done.election_id}/results")
    page.wait_for_selector("#ballots-counted")
    audit.check(page, "results-tallied")
    page.goto(f"/elections/{open_id}/results")
    page.wait_for_selector("#board-head")
    audit.check(page, "results-open-board")
    response = page.goto("/elections/no-such-election")
    assert response.status == 404
    audit.check(page, "not-found")
    page.goto("/login")
    page.evaluate("document.querySelector('#login-form input[name=csrf_token]').value = 'x'")
    page.fill("#username", "Someone")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("main h1")
    assert page.locator("[role=alert]").count() == 1
    audit.check(page, "error")
    context.close()

    # a voter in the booth: before encrypting, encrypted, audited, cast
    context, page, errors = _page(chromium, server, lang, "V1")
    audit.check(page, "home-voter")
    page.goto(f"/elections/{open_id}")
    page.wait_for_selector("body[data-booth-ready='1']")
    audit.check(page, "booth")
    page.check("input[name='q0-c0'][value='1']")
    page.click("#encrypt-button")
    page.wait_for_selector("#encrypted-box:not([hidden])")
    audit.check(page, "booth-encrypted")
    page.click("#audit-button")
    page.wait_for_selector("#audit-result.ok")
    page.wait_for_selector("#cast-button:enabled")
    audit.check(page, "booth-audited")
    page.click("#cast-button")
    page.wait_for_selector("#receipt-box:not([hidden])")
    audit.check(page, "booth-cast")
    assert not errors, errors
    context.close()

    # a trustee (ceremony done) and a non-trustee on the trustee page
    context, page, errors = _page(chromium, server, lang, "Trustee1")
    page.goto(f"/elections/{open_id}/trustee")
    page.wait_for_selector("body[data-trustee-ready='1']")
    audit.check(page, "trustee")
    context.close()
    context, page, errors = _page(chromium, server, lang, "V2")
    page.goto(f"/elections/{open_id}/trustee")
    page.wait_for_selector("#not-trustee")
    audit.check(page, "trustee-not-a-trustee")
    context.close()

    # the committee page and the scrutiny page
    context, page, errors = _page(chromium, server, lang, "Admin")
    page.goto(f"/admin?election={open_id}")
    page.wait_for_selector("body[data-admin-ready='1']")
    page.wait_for_selector("#manage-sections:not([hidden])")
    audit.check(page, "committee")
    page.goto("/admin")
    page.wait_for_selector("body[data-admin-ready='1']")
    audit.check(page, "committee-list")
    context.close()
    context, page, errors = _page(chromium, server, lang, "S1")
    page.goto(f"/scrutiny/{open_id}")
    page.wait_for_selector("body[data-scrutiny-ready='1']")
    audit.check(page, "scrutiny")
    context.close()

    audit.write()
    blocking = audit.blocking()
    assert not blocking, json.dumps(blocking, indent=1, ensure_ascii=False)
