#!/usr/bin/env python3
"""The web console (docs/console.md) in a real browser: Debian's headless
Chromium driven through chromedriver and python3-selenium, against a real
`creditref serve` on a store made here.  Each role signs in and its main
page is saved as a screenshot under build/browser/; a report's grid is
checked cell by cell against the API's JSON; a person revokes a consent and
the lender is then refused; a person files a dispute; a furnisher uploads a
file with bad lines and sees them listed; the language switches; a furnished
name that looks like HTML is shown as text; and a person's key reaches no
one else's file.  Any error the browser logs (a script error, a blocked
Content-Security-Policy violation) fails the test that caused it."""
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from harness import main, run, test  # noqa: E402
from apiserver import ASOF, Server, call, issue, mask, seeded_store  # noqa: E402

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import NoAlertPresentException, TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

OUT = os.path.join(ROOT, "build", "browser")
A = "110105198001010016"
B = "310104198506150023"
XSS = "<img src=x onerror=alert(1)>"
TIMINGS = []


def statements(inst, acc, first, months, bad=()):
    """Monthly statements from first ("YYYY-MM") for months months; bad maps
    a month index to (status, dpd)."""
    y, m = int(first[:4]), int(first[5:])
    out = []
    for i in range(months):
        status, dpd = dict(bad).get(i, ("N", 0))
        overdue = 0 if status == "N" else 5000 * int(status)
        out.append({"type": "statement", "institution": inst, "account": acc, "month": f"{y:04d}-{m:02d}",
                    "balance": 100000 + overdue, "due": 10000, "paid": 10000 if status == "N" else 0,
                    "overdue": overdue, "dpd": dpd, "status": status})
        m += 1
        if m == 13:
            y, m = y + 1, 1
    return out


def fixture():
    lines = [
        {"type": "institution", "code": "B0001", "name": "First Example Bank", "kind": "bank"},
        {"type": "institution", "code": "B0002", "name": "Second Example Bank", "kind": "bank"},
        {"type": "institution", "code": "L0001", "name": "First Example Lender", "kind": "consumer_finance"},
    ]
    for pid, inst in ((A, "B0001"), (A, "B0002"), (A, "L0001"), (B, "B0001")):
        lines.append({"type": "consent", "id": pid, "institution": inst, "scope": "furnish",
                      "granted": "2023-01-01", "evidence": "sha256:web-" + inst})
    for pid in (A, B):
        lines.append({"type": "consent", "id": pid, "institution": "L0001", "scope": "query",
                      "purpose": "loan_approval", "granted": "2026-01-01", "evidence": "sha256:web-l0001"})
    lines.append({"type": "account", "institution": "B0001", "account": "WEB-A-1", "id": A, "name": "张三",
                  "product": "revolving", "opened": "2024-01-15", "credit_limit": 2000000})
    lines += statements("B0001", "WEB-A-1", "2024-01", 30, bad=((20, ("1", 15)), (21, ("2", 45)), (22, ("1", 20))))
    lines.append({"type": "account", "institution": "B0002", "account": "WEB-A-2", "id": A, "name": "张三",
                  "product": "installment", "opened": "2025-06-10", "principal": 1200000, "term_months": 12})
    lines += statements("B0002", "WEB-A-2", "2025-06", 12)   # to 2026-05: June is events
    # L0001 lends to A too, so it is told of what happens at the banks
    lines.append({"type": "account", "institution": "L0001", "account": "WEB-A-L", "id": A, "name": "张三",
                  "product": "installment", "opened": "2025-01-05", "principal": 600000, "term_months": 24})
    lines += statements("L0001", "WEB-A-L", "2025-01", 18)
    # a platform's product shelf: A holds a wealth product; a deposit is on offer
    lines += [
        {"type": "institution", "code": "S0001", "name": "Shelf Platform", "kind": "platform"},
        {"type": "product", "institution": "S0001", "code": "WM-1", "issuer": "B0002", "category": "wealth",
         "licence": "WEB-LIC-1", "name": "Wealth One"},
        {"type": "product", "institution": "S0001", "code": "DEP-1", "issuer": "B0002",
         "category": "internet_deposit", "licence": "WEB-LIC-2", "name": "Deposit One"},
        {"type": "holding", "institution": "S0001", "id": A, "product": "WM-1", "since": "2025-03-01"},
    ]
    lines.append({"type": "account", "institution": "B0001", "account": "WEB-B-1", "id": B, "name": XSS,
                  "product": "revolving", "opened": "2025-01-20", "credit_limit": 500000})
    lines += statements("B0001", "WEB-B-1", "2025-01", 18)
    return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines)


