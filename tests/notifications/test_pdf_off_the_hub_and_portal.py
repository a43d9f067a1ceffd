"""PDF rendering never stalls the notifications service; the portal's e-mail pages."""

from __future__ import annotations

import re
import statistics
import threading
import time

from tests.e2e.test_portal_http import FLASH_RE, Portal


def test_health_answers_within_20ms_while_statements_render(platform, rpc, reseller_api):
    # Structural: the PDFs are made by other processes than the service's.
    health = rpc.notifications.health()
    assert health["pdf_workers"] and health["pid"] not in health["pdf_workers"]
    customers = [reseller_api.create_customer() for _ in range(3)]
    for _ in range(20):  # warm-up and baseline
        rpc.notifications.health()
    baseline = []
    for _ in range(30):
        start = time.perf_counter()
        rpc.notifications.health()
        baseline.append((time.perf_counter() - start) * 1000)

    done = threading.Event()
    results: list[int] = []

    def send_statements() -> None:
        for _ in range(3):
            for c in customers:
                results.append(reseller_api.post(
                    f"/api/v1/customers/{c['id']}/emails/statement").status_code)
        done.set()

    worker = threading.Thread(target=send_statements)
    worker.start()
    during = []
    while not done.is_set():
        start = time.perf_counter()
        rpc.notifications.health()
        during.append((time.perf_counter() - start) * 1000)
        time.sleep(0.005)
    worker.join()
    assert results == [202] * 9
    assert len(during) >= 20, "the renders were too quick to measure anything"
    during.sort()
    p90 = during[int(len(during) * 0.9)]
    # 20 ms is the target; the ratio to the baseline keeps a loaded CI machine fair.
    assert statistics.median(during) < 20, (statistics.median(during), baseline)
    assert p90 < max(20, 4 * statistics.median(baseline)), (p90, during[-5:])


def test_portal_emails_tab_sends_and_shows_the_log(platform, reseller, reseller_api, smtp):
    customer = reseller_api.create_customer(language="en")
    portal = Portal(platform.base_url)
    portal.login(reseller)
    page = portal.get(f"/customers/{customer['id']}/emails")
    assert page.status_code == 200
    assert f'href="/customers/{customer["id"]}/emails"' in page.text  # the tab
    assert 'href="/mail-log"' in page.text  # the top bar
    # no CSRF token: refused, nothing sent
    refused = portal.post(f"/customers/{customer['id']}/emails/statement", {})
    assert refused.status_code == 403
    sent = portal.submit(f"/customers/{customer['id']}/emails",
                         f"/customers/{customer['id']}/emails/message",
                         {"subject": "Portal <hello>", "body": "<b>hi</b>"})
    assert sent.status_code == 303
    followed = portal.get(sent.headers["Location"])
    assert FLASH_RE.search(followed.text)
    bad = portal.submit(f"/customers/{customer['id']}/emails",
                        f"/customers/{customer['id']}/emails/message",
                        {"subject": "two\nlines", "body": "kept text"})
    assert bad.status_code == 422 and "kept text" in bad.text
    assert smtp.wait_for(lambda m: str(m["Subject"]) == "Portal <hello>")
    log = portal.get("/mail-log")
    assert log.status_code == 200 and "Portal &lt;hello&gt;" in log.text
    listing = portal.get("/customers?tab=company&q=acme")
    links = re.findall(r'href="(/customers/export\.(?:csv|pdf)\?[^"]+)"', listing.text)
    assert len(links) == 2 and all("q=acme" in link for link in links)
    csv = portal.get(links[0].replace("&amp;", "&"))
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
