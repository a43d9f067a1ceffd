"""The Phone numbers page and a customer's Numbers tab, over HTTP like a browser."""

from __future__ import annotations

import re

from tests.e2e.test_portal_http import Portal
from tests.numbering.conftest import fresh_numbers
from tests.support import ApiClient


def test_pool_page_add_and_import_with_report(platform, reseller):
    portal = Portal(platform.base_url)
    portal.login(reseller)
    page = portal.get("/numbers")
    assert page.status_code == 200
    assert 'id="number-import"' in page.text and "<progress" in page.text

    number = fresh_numbers(1)[0]
    added = portal.submit("/numbers", "/numbers/add", {"number": number})
    assert added.status_code == 303
    assert number in portal.get("/numbers").text

    bad = portal.submit("/numbers", "/numbers/add", {"number": "1-800-FLOWERS"})
    assert bad.status_code == 422 and "letters" in bad.text

    lines = fresh_numbers(2) + ["1-800-COMPAGN", number]
    token = portal.token("/numbers")
    # The token travels in the query (as the page's form sends it): the upload is not
    # parsed before it is checked, so a token in the multipart body does not count.
    in_body = portal.http.post(platform.base_url + "/numbers/import", allow_redirects=False,
                               data={"csrf_token": token},
                               files={"file": ("n.txt", b"+15145550000", "text/plain")})
    assert in_body.status_code == 403
    done = portal.http.post(platform.base_url + "/numbers/import", allow_redirects=False,
                            params={"csrf_token": token},
                            files={"file": ("n.txt", "\n".join(lines).encode(), "text/plain")})
    assert done.status_code == 303
    report = portal.get(done.headers["Location"])
    assert re.search(r'id="import-added">2<', report.text)
    assert re.search(r'id="import-rejected">2<', report.text)
    assert "1-800-COMPAGN" in report.text

    no_token = portal.http.post(platform.base_url + "/numbers/import", allow_redirects=False,
                                files={"file": ("n.txt", b"+15145550000", "text/plain")})
    assert no_token.status_code == 403


def test_script_path_opens_an_import_and_reports_progress(platform, reseller):
    portal = Portal(platform.base_url)
    portal.login(reseller)
    opened = portal.post("/numbers/imports", {"csrf_token": portal.token("/numbers"),
                                              "size": "40"})
    assert opened.status_code == 201
    import_id = opened.json()["import_id"]
    token = portal.token("/numbers")
    portal.http.post(platform.base_url + "/numbers/import", allow_redirects=False,
                     params={"csrf_token": token, "import_id": str(import_id)},
                     files={"file": ("n.txt", "\n".join(fresh_numbers(3)).encode(),
                                     "text/plain")})
    progress = portal.get(f"/numbers/imports/{import_id}/progress").json()
    assert progress["status"] == "done" and progress["added"] == 3
    assert progress["bytes_total"] == 40


def test_customer_numbers_tab_order_and_release(platform, reseller):
    api = ApiClient(platform.base_url).login(reseller.identifier, reseller.password)
    customer = api.create_customer()
    pool = fresh_numbers(2, "450")
    api.post("/api/v1/numbers/import", data="\n".join(pool).encode(),
             headers={"Content-Type": "text/plain"})
    portal = Portal(platform.base_url)
    portal.login(reseller)
    tab = f"/customers/{customer['id']}/numbers"
    page = portal.get(tab)
    assert page.status_code == 200 and 'aria-current="page"' in page.text
    ordered = portal.submit(tab, f"{tab}/order", {"count": "1", "country": "CA",
                                                  "area_code": "450"})
    assert ordered.status_code == 303
    mine = api.get(f"/api/v1/customers/{customer['id']}/numbers").json()["numbers"]
    assert len(mine) == 1
    too_many = portal.submit(tab, f"{tab}/order", {"count": "9", "area_code": "450"})
    assert too_many.status_code == 409 and "available" in too_many.text
    released = portal.submit(tab, f"{tab}/release", {"number": mine[0]["number"]})
    assert released.status_code == 303
    assert api.get(f"/api/v1/customers/{customer['id']}/numbers").json()["numbers"] == []
