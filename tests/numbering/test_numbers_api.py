"""The number inventory through the HTTP API, against the real numbering service."""

from __future__ import annotations

import random
import threading
import time

import phonenumbers
import pytest
from phonenumbers import geocoder

from sbcommon.config import amqp_uri
from tests.numbering.conftest import fresh_numbers, import_text
from tests.support import ApiClient, EventListener, make_reseller, sign_in_subscriber


def pool_of(client, count, area=None):
    numbers = fresh_numbers(count, area)
    resp = import_text(client, numbers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["added"] == count
    return numbers


def test_add_one_number_with_metadata(reseller_api):
    number = fresh_numbers(1, "514")[0]
    written = f"+1 ({number[2:5]}) {number[5:8]}-{number[8:]}"
    resp = reseller_api.post("/api/v1/numbers", json={"number": written})
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["number"] == number
    assert (body["state"], body["country"], body["area_code"]) == ("available", "CA", "514")
    assert body["region"] == geocoder.description_for_number(phonenumbers.parse(number), "en")
    assert body["region"]
    again = reseller_api.post("/api/v1/numbers", json={"number": number})
    assert again.status_code == 409
    assert "already in your pool" in again.json()["message"]


@pytest.mark.parametrize("text, reason", [
    ("1-800-FLOWERS", "letters"), ("514 555 1212", "no_country_code"),
    ("+1 514", "too_short"), ("+1 555 555 5555", "invalid_for_country"),
])
def test_add_refuses_bad_numbers_with_the_reason(reseller_api, text, reason):
    resp = reseller_api.post("/api/v1/numbers", json={"number": text})
    assert resp.status_code == 422
    assert resp.json()["details"][0]["reason"] == reason


def test_import_report_lists_every_line_not_added(platform, reseller_api, accounts_db,
                                                 fast_hasher):
    mine = fresh_numbers(4)
    reseller_api.post("/api/v1/numbers", json={"number": mine[3]})
    other = ApiClient(platform.base_url).login(
        (r := make_reseller(accounts_db, fast_hasher)).identifier, r.password)
    theirs = fresh_numbers(1)[0]
    other.post("/api/v1/numbers", json={"number": theirs})
    text = "\r\n".join([
        f"+1 ({mine[0][2:5]}) {mine[0][5:8]}-{mine[0][8:]}",  # 1 added
        "1-800-COMPAGN",                                       # 2 letters: ignored
        "",                                                    # 3 blank: skipped
        mine[1],                                               # 4 added
        mine[0],                                               # 5 duplicate in file
        "+1 555 555 5555",                                     # 6 invalid for its country
        mine[3],                                               # 7 already in my pool
        theirs,                                                # 8 in another pool
        "514 555 1212",                                        # 9 no country code
        mine[2],                                               # 10 added
    ])
    resp = reseller_api.post("/api/v1/numbers/import", data=b"\xef\xbb\xbf" + text.encode(),
                             headers={"Content-Type": "text/plain"})
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert (report["added"], report["rejected"], report["status"]) == (3, 6, "done")
    reasons = {r["line"]: r["reason"] for r in report["rejections"]}
    assert reasons == {2: "letters", 5: "duplicate_in_file", 6: "invalid_for_country",
                       7: "already_in_pool", 8: "already_in_pool", 9: "no_country_code"}
    texts = {r["line"]: r["text"] for r in report["rejections"]}
    assert texts[2] == "1-800-COMPAGN"
    messages = {r["line"]: r["message"] for r in report["rejections"]}
    assert "your pool" in messages[7] and "your pool" not in messages[8]
    listed = reseller_api.get("/api/v1/numbers", params={"state": "available",
                                                         "per_page": 500}).json()
    assert set(mine) <= {n["number"] for n in listed["items"]}
    assert theirs not in {n["number"] for n in listed["items"]}


def test_import_as_multipart_upload(reseller_api):
    numbers = fresh_numbers(3)
    files = {"file": ("numbers.txt", "\n".join(numbers).encode(), "text/plain")}
    resp = reseller_api.post("/api/v1/numbers/import", files=files)
    assert resp.status_code == 200, resp.text
    assert resp.json()["added"] == 3
    report = reseller_api.get(f"/api/v1/numbers/imports/{resp.json()['import_id']}").json()
    assert report["added"] == 3 and report["status"] == "done"


def test_import_refuses_binary_huge_and_wrong_types(reseller_api):
    binary = reseller_api.post("/api/v1/numbers/import", data=b"\x89PNG\r\n\x1a\n\x00\x00",
                               headers={"Content-Type": "application/octet-stream"})
    assert binary.status_code == 415
    huge = reseller_api.post("/api/v1/numbers/import", data=b"+1 514 555 1212\n" * 3_400_000,
                             headers={"Content-Type": "text/plain"})
    assert huge.status_code == 413
    json_body = reseller_api.post("/api/v1/numbers/import", json={"numbers": []})
    assert json_body.status_code == 415
    no_file = reseller_api.post("/api/v1/numbers/import", files={"other": ("x", b"1")})
    assert no_file.status_code == 400


def test_non_utf8_lines_are_reported_and_good_lines_kept(reseller_api):
    good = fresh_numbers(2)
    body = good[0].encode() + b"\n+1 514 \xe9\xe9\xe9 1212\n" + good[1].encode()
    report = reseller_api.post("/api/v1/numbers/import", data=body,
                               headers={"Content-Type": "text/plain"}).json()
    assert report["added"] == 2
    assert [(r["line"], r["reason"]) for r in report["rejections"]] == [(2, "not_utf8")]


@pytest.fixture
def numbering_events(platform):
    listener = EventListener(amqp_uri(), "numbering")
    yield listener
    listener.close()


def test_assign_unassign_emit_events(reseller_api, numbering_events):
    customer = reseller_api.create_customer()
    given = pool_of(reseller_api, 2, "438")
    path = f"/api/v1/customers/{customer['id']}/numbers"
    resp = reseller_api.post(path, json={"numbers": given})
    assert resp.status_code == 201, resp.text
    assert {n["state"] for n in resp.json()["numbers"]} == {"assigned"}
    # already assigned: a conflict, nothing changes
    other = reseller_api.create_customer()
    taken = reseller_api.post(f"/api/v1/customers/{other['id']}/numbers",
                              json={"numbers": [given[0]]})
    assert taken.status_code == 409

    listed = reseller_api.get(path).json()["numbers"]
    assert sorted(n["number"] for n in listed) == given
    gone = reseller_api.delete(f"{path}/{given[0]}")
    assert gone.status_code == 200 and gone.json()["state"] == "available"
    assert reseller_api.delete(f"{path}/{given[0]}").status_code == 404

    assigned = numbering_events.wait_for(lambda e: e["event_type"] == "number_assigned"
                                         and e["number"] == given[1])
    assert assigned["customer_id"] == customer["id"]
    assert assigned["reseller_id"] == customer["reseller_id"] and assigned["event_id"]
    released = numbering_events.wait_for(lambda e: e["event_type"] == "number_released"
                                         and e["number"] == given[0])
    assert released["reason"] == "unassigned" and released["customer_id"] == customer["id"]


def test_order_by_country_and_area_code(reseller_api):
    customer = reseller_api.create_customer()
    pool_of(reseller_api, 3, "819")
    path = f"/api/v1/customers/{customer['id']}/numbers"
    got = reseller_api.post(path, json={"count": 2, "country": "CA", "area_code": "819"})
    assert got.status_code == 201, got.text
    numbers = got.json()["numbers"]
    assert len(numbers) == 2 and all(n["area_code"] == "819" for n in numbers)
    too_many = reseller_api.post(path, json={"count": 5, "area_code": "819"})
    assert too_many.status_code == 409
    assert too_many.json()["details"] == {"available": 1, "asked": 5}
    assert len(reseller_api.get(path).json()["numbers"]) == 2  # nothing partial


@pytest.mark.parametrize("body", [
    {}, {"numbers": []}, {"count": 0}, {"count": 101}, {"numbers": ["+1"], "count": 1},
    {"count": 1, "country": "Canada"}, {"count": 1, "area_code": "5a4"},
    {"numbers": ["+15145551212"], "country": "CA"}, {"count": 1, "reserve": True},
])
def test_bad_number_requests_are_422(reseller_api, body):
    customer = reseller_api.create_customer()
    resp = reseller_api.post(f"/api/v1/customers/{customer['id']}/numbers", json=body)
    assert resp.status_code == 422, resp.text


def test_another_resellers_numbers_are_invisible_and_untouchable(platform, reseller_api,
                                                                 accounts_db, fast_hasher):
    theirs = fresh_numbers(1)[0]
    other = ApiClient(platform.base_url).login(
        (r := make_reseller(accounts_db, fast_hasher)).identifier, r.password)
    other.post("/api/v1/numbers", json={"number": theirs})
    assert reseller_api.get("/api/v1/numbers", params={"prefix": theirs}).json()["total"] == 0
    customer = reseller_api.create_customer()
    resp = reseller_api.post(f"/api/v1/customers/{customer['id']}/numbers",
                             json={"numbers": [theirs]})
    assert resp.status_code == 404
    assert "not in your pool" in resp.json()["message"]


def test_reserve_then_assign_only_to_that_customer(reseller_api):
    holder, other = reseller_api.create_customer(), reseller_api.create_customer()
    number = pool_of(reseller_api, 1)[0]
    held = reseller_api.post(f"/api/v1/customers/{holder['id']}/numbers",
                             json={"numbers": [number], "reserve": True})
    assert held.json()["numbers"][0]["state"] == "reserved"
    assert reseller_api.post(f"/api/v1/customers/{other['id']}/numbers",
                             json={"numbers": [number]}).status_code == 409
    done = reseller_api.post(f"/api/v1/customers/{holder['id']}/numbers",
                             json={"numbers": [number]})
    assert done.json()["numbers"][0]["state"] == "assigned"


def test_aging_keeps_released_numbers_out_of_orders(reseller_api):
    assert reseller_api.request("PUT", "/api/v1/numbers/settings",
                                json={"aging_days": 30}).json() == {"aging_days": 30}
    customer = reseller_api.create_customer()
    number = pool_of(reseller_api, 1, "613")[0]
    path = f"/api/v1/customers/{customer['id']}/numbers"
    reseller_api.post(path, json={"numbers": [number]})
    rested = reseller_api.delete(f"{path}/{number}").json()
    assert rested["state"] == "aging" and rested["available_at"]
    assert reseller_api.post(path, json={"count": 1, "area_code": "613"}).status_code == 409
    assert reseller_api.request("PUT", "/api/v1/numbers/settings",
                                json={"aging_days": 400}).status_code == 422


def test_subscriber_orders_its_own_numbers(platform, reseller_api, accounts_events):
    customer = reseller_api.create_customer()
    pool_of(reseller_api, 2, "416")
    me = sign_in_subscriber(platform.base_url, accounts_events, customer)
    got = me.post(f"/api/v1/customers/{customer['id']}/numbers",
                  json={"count": 1, "area_code": "416"})
    assert got.status_code == 201, got.text
    assert me.get("/api/v1/numbers").json()["total"] == 1  # sees only its own numbers
    # but may not assign pool numbers by hand or hand them back
    number = got.json()["numbers"][0]["number"]
    assert me.delete(f"/api/v1/customers/{customer['id']}/numbers/{number}").status_code == 403


def test_concurrent_orders_never_share_a_number(platform, reseller, reseller_api):
    pool_of(reseller_api, 40, "604")
    customers = [reseller_api.create_customer() for _ in range(8)]
    results: dict[str, list[str]] = {}
    barrier = threading.Barrier(8)

    def order(customer):
        # One session for every thread: more simultaneous sign-ins to one account from one
        # address than the back-off allows would be answered as failures.
        client = ApiClient(platform.base_url, reseller_api.token)
        barrier.wait()
        got = []
        for _ in range(5):
            resp = client.post(f"/api/v1/customers/{customer['id']}/numbers",
                               json={"count": 1, "area_code": "604"})
            assert resp.status_code == 201, resp.text
            got += [n["number"] for n in resp.json()["numbers"]]
        results[customer["id"]] = got

    threads = [threading.Thread(target=order, args=(c,)) for c in customers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    every = [n for got in results.values() for n in got]
    assert len(every) == 40
    assert len(set(every)) == 40  # no number sold twice


def _numbers_process(platform):
    return next(p for p in platform.processes if p.name == "numbering")


def test_closed_customer_numbers_return_even_if_numbering_was_down(platform, reseller_api):
    customer = reseller_api.create_customer()
    numbers = pool_of(reseller_api, 2, "403")
    reseller_api.post(f"/api/v1/customers/{customer['id']}/numbers", json={"numbers": numbers})
    service = _numbers_process(platform)
    service.stop()
    try:
        assert reseller_api.delete(f"/api/v1/customers/{customer['id']}").status_code == 200
        time.sleep(1)  # the event waits in numbering's durable queue
    finally:
        service.start()
        platform.wait_healthy()
    deadline = time.monotonic() + 15
    states = set()
    while time.monotonic() < deadline:
        listed = reseller_api.get("/api/v1/numbers", params={"area_code": "403",
                                                             "per_page": 500}).json()
        states = {n["state"] for n in listed["items"] if n["number"] in numbers}
        if states == {"available"}:
            break
        time.sleep(0.3)
    assert states == {"available"}


def fresh_uk_mobile() -> str:
    """A valid mobile number of Great Britain itself (parts of +44 7 are Jersey, Guernsey
    or the Isle of Man) that nobody else in this run holds."""
    while True:
        text = f"+447{random.randint(400, 999)}{random.randint(0, 999_999):06d}"
        parsed = phonenumbers.parse(text)
        if (phonenumbers.is_valid_number(parsed)
                and phonenumbers.region_code_for_number(parsed) == "GB"):
            return text


def test_search_filters_and_csv_export(reseller_api):
    numbers = pool_of(reseller_api, 3, "450")
    uk = fresh_uk_mobile()
    added = reseller_api.post("/api/v1/numbers", json={"number": uk})
    assert added.status_code == 201, added.text
    by_prefix = reseller_api.get("/api/v1/numbers", params={"prefix": "+1450"}).json()
    assert {n["number"] for n in by_prefix["items"]} == set(numbers)
    assert by_prefix["total"] == 3
    gb = reseller_api.get("/api/v1/numbers", params={"country": "gb"}).json()
    # the pool holds Canadian numbers and this one: the filter finds exactly it
    assert [(n["number"], n["country"]) for n in gb["items"]] == [(added.json()["number"],
                                                                     "GB")]
    csv = reseller_api.get("/api/v1/numbers/export.csv", params={"prefix": "+1450"})
    assert csv.status_code == 200
    assert csv.headers["Content-Type"].startswith("text/csv")
    lines = csv.text.strip().splitlines()
    assert lines[0].startswith("number,state,country")
    assert sorted(line.split(",")[0] for line in lines[1:]) == numbers
    bad = reseller_api.get("/api/v1/numbers", params={"prefix": "1450'; DROP TABLE"})
    assert bad.status_code == 422


def test_large_import_in_several_batches_keeps_every_line(reseller_api):
    """Several batches in flight at once (the gateway pipelines them): each line is
    counted exactly once and duplicates across batches are caught."""
    numbers = fresh_numbers(4500)
    lines = numbers + numbers[:10]  # the last ten repeat lines of the first batch
    report = import_text(reseller_api, lines).json()
    assert report["status"] == "done"
    assert (report["lines_read"], report["added"], report["rejected"]) == (4510, 4500, 10)
    assert {r["reason"] for r in report["rejections"]} == {"duplicate_in_file"}
    assert {r["line"] for r in report["rejections"]} == set(range(4501, 4511))


def test_closing_with_an_aging_period_frees_reserved_numbers_and_ages_assigned_ones(
        platform, accounts_db, fast_hasher):
    from tests.support import ApiClient, make_reseller

    # A reseller of its own: the aging period is a reseller-wide setting.
    owner = make_reseller(accounts_db, fast_hasher)
    api = ApiClient(platform.base_url).login(owner.identifier, owner.password)
    assert api.put("/api/v1/numbers/settings", json={"aging_days": 30}).status_code == 200
    customer = api.create_customer()
    reserved, assigned = pool_of(api, 2, "587")
    base = f"/api/v1/customers/{customer['id']}/numbers"
    assert api.post(base, json={"numbers": [reserved], "reserve": True}).status_code == 201
    assert api.post(base, json={"numbers": [assigned]}).status_code == 201
    assert api.delete(f"/api/v1/customers/{customer['id']}").status_code == 200

    def states() -> dict[str, str]:
        listed = api.get("/api/v1/numbers", params={"area_code": "587", "per_page": 500})
        return {n["number"]: n["state"] for n in listed.json()["items"]}

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and states() != {reserved: "available",
                                                       assigned: "aging"}:
        time.sleep(0.2)
    assert states() == {reserved: "available", assigned: "aging"}