class World:
    def __init__(self):
        # a market of generated people under the test's own, so that the
        # supervisor's aggregates have cells above the suppression minimum
        market = run("gen", "--subjects", "600", "--institutions", "12", "--months", "24", "--seed", "11",
                     "--consent-rate", "1", "--bad-rate", "0", "--as-of", ASOF, "--out", "-").stdout
        self.dir, self.db = seeded_store("creditref-console-", market + fixture())
        self.keys = {
            "subject": issue(self.db, "subject", pid=A),
            "subject_b": issue(self.db, "subject", pid=B),
            "lender": issue(self.db, "lender", institution="L0001"),
            "furnisher": issue(self.db, "furnisher", institution="B0001"),
            "furnisher_b2": issue(self.db, "furnisher", institution="B0002"),
            "supervisor": issue(self.db, "supervisor"),
            "operator": issue(self.db, "operator"),
        }
        self.server = Server(self.db, "--rate-limit", "0")
        self.base = self.server.base
        self.driver = None

    def close(self):
        if self.driver:
            self.driver.quit()
        if self.server:
            self.server.stop()
        import shutil
        shutil.rmtree(self.dir, ignore_errors=True)


_world = None


def world():
    global _world
    if _world is None:
        _world = World()
    return _world


def cleanup():
    if _world:
        _world.close()


def browser(lang="en-US"):
    """A new headless Chromium whose language is lang; the one before is closed."""
    w = world()
    if w.driver:
        w.driver.quit()
        w.driver = None
    o = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,1400", "--lang=" + lang):
        o.add_argument(a)
    o.add_experimental_option("prefs", {"intl.accept_languages": lang})
    o.binary_location = "/usr/bin/chromium"
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    o.set_capability("unhandledPromptBehavior", "ignore")
    w.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    w.driver.get(w.base + "/")
    return w.driver


def errors(d):
    """What the browser logged as an error since the last call."""
    return [e["message"] for e in d.get_log("browser") if e["level"] == "SEVERE"]


def no_errors(d):
    e = errors(d)
    assert not e, f"the browser logged errors: {e}"


def ready(d, timeout=30):
    """Waits until the view marks itself complete."""
    WebDriverWait(d, timeout).until(lambda d: d.find_element(By.ID, "main").get_attribute("data-ready"))
    return d.find_element(By.ID, "main")


def sign_in(d, key):
    box = WebDriverWait(d, 10).until(lambda d: d.find_element(By.ID, "key"))
    box.clear()
    box.send_keys(key.token)
    d.find_element(By.ID, "signin-button").click()
    return ready(d)


def tab(d, name):
    d.find_element(By.CSS_SELECTOR, f'.tab[data-tab="{name}"]').click()
    WebDriverWait(d, 30).until(
        lambda d: d.find_element(By.CSS_SELECTOR, f'.tab[data-tab="{name}"]').get_attribute("aria-selected") == "true"
        and d.find_element(By.ID, "main").get_attribute("data-ready"))
    return d.find_element(By.ID, "main")


def ask_report(d, pid):
    """As a lender, asks for pid's report for a loan approval; returns #main."""
    main_ = d.find_element(By.ID, "main")
    box = main_.find_element(By.NAME, "id")
    box.clear()
    box.send_keys(pid)
    main_.find_element(By.CSS_SELECTOR, "form.ask button").click()
    WebDriverWait(d, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#main article.report, #main .error"))
    return main_


def sign_out(d):
    d.find_element(By.ID, "signout").click()
    WebDriverWait(d, 10).until(lambda d: d.find_element(By.ID, "key"))
    assert d.execute_script("return sessionStorage.getItem('creditref.key')") is None


def api(method, path, key, body=None):
    r = call(world().base, method, path, world().keys[key], body=body)
    return r


def grids_on_page(main):
    """{account: grid string} as the page draws them, from the cells."""
    out = {}
    for sec in main.find_elements(By.CSS_SELECTOR, "section.account"):
        cells = sec.find_elements(By.CSS_SELECTOR, ".grid .cell")
        out[sec.get_attribute("data-account")] = "".join(c.get_attribute("data-status") for c in cells)
    return out


def screenshot(d, name):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name + ".png")
    d.save_screenshot(path)
    assert os.path.getsize(path) > 10000, path
    return path


