"""The Import users pages over HTTP like a browser: the upload with its CSRF token in the
query string, the report, the progress the page polls, and applying, in French and
English."""

from __future__ import annotations

import re

from tests.e2e.test_portal_http import Portal
from tests.support import wait_until

FILE = (b"User Id,Last Name,First Name,Phone Number,Extension,Email Address\r\n"
        b"u1@x,Portail,Paul,,301,paul.portail@portal-import.example\r\n"
        b"u2@x,Sanscourriel,Sam,,302,\r\n"
        b"u3@x,Formule,\"=1+2\",,303,formule@portal-import.example\r\n")


def test_upload_preview_and_apply_in_the_portal(platform, reseller):
    portal = Portal(platform.base_url)
    portal.login(reseller)
    page = portal.get("/customers/imports")
    assert page.status_code == 200
    assert 'id="user-import"' in page.text and 'enctype="multipart/form-data"' in page.text
    token = portal.token("/customers/imports")

    form = {"target": "new", "new_account_name": "Portail inc."}
    files = {"file": ("users.csv", FILE, "text/csv")}
    in_body = portal.http.post(platform.base_url + "/customers/imports", allow_redirects=False,
                               data={**form, "csrf_token": token}, files=files)
    assert in_body.status_code == 403  # the token must come in the query string
    sent = portal.http.post(platform.base_url + "/customers/imports", allow_redirects=False,
                            params={"csrf_token": token}, data=form, files=files)
    assert sent.status_code == 303, sent.text[:500]
    where = sent.headers["Location"]
    import_id = where.rsplit("/", 1)[1]
    report = wait_until(lambda: (r := portal.get(where)).status_code == 200
                        and 'data-status="ready"' in r.text and r, timeout=30)
    assert re.search(r'id="count-create">2<', report.text)
    assert re.search(r'id="count-skipped">1<', report.text)
    assert "=1+2" in report.text  # shown as the text it is
    assert "<progress" in report.text
    progress = portal.get(f"/customers/imports/{import_id}/progress").json()
    assert progress["status"] == "ready" and progress["progress"] == 50

    applied = portal.post(f"/customers/imports/{import_id}/apply",
                          {"csrf_token": portal.token(where)})
    assert applied.status_code == 303
    done = wait_until(lambda: portal.get(f"/customers/imports/{import_id}/progress").json()
                      ["status"] == "done", timeout=60)
    assert done
    final = portal.get(where)
    assert 'href="/customers/' in final.text
    no_token = portal.http.post(platform.base_url + f"/customers/imports/{import_id}/apply",
                                allow_redirects=False)
    assert no_token.status_code == 403


def test_a_file_of_another_format_is_shown_on_the_form(platform, reseller):
    portal = Portal(platform.base_url)
    portal.login(reseller)
    token = portal.token("/customers/imports")
    sent = portal.http.post(platform.base_url + "/customers/imports", allow_redirects=False,
                            params={"csrf_token": token},
                            data={"target": "new", "new_account_name": "Autre"},
                            files={"file": ("n.txt", b"+1 514 555 1212\n", "text/plain")})
    assert sent.status_code == 422
    assert "User principal name" in sent.text and 'id="user-import"' in sent.text


def test_pages_in_french(platform, reseller):
    portal = Portal(platform.base_url)
    portal.login(reseller)
    portal.post("/settings/language", {"csrf_token": portal.token("/settings"),
                                       "language": "fr"})
    page = portal.get("/customers/imports")
    assert "Importer les utilisateurs d&#39;une entreprise" in page.text
    assert "Reconnaître d&#39;après la ligne d&#39;en-tête" in page.text
