"""The tenant admins' console at /console, in Debian's headless Chromium through Selenium: a demo
tenant admin signs in, creates a role and assigns it, and reads every screen; a pegawai sees no admin
screen; every request the page makes goes to the server, through the public GraphQL API.

KINERJA_CONSOLE_SCREENSHOTS=<folder> keeps one screenshot per screen (docs/console/ holds the
committed ones: `KINERJA_CONSOLE_SCREENSHOTS=docs/console pytest tests/test_console.py`)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import httpx
import pytest
from conftest import DEMO_PASSWORD, running_server

from kinerja.graph.messages import CATALOGUE

SHOTS = os.environ.get("KINERJA_CONSOLE_SCREENSHOTS")
WAIT_SECONDS = 60
MODULES = ("main.js", "api.js", "i18n.js", "ui.js", "units.js", "screens/signin.js", "screens/roles.js", "screens/users.js",
           "screens/org.js", "screens/positions.js", "screens/employees.js", "screens/transfer.js", "screens/import.js", "screens/periods.js",
           "screens/staffing.js", "screens/settings.js", "screens/audit.js", "screens/account.js")


@pytest.fixture(scope="module")
async def console_server(database, tmp_path_factory):
    """`kinerja serve` in test mode: the console is served in every mode, and the suite's many sign-ins
    from 127.0.0.1 are not limited per IP there (demo and production mode count them)."""
    async with running_server(database, 1, tmp_path_factory.mktemp("console") / "server.log") as base:
        yield base


async def test_the_page_and_its_modules_come_from_the_package_under_a_strict_policy(console_server):
    from kinerja.api.http_security import CONSOLE_ASSETS

    async with httpx.AsyncClient(base_url=console_server) as http:
        for path in ("/console", "/console/"):
            page = await http.get(path)
            assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
            policy = page.headers["content-security-policy"]
            assert "script-src 'self';" in policy and "connect-src 'self';" in policy and "style-src 'self';" in policy
            assert "http" not in policy and "unsafe" not in policy
            assert "://" not in page.text and "<script>" not in page.text and "style=" not in page.text
        for module in MODULES:
            served = await http.get(f"/console/assets/{module}")
            assert served.status_code == 200 and "javascript" in served.headers["content-type"], module
            assert served.text == (CONSOLE_ASSETS / "assets" / module).read_text()
            assert "://" not in served.text and "innerHTML" not in served.text, module
        assert (await http.get("/console/assets/console.css")).headers["content-type"].startswith("text/css")
        assert (await http.get("/console/assets/../index.html")).status_code == 404
    shipped = {str(p.relative_to(CONSOLE_ASSETS / "assets")) for p in (CONSOLE_ASSETS / "assets").rglob("*.js")}
    assert shipped == set(MODULES)  # a new screen module is listed here (and in pyproject's package data)


class _Wait:
    """WebDriverWait that, on timeout, tells what the page showed and what the browser logged."""

    def __init__(self, driver):
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver, self.wait = driver, WebDriverWait(driver, WAIT_SECONDS)

    def until(self, condition):
        from selenium.common.exceptions import TimeoutException

        try:
            return self.wait.until(condition)
        except TimeoutException:
            text = self.driver.execute_script("return document.body.innerText")
            logs = [entry["message"] for entry in self.driver.get_log("browser")]
            raise AssertionError(f"timed out; the page showed:\n{text}\nthe browser logged: {logs}") from None


def _wait(driver):
    return _Wait(driver)


def _find(driver, css):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen

    return _wait(driver).until(seen.presence_of_element_located((By.CSS_SELECTOR, css)))


def _shot(driver, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(Path(SHOTS) / f"{name}.png"))


def _sign_in(driver, base: str, tenant: str, username: str, password: str = DEMO_PASSWORD) -> None:
    driver.set_window_size(1280, 800)
    driver.get(f"{base}/console/")
    for name, value in (("tenant", tenant), ("username", username), ("password", password)):
        box = _find(driver, f"#sign-in input[name={name}]")
        box.clear()  # the form may remember the last tenant and username
        box.send_keys(value)
    driver.find_element("css selector", "#sign-in button[type=submit]").click()
    _find(driver, "nav.menu")


def _open(driver, screen: str, ready: str):
    driver.find_element("css selector", f"nav.menu a[data-screen={screen}]").click()
    _find(driver, f"main[data-screen={screen}]")
    return _find(driver, ready)


def _only_this_server(driver, base: str) -> None:
    """Every resource and request of the page went to the server (the policy would refuse any other
    host, and the browser's console would report it)."""
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(r.startswith(f"{base}/") for r in resources), resources
    assert any(r == f"{base}/graphql" for r in resources)
    problems = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert not problems, problems


async def _graphql(base: str, query: str, variables: dict | None = None, username: str = "admin",
                   password: str = DEMO_PASSWORD) -> dict:
    async with httpx.AsyncClient(base_url=base) as http:
        login = await http.post("/graphql", json={
            "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
            "variables": {"i": {"tenant": "bungo", "username": username, "password": password}}})
        token = login.json()["data"]["login"]["accessToken"]
        answer = await http.post("/graphql", json={"query": query, "variables": variables or {}},
                                 headers={"authorization": f"Bearer {token}"})
        body = answer.json()
        assert "errors" not in body, body
        return body["data"]


async def test_a_tenant_admin_creates_a_role_assigns_it_and_reads_every_screen(console_server, chromium):
    from selenium.webdriver.support.ui import Select

    driver = chromium
    _sign_in(driver, console_server, "bungo", "admin")
    menu = {a.get_attribute("data-screen") for a in driver.find_elements("css selector", "nav.menu a")}
    assert menu >= {"home", "roles", "users", "org", "positions", "employees", "periods", "settings", "audit"}, menu
    assert driver.find_element("css selector", "html").get_attribute("lang") == "id"
    _shot(driver, "home")

    # Roles: a new role with two permissions ticked in the matrix.
    role = f"verifikator-{uuid.uuid4().hex[:6]}"
    _open(driver, "roles", "table.matrix")
    driver.find_element("css selector", "#new-role").click()
    _find(driver, "input[name=role-name]").send_keys(role)
    driver.find_element("css selector", "input[name=role-description]").send_keys("Verifikasi pelatihan")
    for permission in ("training:read:tenant", "training:verify:tenant"):
        driver.find_element("css selector", f"table.matrix input[data-permission='{permission}']").click()
    driver.find_element("css selector", "#save-role").click()
    _find(driver, f".split .list button.current[data-role='{role}']")
    _find(driver, ".pane .messages p.ok")
    checked = {box.get_attribute("data-permission")
               for box in driver.find_elements("css selector", "table.matrix input[data-permission]:checked")}
    assert checked == {"training:read:tenant", "training:verify:tenant"}
    _shot(driver, "roles")

    # Users: the role assigned to the demo kepala.
    search = _open(driver, "users", "input[name=user-search]")
    search.send_keys("kepala")
    driver.find_element("css selector", "form.toolbar button[type=submit]").click()
    _wait(driver).until(lambda d: len(d.find_elements("css selector", "#users tbody tr")) == 1)
    Select(_find(driver, "select[data-assign-select=kepala]")).select_by_value(role)
    driver.find_element("css selector", "button[data-assign=kepala]").click()
    _find(driver, f"tr[data-user=kepala] button[data-revoke='{role}']")
    _shot(driver, "users")
    users = await _graphql(console_server, "query($s: String) { users(filter: {search: $s}) { nodes { username roles } } }",
                           {"s": "kepala"})
    assert role in users["users"]["nodes"][0]["roles"]
    roles = await _graphql(console_server, "{ roles { name permissions } }")
    assert {"training:read:tenant", "training:verify:tenant"} == set(
        next(r["permissions"] for r in roles["roles"] if r["name"] == role))

    # The audit log shows the assignment.
    operation = _open(driver, "audit", "input[name=operation]")
    operation.send_keys("assignRole")
    actors = Select(driver.find_element("css selector", "select[name=actor]"))
    actors.select_by_visible_text("admin")
    driver.find_element("css selector", "form.toolbar button[type=submit]").click()
    _wait(driver).until(lambda d: d.find_elements("css selector", "#audit-log > tbody > tr") and all(
        row.get_attribute("data-operation") == "assignRole" and "\tadmin\t" in row.get_attribute("innerText")
        for row in d.find_elements("css selector", "#audit-log > tbody > tr")))
    _shot(driver, "audit")

    # A role somebody holds cannot be deleted; one nobody holds can.
    _open(driver, "roles", "table.matrix")
    driver.find_element("css selector", f".split .list button[data-role='{role}']").click()
    _find(driver, "#delete-role").click()
    driver.switch_to.alert.accept()
    _find(driver, ".pane .messages p.error")
    driver.find_element("css selector", "#new-role").click()
    _find(driver, "input[name=role-name]").send_keys(f"sementara-{role[-6:]}")
    driver.find_element("css selector", "#save-role").click()
    _find(driver, f".split .list button.current[data-role='sementara-{role[-6:]}']")
    _find(driver, "#delete-role").click()
    driver.switch_to.alert.accept()
    _wait(driver).until(lambda d: not d.find_elements("css selector", f"button[data-role='sementara-{role[-6:]}']"))
    assert driver.find_elements("css selector", f"button[data-role='{role}']")

    # The read screens.
    _open(driver, "org", "#org-tree li[data-unit]")
    _open(driver, "employees", "#employees tbody tr[data-nip]")
    _open(driver, "periods", "#periods")
    _shot(driver, "periods")

    # English on request: the menu's words change, the screen stays.
    driver.find_element("css selector", "header.top button[data-lang=en]").click()
    _wait(driver).until(lambda d: d.find_element("css selector", "nav.menu a[data-screen=periods]").text == "Periods")
    assert driver.find_element("css selector", "html").get_attribute("lang") == "en"
    driver.find_element("css selector", "header.top button[data-lang=id]").click()
    _only_this_server(driver, console_server)


async def test_a_pegawai_sees_no_admin_screen_only_their_own_account(console_server, chromium):
    driver = chromium
    _sign_in(driver, console_server, "bungo", "pegawai")
    _find(driver, "#no-admin")
    assert [a.get_attribute("data-screen") for a in driver.find_elements("css selector", "nav.menu a")] == [
        "home", "account"]
    for screen in ("roles", "users", "org", "positions", "employees", "periods", "settings", "audit"):
        driver.get(f"{console_server}/console/#/{screen}")
        _find(driver, "main[data-screen=home] #no-admin")
    _shot(driver, "pegawai")

    # Their own sessions: one started elsewhere is ended from here; then a new password. A login of its
    # own, with the pegawai role: the demo pegawai's sessions are the other tests'.
    username, password = f"akun.{uuid.uuid4().hex[:6]}", "Kata-sandi-awal-123"
    created = await _graphql(console_server, "mutation($i: CreateUserInput!) { createUser(input: $i) { "
                             "userErrors { message } } }",
                             {"i": {"username": username, "password": password, "roles": ["pegawai"]}})
    assert created["createUser"]["userErrors"] == []
    driver.execute_script("sessionStorage.clear()")
    _sign_in(driver, console_server, "bungo", username, password)
    await _graphql(console_server, "{ viewer { username } }", username=username, password=password)
    _open(driver, "account", "#sessions")
    _wait(driver).until(lambda d: len(d.find_elements("css selector", "#sessions tbody tr")) >= 2)
    other = driver.find_element("css selector", "#sessions tbody tr:not(.current) button[data-revoke-session]")
    ended = other.get_attribute("data-revoke-session")
    other.click()
    _wait(driver).until(lambda d: not d.find_elements("css selector", f"tr[data-session='{ended}']"))
    _shot(driver, "account")
    driver.find_element("css selector", "input[name=current-password]").send_keys(password)
    driver.find_element("css selector", "input[name=new-password]").send_keys("Kata-sandi-baru-123")
    driver.find_element("css selector", "#save-password").click()
    _find(driver, "main > .messages p.ok")
    assert len(driver.find_elements("css selector", "#sessions tbody tr")) == 1
    async with httpx.AsyncClient(base_url=console_server) as http:  # the new password signs in
        body = {"query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                "variables": {"i": {"tenant": "bungo", "username": username, "password": "Kata-sandi-baru-123"}}}
        assert (await http.post("/graphql", json=body)).json()["data"]["login"]["accessToken"]
    _only_this_server(driver, console_server)


def test_a_wrong_password_is_refused_in_the_users_language(console_server, chromium):
    driver = chromium
    driver.set_window_size(1280, 800)
    driver.get(f"{console_server}/console/")
    _find(driver, "#sign-in input[name=tenant]").send_keys("bungo")
    driver.find_element("css selector", "#sign-in input[name=username]").send_keys("admin")
    driver.find_element("css selector", "#sign-in input[name=password]").send_keys("not-the-password")
    driver.find_element("css selector", "#sign-in button[type=submit]").click()
    refusal = _find(driver, "#sign-in .messages p.error").text
    _shot(driver, "sign-in")
    assert refusal == CATALOGUE["Unknown tenant, username or password"]  # the server's message, in Indonesian
    assert not driver.find_elements("css selector", "nav.menu")
    driver.find_element("css selector", "header.top button[data-lang=en]").click()
    _find(driver, "#sign-in input[name=password]").send_keys("not-the-password")
    for name, value in (("tenant", ""), ("username", "admin")):
        box = driver.find_element("css selector", f"#sign-in input[name={name}]")
        box.clear()
        box.send_keys(value or "bungo")
    driver.find_element("css selector", "#sign-in button[type=submit]").click()
    _wait(driver).until(lambda d: d.find_element("css selector", "#sign-in .messages p.error").text
                        == "Unknown tenant, username or password")
    driver.find_element("css selector", "header.top button[data-lang=id]").click()
    _only_this_server(driver, console_server)


def _nip() -> str:
    """A valid NIP (birth date, appointment month, sex, number), unlikely to exist already."""
    n = uuid.uuid4().int
    return f"19{n % 30 + 70:02d}{n // 30 % 12 + 1:02d}{n // 360 % 28 + 1:02d}2015031{n // 10080 % 900 + 100:03d}"


EMPLOYEE = "query($s: String) { employees(filter: {search: $s}) { nodes { nip orgUnit { code } assignments { reason } } } }"


async def test_an_admin_transfers_an_employee_and_imports_a_csv_with_a_row_report(console_server, chromium, tmp_path):
    from selenium.webdriver.support.ui import Select

    driver = chromium
    staff = (await _graphql(console_server, "{ orgUnits { code head { nip } } employees(first: 100) "
                                         "{ nodes { nip name active orgUnit { code } } } }"))
    heads = {unit["head"]["nip"] for unit in staff["orgUnits"] if unit["head"]}
    mover = next(e for e in staff["employees"]["nodes"] if e["active"] and e["nip"] not in heads
                 and e["orgUnit"]["code"] != "BKPSDM-PK")
    _sign_in(driver, console_server, "bungo", "admin")
    search = _open(driver, "employees", "input[name=employee-search]")
    search.send_keys(mover["nip"])
    driver.find_element("css selector", "form.toolbar button[type=submit]").click()
    _wait(driver).until(lambda d: len(d.find_elements("css selector", "#employees > tbody > tr")) == 1)
    driver.find_element("css selector", f"button[data-transfer='{mover['nip']}']").click()
    units = Select(_find(driver, "select[name=transfer-unit]"))
    target = next(o for o in units.options if o.get_attribute("textContent").strip().startswith("BKPSDM-PK "))
    units.select_by_value(target.get_attribute("value"))
    driver.find_element("css selector", "input[name=transfer-reason]").send_keys("Mutasi antar unit")
    driver.find_element("css selector", f"button[data-save-transfer='{mover['nip']}']").click()
    _find(driver, "main > .messages p.ok")
    assert not driver.find_elements("css selector", "tr[data-transfer-form]")
    moved = (await _graphql(console_server, EMPLOYEE, {"s": mover["nip"]}))["employees"]["nodes"][0]
    assert moved["orgUnit"]["code"] == "BKPSDM-PK" and moved["assignments"]
    driver.find_element("css selector", f"button[data-transfer='{mover['nip']}']").click()
    _find(driver, "select[name=transfer-unit]")
    _shot(driver, "employees")
    driver.find_element("css selector", f"button[data-transfer='{mover['nip']}']").click()

    # A CSV with one bad row: the dry run reports each row, and nothing can be committed.
    good, bad = _nip(), _nip()
    header = "NIP,NAMA,JABATAN,UNIT,NIP_ATASAN,JENIS_PEGAWAI\n"
    wrong = tmp_path / "pegawai.csv"
    wrong.write_text(header + f"{good},Andi Unggah,Pranata Komputer,BKPSDM,,PNS\n"
                              f"{bad},Budi Unggah,Pengolah Data,NOWHERE,,PNS\n")
    driver.find_element("css selector", "#import summary").click()
    driver.find_element("css selector", "#import input[type=file]").send_keys(str(wrong))
    driver.find_element("css selector", "#check-import").click()
    report = _find(driver, "#import-report")
    assert report.find_element("css selector", "tr[data-line='2']").get_attribute("class") == "good"
    bad_row = report.find_element("css selector", "tr[data-line='3']")
    assert bad_row.get_attribute("class") == "bad" and "UNIT" in bad_row.text and "NOT_FOUND" in bad_row.text
    assert not driver.find_element("css selector", "#commit-import").is_displayed()
    assert driver.find_element("css selector", "#import .messages p.error").text
    _shot(driver, "import")
    assert (await _graphql(console_server, EMPLOYEE, {"s": good}))["employees"]["nodes"] == []

    # The corrected file is clean and commits every row.
    fixed = tmp_path / "pegawai-benar.csv"
    fixed.write_text(wrong.read_text().replace("NOWHERE", "BKPSDM"))
    driver.find_element("css selector", "#import input[type=file]").send_keys(str(fixed))
    driver.find_element("css selector", "#check-import").click()
    _wait(driver).until(lambda d: d.find_element("css selector", "#commit-import").is_displayed())
    assert not driver.find_elements("css selector", "#import-report tr.bad")
    driver.find_element("css selector", "#commit-import").click()
    _find(driver, "#import .messages p.ok")
    created = (await _graphql(console_server, EMPLOYEE, {"s": good}))["employees"]["nodes"]
    assert [e["orgUnit"]["code"] for e in created] == ["BKPSDM"]

    # A new employee, who then retires: the record stays, inactive, with the reason.
    newcomer = _nip()
    driver.find_element("css selector", "#new-employee summary").click()
    driver.find_element("css selector", "input[name=new-nip]").send_keys(newcomer)
    driver.find_element("css selector", "input[name=new-name]").send_keys("Citra Baru")
    driver.execute_script("arguments[0].value = '2020-01-02'",  # she began years ago, so she can leave today
                          driver.find_element("css selector", "input[name=new-starts-on]"))
    driver.find_element("css selector", "#create-employee").click()
    _find(driver, f"#employees tr[data-nip='{newcomer}']")
    driver.find_element("css selector", f"button[data-leave='{newcomer}']").click()
    Select(_find(driver, "select[name=leave-reason]")).select_by_value("RETIRED")
    driver.find_element("css selector", f"button[data-save-leave='{newcomer}']").click()
    _wait(driver).until(lambda d: not d.find_elements("css selector", f"button[data-leave='{newcomer}']"))
    left = (await _graphql(console_server, "query($s: String) { employees(filter: {search: $s}) "
                                           "{ nodes { active exitReason } } }", {"s": newcomer}))
    assert left["employees"]["nodes"] == [{"active": False, "exitReason": "RETIRED"}]
    _only_this_server(driver, console_server)


async def test_an_admin_manages_a_login_an_org_unit_a_period_scheme_and_the_tenant_settings(console_server, chromium):
    from selenium.webdriver.support.ui import Select

    driver = chromium
    _sign_in(driver, console_server, "bungo", "admin")

    # Users: create a login, deactivate it (its sessions end), reactivate it, reset its password.
    username = f"operator-{uuid.uuid4().hex[:6]}"
    _open(driver, "users", "input[name=user-search]")
    driver.find_element("css selector", "details.card summary").click()
    driver.find_element("css selector", "input[name=new-username]").send_keys(username)
    driver.find_element("css selector", "input[name=new-password]").send_keys("Rahasia-panjang-123")
    driver.find_element("css selector", "#new-user input[type=checkbox][value=pegawai]").click()
    driver.find_element("css selector", "#create-user").click()
    _find(driver, f"button[data-deactivate='{username}']").click()
    driver.switch_to.alert.accept()
    _find(driver, f"button[data-reactivate='{username}']")
    login = await _graphql(console_server, "query($s: String) { users(filter: {search: $s}) { nodes { active roles } } }",
                           {"s": username})
    assert login["users"]["nodes"] == [{"active": False, "roles": ["pegawai"]}]
    driver.find_element("css selector", f"button[data-reactivate='{username}']").click()
    _find(driver, f"button[data-reset='{username}']").click()
    _wait(driver).until(lambda d: "Kode sekali pakai" in d.find_element("css selector", "main > .messages").text)
    code = driver.find_element("css selector", "main > .messages").text.rsplit(":", 1)[1].strip()
    assert len(code) >= 8
    _shot(driver, "users-reset")

    # Org tree: a new unit under BKPSDM, then closed; a unit of the tenant file stays the operator's.
    code = f"UJI-{uuid.uuid4().hex[:4].upper()}"
    _open(driver, "org", "#org-tree li[data-unit]")
    driver.find_element("css selector", "#new-unit").click()
    _find(driver, "input[name=unit-code]").send_keys(code)
    driver.find_element("css selector", "input[name=unit-name]").send_keys("Bidang Uji Konsol")
    Select(driver.find_element("css selector", "select[name=unit-kind]")).select_by_value("BIDANG")
    parents = Select(driver.find_element("css selector", "select[name=unit-parent]"))
    parents.select_by_value(next(o.get_attribute("value") for o in parents.options
                                 if o.get_attribute("textContent").strip().startswith("BKPSDM ")))
    driver.find_element("css selector", "#save-unit").click()
    _find(driver, f"#org-tree li[data-unit=BKPSDM] li[data-unit='{code}']")
    _shot(driver, "org")
    driver.find_element("css selector", f"button[data-pick='{code}']").click()
    _find(driver, "#close-unit").click()
    _find(driver, "main > .messages p.ok")
    assert not driver.find_elements("css selector", f"#org-tree li[data-unit='{code}']")
    driver.find_element("css selector", "button[data-pick=BKPSDM]").click()
    name = _find(driver, "input[name=unit-name]")
    name.send_keys(" Baru")
    driver.find_element("css selector", "#save-unit").click()
    assert _find(driver, "main > .messages p.error").text
    units = (await _graphql(console_server, "{ orgUnits { code name children(includeClosed: true) { code closedOn } } }"))
    bkpsdm = next(u for u in units["orgUnits"] if u["code"] == "BKPSDM")
    assert not bkpsdm["name"].endswith("Baru")
    assert next(c for c in bkpsdm["children"] if c["code"] == code)["closedOn"]

    # Positions: a new functional position.
    title = f"Analis Konsol {uuid.uuid4().hex[:4]}"
    _open(driver, "positions", "#position-form")
    driver.find_element("css selector", "input[name=position-name]").send_keys(title)
    Select(driver.find_element("css selector", "select[name=position-kind]")).select_by_value("FUNGSIONAL")
    Select(driver.find_element("css selector", "select[name=position-level]")).select_by_value("AHLI_MUDA")
    driver.find_element("css selector", "#save-position").click()
    _find(driver, f"#positions tr[data-position='{title}']")
    _shot(driver, "positions")
    positions = (await _graphql(console_server, "{ positions { name kind level } }"))["positions"]
    assert {"name": title, "kind": "FUNGSIONAL", "level": "AHLI_MUDA"} in positions

    # Periods: next year's scheme becomes quarterly (four quarters beside the annual period).
    _open(driver, "periods", "#periods")
    year = Select(driver.find_element("css selector", "select[name=year]"))
    next_year = year.options[0].get_attribute("value")
    year.select_by_value(next_year)
    _wait(driver).until(lambda d: d.find_elements("css selector", "#periods"))
    Select(driver.find_element("css selector", "select[name=scheme]")).select_by_value("QUARTERLY")
    driver.find_element("css selector", "#save-scheme").click()
    _find(driver, "main > .messages p.ok")
    kinds = (await _graphql(console_server, "query($y: Int) { periods(year: $y) { kind } }",
                            {"y": int(next_year)}))["periods"]
    assert sorted(p["kind"] for p in kinds) == ["ANNUAL", "QUARTERLY", "QUARTERLY", "QUARTERLY", "QUARTERLY"]
    _wait(driver).until(lambda d: len(d.find_elements("css selector", "#periods tbody tr")) == 5)

    # Settings: a key the tenant file owns is shown but locked; another one is changed.
    settings = (await _graphql(console_server, "{ tenantSettings { ticketSlaDays ownedByTenantFile } }"))["tenantSettings"]
    assert "periodScheme" in settings["ownedByTenantFile"] and "ticketSlaDays" not in settings["ownedByTenantFile"]
    _open(driver, "settings", "#settings")
    assert not driver.find_element("css selector", "[data-setting=periodScheme]").is_enabled()
    sla = driver.find_element("css selector", "[data-setting=ticketSlaDays]")
    sla.clear()
    sla.send_keys(str(settings["ticketSlaDays"] + 1))
    driver.find_element("css selector", "#save-settings").click()
    _find(driver, "main > .messages p.ok")
    _shot(driver, "settings")
    changed = (await _graphql(console_server, "{ tenantSettings { ticketSlaDays } }"))["tenantSettings"]
    assert changed["ticketSlaDays"] == settings["ticketSlaDays"] + 1
    _only_this_server(driver, console_server)


def test_an_expired_access_token_is_refreshed_and_a_dead_session_returns_to_sign_in(console_server, chromium):
    """The console refreshes a refused access token once with its refresh token and repeats the read;
    when the refresh is refused too, it forgets the session and asks to sign in again."""
    driver = chromium
    _sign_in(driver, console_server, "bungo", "admin")
    stored = "JSON.parse(sessionStorage.getItem('kinerja.console.session'))"
    first = driver.execute_script(f"return {stored}")
    driver.execute_script(f"const s = {stored}; s.accessToken = 'not.a.token'; "
                          "sessionStorage.setItem('kinerja.console.session', JSON.stringify(s))")
    driver.get(f"{console_server}/console/#/roles")
    driver.refresh()  # a new page: the session comes from sessionStorage
    _find(driver, "table.matrix")
    renewed = driver.execute_script(f"return {stored}")
    assert renewed["accessToken"] not in (first["accessToken"], "not.a.token")
    assert renewed["refreshToken"] != first["refreshToken"]  # refresh tokens rotate

    driver.execute_script(f"const s = {stored}; s.accessToken = 'not.a.token'; s.refreshToken = 'bungo.x.y'; "
                          "sessionStorage.setItem('kinerja.console.session', JSON.stringify(s))")
    driver.get(f"{console_server}/console/#/users")
    driver.refresh()
    assert _find(driver, "#sign-in .messages p.error").text == "Sesi berakhir; silakan masuk lagi."
    assert driver.execute_script("return sessionStorage.getItem('kinerja.console.session')") is None