@test
def every_role_signs_in_to_its_own_views_and_its_page_is_saved():
    d = browser()
    expect = {"subject": ("tab_report", "Person"), "lender": ("tab_ask", "Lender · L0001"),
              "furnisher": ("tab_upload", "Furnisher · B0001"), "supervisor": ("tab_market", "Supervisor"),
              "operator": ("tab_keys", "Operator")}
    for role, (first, who) in expect.items():
        main_ = sign_in(d, world().keys[role])
        tabs = [b.get_attribute("data-tab") for b in d.find_elements(By.CSS_SELECTOR, ".tab")]
        assert tabs[0] == first, (role, tabs)
        assert who in d.find_element(By.ID, "who").text, (role, d.find_element(By.ID, "who").text)
        assert not main_.find_elements(By.CSS_SELECTOR, ".error"), (role, main_.text[:500])
        if role == "lender":
            assert ask_report(d, A).find_elements(By.CSS_SELECTOR, "article.report")
        if role == "supervisor":
            # the charts are drawn on their canvases (Chart.js ran under the CSP)
            WebDriverWait(d, 20).until(lambda d: d.execute_script(
                "return !!(window.Chart && Chart.getChart('chart-delinquency'))"))
        screenshot(d, role)
        no_errors(d)
        sign_out(d)
    # a wrong key is refused on the sign-in form, and not kept
    box = d.find_element(By.ID, "key")
    box.send_keys("crk_0123456789abcdef_" + "A" * 43)
    d.find_element(By.ID, "signin-button").click()
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".signin .error"))
    assert d.execute_script("return sessionStorage.getItem('creditref.key')") is None
    errors(d)  # the 401 itself is logged by the browser as a failed load


@test
def the_grid_drawn_is_the_grid_the_api_returns():
    d = browser()
    main_ = sign_in(d, world().keys["subject"])
    doc = api("GET", "/v1/me/report", "subject").json()
    want = {a["account"]: a["grid"] for a in doc["accounts"]}
    assert set(want) == {"WEB-A-1", "WEB-A-2", "WEB-A-L"}, want
    got = grids_on_page(main_)
    assert got == want, (got, want)
    # the delinquent months are drawn in their own colours, with the month in the title
    cell = main_.find_element(By.CSS_SELECTOR, 'section[data-account="WEB-A-1"] .cell[data-month="2025-09"]')
    assert cell.get_attribute("data-status") == "1" and "st-1" in cell.get_attribute("class"), cell.get_attribute("outerHTML")
    assert main_.find_element(By.CSS_SELECTOR, ".subject-name").text == "张三"
    assert mask(A) in main_.text and A not in main_.text
    score = main_.find_element(By.CSS_SELECTOR, ".score-value").get_attribute("data-score")
    assert doc["score"] and int(score) == doc["score"]["score"], (score, doc["score"])
    TIMINGS.append(("person report", float(main_.get_attribute("data-render-ms"))))
    # the lender's view of the same person draws the same cells
    sign_out(d)
    sign_in(d, world().keys["lender"])
    main_ = ask_report(d, A)
    assert grids_on_page(main_) == want
    TIMINGS.append(("lender report", float(main_.get_attribute("data-render-ms"))))
    no_errors(d)


@test
def a_printed_report_has_no_controls_and_makes_a_pdf():
    d = browser()
    sign_in(d, world().keys["subject"])
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not d.find_element(By.ID, "tabs").is_displayed()
        assert not d.find_element(By.CSS_SELECTOR, ".toolbar").is_displayed()
        assert all(not b.is_displayed() for b in d.find_elements(By.TAG_NAME, "button"))
        assert d.find_element(By.CSS_SELECTOR, ".grid").is_displayed()
        pdf = d.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})
    finally:
        d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    import base64
    data = base64.b64decode(pdf["data"])
    assert data.startswith(b"%PDF"), data[:20]
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "person-report.pdf"), "wb") as f:
        f.write(data)
    no_errors(d)


