"""Imports of a company's users through the API, against the real services: each sample
export checked line by line, applied, imported again (nothing changes), the UTF-16 file,
the files refused, and isolation between resellers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.support import ApiClient, make_reseller, wait_until

DATA = Path(__file__).parent.parent / "data" / "imports"
IMPORTS = "/api/v1/customers/imports"

# The numbers of the samples that are in the reseller's pool; the others are not.
POOL = ["+15145551201", "+15145551202", "+15145551211", "+15145551221", "+15145551222"]


@pytest.fixture(scope="module")
def seller(platform, accounts_db, fast_hasher):
    login = make_reseller(accounts_db, fast_hasher)
    client = ApiClient(platform.base_url).login(login.identifier, login.password)
    for number in POOL:
        resp = client.post("/api/v1/numbers", json={"number": number})
        assert resp.status_code == 201, resp.text
    return client


@pytest.fixture(scope="module")
def stranger(platform, accounts_db, fast_hasher):
    login = make_reseller(accounts_db, fast_hasher)
    return ApiClient(platform.base_url).login(login.identifier, login.password)


def upload(client: ApiClient, name: str, **params: str):
    body = (DATA / name).read_bytes() if name else b""
    return client.post(IMPORTS, params=params, data=body, timeout=60,
                       headers={"Content-Type": "text/csv"})


def preview(client: ApiClient, name: str, **params: str) -> dict:
    resp = upload(client, name, **params)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    if body["status"] == "previewing":
        body = wait_until(lambda: (r := client.get(f"{IMPORTS}/{body['import_id']}").json())
                          ["status"] != "previewing" and r, timeout=60, interval=0.3)
    assert body["status"] == "ready", body
    return body


def apply_and_wait(client: ApiClient, import_id: int) -> dict:
    resp = client.post(f"{IMPORTS}/{import_id}/apply")
    assert resp.status_code == 202, resp.text
    done = wait_until(lambda: (r := client.get(f"{IMPORTS}/{import_id}").json())
                      ["status"] == "done" and r, timeout=90, interval=0.3,
                      message="import applied")
    assert done["progress"] == 100
    return done


def lines(report: dict) -> dict[int, tuple]:
    """line → (outcome, reason, note codes, number status)"""
    return {r["line"]: (r["outcome"], r["reason"], [n["code"] for n in r["notes"]],
                        r["number_status"]) for r in report["rows"]}


def users_of(accounts_db, customer_id: str) -> list:
    from services.accounts.models import User
    with accounts_db() as session:
        return session.query(User).filter(User.customer_id == customer_id).all()


def numbers_of(client: ApiClient, customer_id: str) -> set[str]:
    resp = client.get(f"/api/v1/customers/{customer_id}/numbers")
    assert resp.status_code == 200, resp.text
    return {n["number"] for n in resp.json()["numbers"]}


GOOGLE_FIRST = {
    2: ("create", None, [], "available"),
    3: ("create", None, [], "available"),  # quoted comma and a line break: lines 3-4
    5: ("skipped", "suspended", [], None),
    6: ("skipped", "resource", [], None),
    7: ("skipped", "no_email", [], None),
    8: ("invalid", "bad_email", [], None),
    9: ("duplicate", "duplicate_email", [], None),
    10: ("create", None, [], None),  # formula-looking cells, kept as text
    11: ("create", None, ["number_not_in_pool"], "not_in_pool"),
    12: ("invalid", "bad_phone", [], None),
}


def test_google_workspace_export_previewed_applied_and_imported_again(seller, accounts_db):
    company = seller.create_customer(country="CA")
    report = preview(seller, "google_workspace_users.csv", customer_id=company["id"])
    assert report["format"] == "google_workspace"
    assert lines(report) == GOOGLE_FIRST
    assert report["counts"] == {"create": 4, "update": 0, "unchanged": 0, "skipped": 3,
                                "invalid": 2, "duplicate": 1}
    rows = {r["line"]: r for r in report["rows"]}
    assert rows[3]["number"] == "+15145551202"
    assert rows[10]["first_name"] == '=HYPERLINK("http://evil.example/x","Cliquez")'
    assert rows[10]["department"] == "+cmd|' /C calc'!A0"
    assert rows[9]["message"] == "same e-mail as line 2"
    # written out again, a formula-looking cell is neutralised for spreadsheets
    exported = seller.get(f"{IMPORTS}/{report['import_id']}/report.csv")
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.text)))
    assert [int(r["line"]) for r in table] == sorted(GOOGLE_FIRST)
    cote = next(r for r in table if r["line"] == "10")
    assert cote["first_name"] == '\'=HYPERLINK("http://evil.example/x","Cliquez")'
    assert cote["department"] == "'+cmd|' /C calc'!A0"

    before = len(users_of(accounts_db, company["id"]))
    done = apply_and_wait(seller, report["import_id"])
    assert done["applied"] == {"create": 4, "update": 0, "unchanged": 0, "failed": 0,
                               "numbers": 2}
    users = {u.email: u for u in users_of(accounts_db, company["id"])}
    assert len(users) == before + 4
    formula = users["luc.cote@example.org"]
    assert formula.first_name == '=HYPERLINK("http://evil.example/x","Cliquez")'  # as text
    assert numbers_of(seller, company["id"]) == {"+15145551201", "+15145551202"}
    holders = {n["number"]: n["user_id"] for n in seller.get(
        f"/api/v1/customers/{company['id']}/numbers").json()["numbers"]}
    assert holders == {"+15145551201": users["amelie.tremblay@example.org"].id,
                       "+15145551202": users["marc.ouellet@example.org"].id}

    # Applying the same preview again is a no-op.
    again = seller.post(f"{IMPORTS}/{report['import_id']}/apply")
    assert again.status_code == 202 and again.json()["status"] == "done"
    assert again.json()["applied"] == done["applied"]

    # The same users, saved by Excel as "Unicode text" (UTF-16, tabs): nothing to create.
    second = preview(seller, "google_workspace_users_utf16.txt", customer_id=company["id"])
    assert second["format"] == "google_workspace"
    assert second["counts"]["create"] == 0
    assert {line: o for line, (o, *_) in lines(second).items()} == {
        **{line: o for line, (o, *_) in GOOGLE_FIRST.items()},
        2: "unchanged", 3: "unchanged", 10: "unchanged", 11: "unchanged"}
    assert lines(second)[2][3] == "held"
    done = apply_and_wait(seller, second["import_id"])
    assert done["applied"]["create"] == 0 and done["applied"]["update"] == 0
    assert len(users_of(accounts_db, company["id"])) == before + 4


def test_microsoft365_export_into_a_new_account(seller, accounts_db):
    report = preview(seller, "microsoft365_active_users.csv", new_account_name="Fortin Lee inc.")
    assert report["format"] == "microsoft365"
    assert lines(report) == {
        2: ("create", None, [], "available"),
        3: ("create", None, [], None),  # "Lee, Ann" and an office on two lines
        5: ("skipped", "blocked", [], None),
        6: ("skipped", "no_license", [], None),  # a shared mailbox
        7: ("skipped", "resource", [], None),  # a room
        8: ("skipped", "guest", [], None),
        9: ("skipped", "no_email", [], None),
        10: ("invalid", "bad_email", [], None),
        11: ("duplicate", "duplicate_email", [], None),
        12: ("create", None, [], None),
        13: ("create", None, ["number_not_in_pool"], "not_in_pool"),
    }
    rows = {r["line"]: r for r in report["rows"]}
    assert rows[3]["display_name"] == "Lee, Ann"
    assert rows[12]["display_name"] == "@SUM(1+1)*cmd|' /C calc'!A0"
    done = apply_and_wait(seller, report["import_id"])
    customer_id = done["customer_id"]
    assert customer_id and done["applied"]["create"] == 4 and done["applied"]["failed"] == 0
    account = seller.get(f"/api/v1/customers/{customer_id}").json()
    assert account["name"] == "Fortin Lee inc." and account["kind"] == "company"
    assert account["email"] == "chloe.fortin@example.com"  # the first user is its main user
    users = users_of(accounts_db, customer_id)
    assert sorted(u.email for u in users) == ["ann.lee@example.com", "chloe.fortin@example.com",
                                              "formula.user@example.com",
                                              "yves.caron@example.com"]
    assert numbers_of(seller, customer_id) == {"+15145551211"}

    second = preview(seller, "microsoft365_active_users.csv", customer_id=customer_id)
    assert second["counts"]["create"] == 0
    assert second["counts"]["unchanged"] == 4
    apply_and_wait(seller, second["import_id"])
    assert len(users_of(accounts_db, customer_id)) == 4


def test_broadworks_group_list_with_extensions(seller, accounts_db):
    company = seller.create_customer(country="CA")
    report = preview(seller, "broadworks_group_users.csv", customer_id=company["id"])
    assert report["format"] == "broadworks"
    assert lines(report) == {
        2: ("create", None, [], "available"),  # national number, read in Canada
        3: ("create", None, [], "available"),
        5: ("skipped", "no_email", [], None),
        6: ("skipped", "resource", [], None),
        7: ("invalid", "bad_extension", [], None),
        8: ("invalid", "bad_email", [], None),
        9: ("duplicate", "duplicate_email", [], None),
        10: ("create", None, ["extension_duplicate"], None),
        11: ("create", None, ["number_not_in_pool"], "not_in_pool"),
        12: ("create", None, [], None),
    }
    rows = {r["line"]: r for r in report["rows"]}
    assert (rows[2]["extension"], rows[10]["extension"]) == ("1221", None)
    assert rows[3]["last_name"] == "Smith Jr" and rows[3]["department"] == "Sales, West"
    assert rows[10]["department"] == "@SUM(A1:A9)"
    apply_and_wait(seller, report["import_id"])
    users = {u.email: u for u in users_of(accounts_db, company["id"])}
    assert users["helene.girard@example.net"].extension == "1221"
    assert users["anne.leclerc@example.net"].extension is None
    assert numbers_of(seller, company["id"]) == {"+15145551221", "+15145551222"}

    second = preview(seller, "broadworks_group_users.csv", customer_id=company["id"])
    assert second["counts"]["create"] == 0 and second["counts"]["unchanged"] == 5
    count = len(users)
    apply_and_wait(seller, second["import_id"])
    assert len(users_of(accounts_db, company["id"])) == count


def test_files_that_are_not_user_exports_are_refused_clearly(seller, tmp_path):
    company = seller.create_customer()
    empty = upload(seller, "", customer_id=company["id"])
    assert empty.status_code == 422, empty.text
    assert empty.json()["message"] == "the file is empty"

    numbers = seller.post(IMPORTS, params={"customer_id": company["id"]},
                          data=b"+1 514 555 1212\n+1 514 555 1213\n",
                          headers={"Content-Type": "text/plain"})
    assert numbers.status_code == 422
    message = numbers.json()["message"]
    assert "Email Address [Required]" in message and "User principal name" in message
    assert numbers.json()["details"][0]["field"] == "file"

    forced = upload(seller, "broadworks_group_users.csv", customer_id=company["id"],
                    format="microsoft365")
    assert forced.status_code == 422
    assert "Microsoft 365 (Display name, User principal name)" in forced.json()["message"]

    big = seller.post(IMPORTS, params={"customer_id": company["id"]},
                      data=b"x" * (25 * 1024 * 1024), headers={"Content-Type": "text/csv"},
                      timeout=60)
    assert big.status_code == 413
    assert "larger than" in big.json()["message"]

    neither = upload(seller, "broadworks_group_users.csv")
    assert neither.status_code == 422


def test_a_reseller_cannot_import_into_or_read_another_resellers_import(seller, stranger):
    theirs = stranger.create_customer()
    into = upload(seller, "broadworks_group_users.csv", customer_id=theirs["id"])
    assert into.status_code == 404

    mine = seller.create_customer()
    report = upload(stranger, "google_workspace_users.csv", new_account_name="Mine")
    # the stranger's own import works; the seller cannot see or apply it
    assert report.status_code == 201
    import_id = report.json()["import_id"]
    assert seller.get(f"{IMPORTS}/{import_id}").status_code == 404
    assert seller.post(f"{IMPORTS}/{import_id}/apply").status_code == 404
    assert stranger.get(f"{IMPORTS}/{import_id}").status_code == 200
    assert mine["id"]
