"""The web pages in a real headless browser (Debian's chromium through chromium-driver, driven by
Selenium) against a real `memoryhub serve --auth required`: a person signs in with an API key,
lists sessions, opens one, follows its chain, searches with the score breakdown, edits and
deletes a memory and previews the context; a memory holding a script tag shows as text and runs
nothing. Each page is photographed at desktop and phone widths. Prints the checks as JSON."""

import argparse
import json
import os
import sys
import traceback
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

SCRIPT_MEMORY = "<script>alert(1)</script>"
DESKTOP = (1280, 900)
PHONE = (390, 844)


class Checks:
    def __init__(self):
        self.items = []

    def check(self, name, ok, detail=""):
        self.items.append({"name": name, "ok": bool(ok), "detail": str(detail)[:2000]})
        return ok


def api(base, method, path, key, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read().decode()
            return response.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def seed(base, admin_key):
    """Two users; alice has a chain of three sessions and memories, bob has one of his own."""
    keys = {}
    for user in ("alice", "bob"):
        status, created = api(base, "POST", "/api/memory/admin/keys", admin_key, {"user_id": user, "name": "browser"})
        assert status == 201, created
        keys[user] = created["key"]
    alice = keys["alice"]
    sessions = []
    parent = None
    for index, project in enumerate(["atlas", "atlas", "atlas"]):
        body = {"project_id": project, "tags": [f"day-{index + 1}"], "metadata": {"editor": "vim"}, "auto_link": False}
        if parent:
            body["parent_session_id"] = parent
        status, session = api(base, "POST", "/api/memory/session/start", alice, body)
        assert status == 201, session
        sessions.append(session["id"])
        parent = session["id"]
    middle = sessions[1]
    memories = {}
    for name, content, kind, importance in [
        ("deploy", "We deploy the atlas service with blue-green releases behind the load balancer.", "decision", 0.9),
        ("postgres", "The atlas database is PostgreSQL 15 with logical replication to the reporting replica.", "fact", 0.7),
        ("script", SCRIPT_MEMORY, "code", 0.6),
        ("doomed", "A wrong memory about deploying atlas on Fridays that the person deletes.", "fact", 0.3),
    ]:
        status, memory = api(base, "POST", "/api/memory/memories/", alice,
                             {"session_id": middle, "content": content, "memory_type": kind, "importance": importance,
                              "entities": ["atlas"], "tags": ["ops"]})
        assert status == 201, memory
        memories[name] = memory["id"]
    status, bob_session = api(base, "POST", "/api/memory/session/start", keys["bob"], {"project_id": "secret"})
    assert status == 201, bob_session
    status, bob_memory = api(base, "POST", "/api/memory/memories/", keys["bob"],
                             {"session_id": bob_session["id"], "content": "bob's private note about atlas", "memory_type": "fact"})
    assert status == 201, bob_memory
    return keys, sessions, memories, bob_session["id"], bob_memory["id"]


class Browser:
    def __init__(self, base, shots):
        options = Options()
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         f"--window-size={DESKTOP[0]},{DESKTOP[1]}", "--force-device-scale-factor=1"):
            options.add_argument(argument)
        binary = os.environ.get("MEMORYHUB_CHROMIUM", "/usr/bin/chromium")
        if os.path.exists(binary):
            options.binary_location = binary
        driver_path = os.environ.get("MEMORYHUB_CHROMEDRIVER", "/usr/bin/chromedriver")
        self.driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
        self.driver.set_page_load_timeout(60)
        self.base = base
        self.shots = shots
        self.taken = []

    def open(self, path):
        self.driver.get(self.base + path)

    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    def find(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def finds(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def wait_for(self, selector):
        return WebDriverWait(self.driver, 30).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, selector)))

    def path(self):
        url = self.driver.current_url
        return url[len(self.base):] if url.startswith(self.base) else url

    def alert_text(self):
        try:
            return self.driver.switch_to.alert.text
        except NoAlertPresentException:
            return None

    def photograph(self, name):
        """The page at desktop and at phone width (full height), back at desktop width after."""
        for label, (width, height) in (("desktop", DESKTOP), ("phone", PHONE)):
            self.driver.set_window_size(width, height)
            full = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(width, min(max(height, full + 140), 4000))
            path = os.path.join(self.shots, f"{name}-{label}.png")
            self.driver.save_screenshot(path)
            self.taken.append(path)
        self.driver.set_window_size(*DESKTOP)

    def phone_overflow(self):
        """How many pixels wider than a phone's screen the page is (0: no sideways scrolling)."""
        self.driver.set_window_size(*PHONE)
        overflow = self.driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        self.driver.set_window_size(*DESKTOP)
        return max(0, overflow)

    def quit(self):
        self.driver.quit()