@test
def a_revoked_consent_refuses_the_lender():
    d = browser()
    # before: the lender gets the report
    sign_in(d, world().keys["lender"])
    assert ask_report(d, A).find_elements(By.CSS_SELECTOR, "article.report")
    sign_out(d)
    # the person revokes it
    sign_in(d, world().keys["subject"])
    main_ = tab(d, "tab_consents")
    button = main_.find_element(By.CSS_SELECTOR, 'button.revoke[data-institution="L0001"][data-scope="query"]')
    button.click()
    alert = WebDriverWait(d, 10).until(lambda d: d.switch_to.alert)
    alert.send_keys(A)
    alert.accept()
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#main .notice"))
    assert not d.find_elements(By.CSS_SELECTOR, 'button.revoke[data-institution="L0001"][data-scope="query"]')
    facts = api("GET", "/v1/me/consents", "subject").json()["consents"]
    assert any(f["institution"] == "L0001" and f["revoked"] == ASOF for f in facts), facts
    sign_out(d)
    # after: refused, with the rules' reason shown
    sign_in(d, world().keys["lender"])
    err = ask_report(d, A).find_element(By.CSS_SELECTOR, ".error")
    assert err.get_attribute("data-status") == "403", err.get_attribute("outerHTML")
    assert "Refused" in err.text and "consent" in err.text, err.text
    assert not d.find_elements(By.CSS_SELECTOR, "article.report")
    errors(d)  # the 403 is logged by the browser as a failed load


@test
def a_person_files_a_dispute_and_follows_it():
    d = browser()
    main_ = sign_in(d, world().keys["subject"])
    sec = main_.find_element(By.CSS_SELECTOR, 'section[data-account="WEB-A-1"]')
    sec.find_element(By.XPATH, ".//button[contains(., 'File a dispute')]").click()
    form = sec.find_element(By.CSS_SELECTOR, "form.dispute-form")
    form.find_element(By.NAME, "month").send_keys("2025-09")
    form.find_element(By.NAME, "reason").send_keys("I paid September on time")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    note = WebDriverWait(d, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "form.dispute-form .notice"))
    assert "filed" in note.text and "20 days" in note.text, note.text
    main_ = tab(d, "tab_disputes")
    rows = [r.text for r in main_.find_elements(By.CSS_SELECTOR, "table.disputes tbody tr")]
    assert len(rows) == 1 and "WEB-A-1" in rows[0] and "open" in rows[0] and "I paid September" in rows[0], rows
    mine = api("GET", "/v1/me/disputes", "subject").json()["disputes"]
    assert [(x["account"], x["month"], x["status"]) for x in mine] == [("WEB-A-1", "2025-09", "open")], mine
    no_errors(d)


@test
def an_upload_with_bad_lines_lists_them_by_line_field_and_reason():
    d = browser()
    main_ = sign_in(d, world().keys["furnisher"])
    good = statements("B0001", "WEB-A-1", "2026-06", 1)[0]
    text = (json.dumps(good) + "\n" +
            json.dumps(dict(good, month="2026-13")) + "\n" +
            "this is not json\n" +
            json.dumps(dict(good, institution="B0002")) + "\n")
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.write(text)
    try:
        main_.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(f.name)
        main_.find_element(By.CSS_SELECTOR, "form.upload button").click()
        WebDriverWait(d, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".counts"))
    finally:
        os.unlink(f.name)
    counts = {e.get_attribute("data-count"): int(e.get_attribute("data-value"))
              for e in main_.find_elements(By.CSS_SELECTOR, ".counts .figure")}
    assert counts["submitted"] == 4 and counts["rejected"] == 3, counts
    assert counts["accepted"] + counts["unchanged"] + counts["held"] == 1, counts
    rows = [[c.text for c in r.find_elements(By.TAG_NAME, "td")]
            for r in main_.find_elements(By.CSS_SELECTOR, "table.rejects tbody tr")]
    assert [r[0] for r in rows] == ["2", "3", "4"], rows
    assert rows[0][1] == "month" and "YYYY-MM" in rows[0][2], rows
    assert "JSON" in rows[1][2], rows
    assert rows[2][1] == "institution", rows
    screenshot(d, "furnisher-upload")
    no_errors(d)


@test
def the_language_follows_the_browser_and_switches():
    d = browser("zh-CN")
    sign_in(d, world().keys["subject"])
    first = d.find_element(By.CSS_SELECTOR, ".tab").text
    assert first == "我的报告", first
    assert d.execute_script("return document.documentElement.lang") == "zh-CN"
    text = d.find_element(By.ID, "main").text
    assert "个人信用报告" in text and "¥" in text and "CN¥" not in text, text[:400]
    screenshot(d, "subject-zh")
    Select(d.find_element(By.ID, "lang")).select_by_value("en")
    WebDriverWait(d, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, ".tab").text == "My report")
    ready(d)
    assert "Credit report" in d.find_element(By.ID, "main").text
    # the choice holds for the tab's session
    d.refresh()
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".tab"))
    assert d.find_element(By.CSS_SELECTOR, ".tab").text == "My report"
    d2 = browser("en-US")
    assert WebDriverWait(d2, 10).until(lambda d: d.find_element(By.ID, "signin-button")).text == "Sign in"
    no_errors(d2)


@test
def a_furnished_name_that_looks_like_html_is_shown_as_text():
    d = browser()
    sign_in(d, world().keys["lender"])
    name = ask_report(d, B).find_element(By.CSS_SELECTOR, ".subject-name")
    assert name.text == XSS, name.text
    assert not d.find_elements(By.CSS_SELECTOR, "#main img"), "the name became an element"
    time.sleep(0.5)
    try:
        d.switch_to.alert
        raise AssertionError("the furnished name ran a script")
    except NoAlertPresentException:
        pass
    sign_out(d)
    main_ = sign_in(d, world().keys["subject_b"])
    assert main_.find_element(By.CSS_SELECTOR, ".subject-name").text == XSS
    assert not d.find_elements(By.CSS_SELECTOR, "#main img")
    no_errors(d)