def scenario(args, checks):
    keys, sessions, memories, bob_session, bob_memory = seed(args.base, args.admin_key)
    first, middle, last = sessions
    browser = Browser(args.base, args.screenshots)
    try:
        # Without a sign-in every page sends the person to the sign-in page.
        browser.open(f"/sessions/{middle}")
        checks.check("an unsigned visit to a session lands on the sign-in page", browser.path().startswith("/sign-in"), browser.path())
        browser.photograph("sign-in")
        browser.find("#key").send_keys("mhk_wrong")
        browser.find("#key").send_keys(Keys.ENTER)
        browser.wait_for(".error")
        checks.check("a wrong key is refused with a sentence", "unknown, revoked or mistyped" in browser.text(), browser.text()[:300])

        # Sign in with alice's key: back to the page she asked for.
        browser.find("#key").send_keys(keys["alice"])
        browser.find("#key").send_keys(Keys.ENTER)
        browser.wait_for("h1")
        checks.check("signing in returns to the session asked for", browser.path() == f"/sessions/{middle}", browser.path())
        cookies = {cookie["name"]: cookie for cookie in browser.driver.get_cookies()}
        cookie = cookies.get("memoryhub_session", {})
        checks.check("the sign-in cookie is HttpOnly and SameSite=Strict and does not hold the key",
                     cookie.get("httpOnly") and cookie.get("sameSite") == "Strict" and keys["alice"] not in cookie.get("value", "x"
                     ) and keys["alice"].split("_")[-1] not in cookie.get("value", "x"), cookie)

        # The sessions list.
        browser.open("/sessions")
        rows = browser.finds(".session")
        checks.check("the sessions list shows alice's three sessions", len(rows) == 3, browser.text()[:500])
        checks.check("the sessions list never shows bob's session", bob_session not in browser.driver.page_source and "secret" not in browser.text())
        browser.photograph("sessions")
        browser.open("/sessions?state=active&q=day-2")
        checks.check("filters by state and text live in the URL and narrow the list",
                     len(browser.finds(".session")) == 1 and browser.find("input[name=q]").get_attribute("value") == "day-2",
                     browser.text()[:400])

        # Open a session from the list with the keyboard.
        browser.open("/sessions?q=day-2")
        link = browser.find(".session .title")
        link.send_keys(Keys.ENTER)
        browser.wait_for(".chain")
        checks.check("Enter on a session's link opens the session", browser.path() == f"/sessions/{middle}", browser.path())
        text = browser.text()
        checks.check("the session page shows its fields, tags and memories",
                     "atlas" in text and "#day-2" in text and "blue-green releases" in text and "Memories" in text, text[:600])
        checks.check("the script memory shows as text", SCRIPT_MEMORY in text, text[:1500])
        checks.check("the script memory ran nothing", browser.alert_text() is None
                     and browser.driver.execute_script("return document.querySelectorAll('main script').length") == 0)
        browser.photograph("session")

        # Follow the chain: back to the root, then forward to the newest.
        browser.find(".chain a[rel=prev]").click()
        browser.wait_for(".chain")
        checks.check("the chain links to the ancestor", browser.path() == f"/sessions/{first}", browser.path())
        descendants = browser.finds(".chain a[rel=next]")
        checks.check("the root's chain lists both descendants", len(descendants) == 2, browser.text()[:600])
        descendants[-1].click()
        browser.wait_for(".chain")
        checks.check("the chain links to the newest descendant", browser.path() == f"/sessions/{last}", browser.path())

        # Filter the middle session's memories by type and importance.
        browser.open(f"/sessions/{middle}?type=decision&min_importance=0.8")
        articles = browser.finds("article.memory")
        checks.check("the session's memories filter by type and importance",
                     len(articles) == 1 and "blue-green" in articles[0].text, [a.text[:80] for a in articles])

        # Search with explain.
        browser.open("/search")
        field = browser.find("input[name=q]")
        field.send_keys("atlas deploy")
        browser.find("input[name=mode][value=lexical]").click()
        field.send_keys(Keys.ENTER)
        browser.wait_for("#search-summary")
        checks.check("search keeps its query and mode in the URL", "q=atlas" in browser.path() and "mode=lexical" in browser.path(), browser.path())
        results = browser.finds(".result")
        checks.check("search finds alice's atlas memories, not bob's", len(results) >= 2 and "bob's private note" not in browser.text(),
                     browser.text()[:800])
        bars = browser.finds(".result .breakdown tr")
        checks.check("each result shows its score breakdown, one bar per component",
                     len(bars) >= 5 * len(results) and "lexical" in results[0].text and "final" in results[0].text, results[0].text[:500])
        browser.photograph("search")
        browser.open("/search?q=" + urllib.request.quote("script alert") + "&mode=lexical")
        checks.check("a search result holding a script tag shows it as text and runs nothing",
                     SCRIPT_MEMORY in browser.text() and browser.alert_text() is None, browser.text()[:600])

        # A memory: edit it.
        browser.open(f"/memories/{memories['postgres']}")
        checks.check("the memory page shows every field", "PostgreSQL 15" in browser.text() and "Confidence" in browser.text()
                     and "Importance" in browser.text(), browser.text()[:600])
        browser.photograph("memory")
        content = browser.find("#content")
        content.clear()
        content.send_keys("The atlas database is PostgreSQL 16 since the November upgrade.")
        importance = browser.find("#importance")
        importance.clear()
        importance.send_keys("0.95")
        tags = browser.find("#tags")
        tags.clear()
        tags.send_keys("ops, database")
        browser.find("form.edit button[type=submit]").click()
        browser.wait_for(".flash")
        text = browser.text()
        checks.check("saving the edit shows the new content, importance and tags",
                     "PostgreSQL 16" in text and "0.95" in text and "#database" in text and "Saved." in text, text[:800])
        status, stored = api(args.base, "GET", f"/api/memory/memories/{memories['postgres']}", keys["alice"])
        checks.check("the edit reached the store", status == 200 and "PostgreSQL 16" in stored["content"]
                     and stored["tags"] == ["ops", "database"], stored)

        # The script memory's own page.
        browser.open(f"/memories/{memories['script']}")
        checks.check("the script memory's page shows the tag as text, in the content and the edit box",
                     browser.find("#memory-content").text == SCRIPT_MEMORY and browser.find("#content").get_attribute("value") == SCRIPT_MEMORY
                     and browser.alert_text() is None)

        # Delete with confirmation.
        browser.open(f"/memories/{memories['doomed']}")
        browser.find("a.danger").click()
        browser.wait_for("#confirm-delete")
        checks.check("delete asks first", "Delete this memory?" in browser.text() and "Fridays" in browser.text(), browser.text()[:400])
        browser.photograph("delete")
        browser.find("#confirm-delete").click()
        browser.wait_for(".flash")
        checks.check("after deleting, the session no longer lists it",
                     browser.path().startswith(f"/sessions/{middle}") and "Fridays" not in browser.text() and "deleted" in browser.text(),
                     browser.text()[:500])
        status, _ = api(args.base, "GET", f"/api/memory/memories/{memories['doomed']}", keys["alice"])
        checks.check("the deleted memory is gone from the store", status == 404, status)

        # Context preview.
        browser.open("/context")
        field = browser.find("input[name=q]")
        field.send_keys("how do we deploy atlas")
        budget = browser.find("input[name=max_tokens]")
        budget.clear()
        budget.send_keys("300")
        field.send_keys(Keys.ENTER)
        browser.wait_for("#budget")
        text = browser.text()
        checks.check("the context preview shows what the assistant gets, within the budget",
                     "of 300 tokens used" in text and "blue-green" in text, text[:800])
        browser.photograph("context")

        # Status, and the keys page is for admins only.
        browser.open("/status")
        checks.check("the status page reports the store and the caches", "answering" in browser.text() and "Caches" in browser.text(),
                     browser.text()[:500])
        browser.photograph("status")
        browser.open("/keys")
        checks.check("a user's key does not open the keys page", "Not allowed" in browser.text(), browser.text()[:300])

        # Another user's session and memory, even by typing their URLs.
        browser.open(f"/sessions/{bob_session}")
        checks.check("bob's session is not found for alice", "Not found" in browser.text() and "secret" not in browser.text(), browser.text()[:300])
        browser.open(f"/memories/{bob_memory}")
        checks.check("bob's memory is not found for alice", "Not found" in browser.text() and "private note" not in browser.text(),
                     browser.text()[:300])

        overflows = {}
        for path in ["/sessions", f"/sessions/{middle}", f"/memories/{memories['script']}", "/search?q=atlas&mode=lexical",
                     "/context?q=atlas", "/status"]:
            browser.open(path)
            overflows[path] = browser.phone_overflow()
        checks.check("every page fits a phone's width", not any(overflows.values()), overflows)

        # Sign out, then sign in as the admin for the keys page.
        browser.open("/sessions")
        browser.find(".who button").click()
        browser.wait_for("#key")
        browser.open("/sessions")
        checks.check("after signing out the pages ask for a key again", browser.path().startswith("/sign-in"), browser.path())
        browser.find("#key").send_keys(args.admin_key)
        browser.find("#key").send_keys(Keys.ENTER)
        browser.wait_for("h1")
        browser.open("/status")
        checks.check("the admin's status page draws the request rate (from the /metrics counters) and the embedding queue",
                     "requests served" in browser.text() and len(browser.finds(".chart polyline.line")) == 2
                     and "waiting for a vector" in browser.text(), browser.text()[:600])
        checks.check("the 404s and 403s of this run are not counted as 5xx", "0 with a 5xx status" in browser.text(), browser.text()[:600])
        browser.photograph("status-admin")
        browser.open("/keys")
        checks.check("the admin sees the keys, never their secrets", "alice" in browser.text() and "bob" in browser.text()
                     and keys["alice"] not in browser.driver.page_source, browser.text()[:500])
        browser.find("#user_id").send_keys("carol")
        browser.find("#name").send_keys("laptop")
        browser.find("#user_id").submit()
        browser.wait_for("#new-key")
        new_key = browser.find("#new-key").text
        status, _ = api(args.base, "GET", "/api/memory/session/user/carol", new_key)
        checks.check("a key created on the page works once, shown once", new_key.startswith("mhk_") and status == 200, (new_key[:8], status))
        browser.photograph("keys")
        rows = [row for row in browser.finds("table.keys tbody tr") if "carol" in row.text]
        revoke = rows[0].find_element(By.CSS_SELECTOR, "button.danger")
        revoke.click()
        # The keys page is already there: wait for the one the revocation answers with.
        WebDriverWait(browser.driver, 30).until(expected_conditions.staleness_of(revoke))
        browser.wait_for("table.keys")
        status, _ = api(args.base, "GET", "/api/memory/session/user/carol", new_key)
        checks.check("revoking on the page stops the key", status == 401, status)
    except Exception:
        # What the browser showed when the scenario broke, for the report and a person.
        browser.driver.save_screenshot(os.path.join(args.screenshots, "failure.png"))
        checks.check("the scenario ran to its end", False, f"at {browser.path()}: {browser.text()[:1500]}")
        raise
    finally:
        browser.quit()
    return browser.taken


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True)
    parser.add_argument("--admin-key", required=True)
    parser.add_argument("--screenshots", required=True)
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    checks = Checks()
    report = {"checks": checks.items, "facts": {}}
    try:
        report["facts"]["screenshots"] = scenario(args, checks)
    except Exception as error:  # reported as a failed check with its trace, never a silent pass
        report["error"] = f"{type(error).__name__}: {error}\n{traceback.format_exc()}"
    print(json.dumps(report))
    sys.exit(0)


if __name__ == "__main__":
    main()