@test
def a_persons_key_reaches_no_one_elses_file():
    d = browser()
    main_ = sign_in(d, world().keys["subject"])
    assert mask(A) in main_.text and "WEB-A-1" in main_.text
    # the page's own script, with this key, asking for another person's report
    status = d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const k = sessionStorage.getItem('creditref.key');
        Promise.all([
          fetch('/v1/reports', {method: 'POST', headers: {'Authorization': 'Bearer ' + k,
            'Content-Type': 'application/json'}, body: JSON.stringify({id: arguments[0], purpose: 'loan_approval'})}),
          fetch('/v1/scores', {method: 'POST', headers: {'Authorization': 'Bearer ' + k,
            'Content-Type': 'application/json'}, body: JSON.stringify({id: arguments[0], purpose: 'loan_approval'})}),
          fetch('/v1/consents/list', {method: 'POST', headers: {'Authorization': 'Bearer ' + k,
            'Content-Type': 'application/json'}, body: JSON.stringify({id: arguments[0]})}),
        ]).then((rs) => done(rs.map((r) => r.status)));""", B)
    assert status == [403, 403, 403], status
    sign_out(d)
    # the next person to sign in on this browser sees their own file only
    main_ = sign_in(d, world().keys["subject_b"])
    text = main_.text
    assert mask(B) in text and "WEB-B-1" in text, text[:300]
    assert mask(A) not in text and "WEB-A-1" not in text and "张三" not in text, text[:300]
    for t in ("tab_consents", "tab_access", "tab_disputes"):
        text = tab(d, t).text
        assert "WEB-A-1" not in text and "2025-09" not in text, (t, text[:300])
    errors(d)


@test
def the_operator_issues_a_key_shown_once_revokes_it_and_verifies_the_audit_trail():
    import re
    d = browser()
    main_ = sign_in(d, world().keys["operator"])
    mine = world().keys["operator"].id
    row = main_.find_element(By.XPATH, f"//table[contains(@class,'keys')]//tr[td[1][text()='{mine}']]")
    assert not row.find_elements(By.CSS_SELECTOR, "button.revoke"), "the operator's own key offers a revoke"
    Select(main_.find_element(By.NAME, "role")).select_by_value("lender")
    main_.find_element(By.NAME, "institution").send_keys("L0001")
    main_.find_element(By.CSS_SELECTOR, "form.add-key button").click()
    token = WebDriverWait(d, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, ".new-key code.token")).text
    m = re.fullmatch(r"crk_([0-9a-f]{16})_[A-Za-z0-9_-]{43}", token)
    assert m, token
    from apiserver import Key
    new = Key(token)
    r = call(world().base, "GET", "/v1/whoami", new)
    assert r.status == 200 and r.json()["role"] == "lender" and r.json()["institution"] == "L0001", r
    # listed without its secret; revoked from its row
    WebDriverWait(d, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, f'button.revoke[data-key="{new.id}"]'))
    assert token not in d.find_element(By.CSS_SELECTOR, "table.keys").text
    d.find_element(By.CSS_SELECTOR, f'button.revoke[data-key="{new.id}"]').click()
    WebDriverWait(d, 10).until(lambda d: not d.find_elements(By.CSS_SELECTOR, f'button.revoke[data-key="{new.id}"]'))
    assert call(world().base, "GET", "/v1/whoami", new).status == 401
    # a tab away and back: the secret is gone from the page
    tab(d, "tab_audit")
    main_ = tab(d, "tab_keys")
    assert token not in main_.text
    main_ = tab(d, "tab_audit")
    main_.find_element(By.TAG_NAME, "button").click()
    v = WebDriverWait(d, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, ".audit[data-intact]"))
    assert v.get_attribute("data-intact") == "true", v.text
    main_ = tab(d, "tab_health")
    assert "creditref_store_file_bytes" in main_.text and "creditref_store_l0_files" in main_.text, main_.text
    no_errors(d)


@test
def the_supervisors_pages_show_no_individual():
    import re
    d = browser()
    sign_in(d, world().keys["supervisor"])
    for t in ("tab_market", "tab_quality", "tab_colending"):
        main_ = tab(d, t)
        WebDriverWait(d, 20).until(lambda d: d.find_element(By.ID, "main").get_attribute("data-ready"))
        text = main_.text
        assert not main_.find_elements(By.CSS_SELECTOR, ".error"), (t, text[:300])
        for pid in (A, B):
            assert pid not in text and mask(pid) not in text, t
        assert not re.search(r"[0-9]{6}\*{8}[0-9X]{4}", text), t
        assert "张三" not in text and "WEB-A-1" not in text, t
    no_errors(d)


@test
def the_lender_reads_and_filters_the_alert_feed():
    # B0002 marks A's instalment loan 35 days past due: L0001 and B0001 are told
    body = json.dumps({"type": "event", "institution": "B0002", "account": "WEB-A-2", "event_id": "web-1",
                       "at": "2026-06-30T10:00:00+08:00", "kind": "overdue", "amount": 100000, "dpd": 35})
    r = call(world().base, "POST", "/v1/events", world().keys["furnisher_b2"], body=(body + "\n").encode(),
             ctype="application/x-ndjson")
    assert r.status == 200 and r.json()["accepted"] == 1, r
    d = browser()
    sign_in(d, world().keys["lender"])
    main_ = tab(d, "tab_alerts")
    rows = main_.find_elements(By.CSS_SELECTOR, "table.alerts tbody tr")
    feed = api("GET", "/v1/alerts?limit=100", "lender").json()["alerts"]
    assert len(rows) == len(feed), (len(rows), len(feed))
    kinds = {a["kind"] for a in feed}
    for k in ("dpd30", "new_account", "exposure_rise", "inquiries"):
        Select(main_.find_element(By.NAME, "kind")).select_by_value(k)
        shown = [r.get_attribute("data-kind") for r in main_.find_elements(By.CSS_SELECTOR, "table.alerts tbody tr")]
        assert shown == [a["kind"] for a in feed if a["kind"] == k], (k, shown)
    assert "dpd30" in kinds, kinds
    no_errors(d)


@test
def a_furnisher_corrects_a_disputed_month_and_the_person_sees_it():
    # A disputes October 2025 at B0001 (31-60 days late in the fixture)
    r = api("POST", "/v1/me/disputes", "subject", {"institution": "B0001", "account": "WEB-A-1",
                                                   "month": "2025-10", "reason": "paid in full"})
    assert r.status == 201, r
    n = r.json()["dispute_id"]
    before = {a["account"]: a["grid"] for a in api("GET", "/v1/me/report", "subject").json()["accounts"]}
    d = browser()
    sign_in(d, world().keys["furnisher"])
    main_ = tab(d, "tab_disputes")
    row = main_.find_element(By.CSS_SELECTOR, f'.answer[data-dispute="{n}"]')
    row.find_element(By.CSS_SELECTOR, "button.correct").click()
    form = WebDriverWait(d, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "form.correction"))
    for name, value in (("balance", "1,000.00"), ("due", "100"), ("paid", "100.00"), ("overdue", "0")):
        box = form.find_element(By.NAME, name)
        box.clear()
        box.send_keys(value)
    # a bad amount is refused in the page, naming the field
    box = form.find_element(By.NAME, "paid")
    box.clear()
    box.send_keys("10.005")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    assert "Paid" in WebDriverWait(d, 10).until(lambda d: form.find_element(By.CSS_SELECTOR, ".error")).text
    box.clear()
    box.send_keys("100.00")
    Select(form.find_element(By.NAME, "status")).select_by_value("N")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(d, 10).until(lambda d: not d.find_elements(By.CSS_SELECTOR, f'.answer[data-dispute="{n}"]'))
    mine = [x for x in api("GET", "/v1/me/disputes", "subject").json()["disputes"] if x["dispute_id"] == n]
    assert mine and mine[0]["status"] == "corrected", mine
    doc = api("GET", "/v1/me/report", "subject").json()
    acct = next(a for a in doc["accounts"] if a["account"] == "WEB-A-1")
    assert acct["grid"] != before["WEB-A-1"] and acct["grid"][-9] == "N", (before["WEB-A-1"], acct["grid"])
    sign_out(d)
    main_ = sign_in(d, world().keys["subject"])
    cell = main_.find_element(By.CSS_SELECTOR, 'section[data-account="WEB-A-1"] .cell[data-month="2025-10"]')
    assert cell.get_attribute("data-status") == "N", cell.get_attribute("outerHTML")
    assert grids_on_page(main_)["WEB-A-1"] == acct["grid"]
    no_errors(d)


@test
def a_person_sees_the_products_they_hold_and_a_delisted_one_stays_theirs():
    d = browser()
    sign_in(d, world().keys["subject"])
    main_ = tab(d, "tab_products")
    held = [r.text for r in main_.find_elements(By.CSS_SELECTOR, "table.held tbody tr")]
    offered = [r.text for r in main_.find_elements(By.CSS_SELECTOR, "table.offered tbody tr")]
    assert len(held) == 1 and "Wealth One" in held[0] and "delisted" not in held[0], held
    api_doc = api("GET", "/v1/shelf", "subject").json()
    assert [p["name"] for p in api_doc["offered"]] == [r.split(" ")[1] + " " + r.split(" ")[2] for r in offered]
    assert any("Deposit One" in r for r in offered), offered
    # the supervisor orders wealth products off S0001's shelf
    r = api("POST", "/v1/supervision/shelf/delist", "supervisor",
            {"platform": "S0001", "category": "wealth", "reason": "unlicensed distribution", "effective": ASOF})
    assert r.status == 201, r
    main_ = tab(d, "tab_report")
    main_ = tab(d, "tab_products")
    held = [r.text for r in main_.find_elements(By.CSS_SELECTOR, "table.held tbody tr")]
    offered = [r.text for r in main_.find_elements(By.CSS_SELECTOR, "table.offered tbody tr")]
    assert len(held) == 1 and "Wealth One" in held[0] and "delisted" in held[0], held
    api_doc = api("GET", "/v1/shelf", "subject").json()
    assert [p["name"] for p in api_doc["offered"]] == [r.split(" ")[1] + " " + r.split(" ")[2] for r in offered]
    assert any("Deposit One" in r for r in offered), offered
    no_errors(d)


def report_timings():
    for what, ms in TIMINGS:
        print(f"console: {what} drawn {ms:.1f} ms after the API answered")


if __name__ == "__main__":
    rc = main("browser-console", cleanup)
    report_timings()
    sys.exit(rc)
