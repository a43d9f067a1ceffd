"""PDF rendering never stalls the notifications service; the portal's e-mail pages."""

from __future__ import annotations

import re
import threading

from tests.e2e.test_portal_http import FLASH_RE, Portal


def test_health_keeps_answering_while_statements_render(platform, rpc, reseller_api):
    """Renders happen in other processes, and the service answers between them. How fast
    (target p99 under 20 ms, beside its idle baseline) is bench_notifications.py's."""
    health = rpc.notifications.health()
    assert health["pdf_workers"] and health["pid"] not in health["pdf_workers"]
    customers = [reseller_api.create_customer() for _ in range(3)]
    done = threading.Event()
    results: list[int] = []

    def send_statements() -> None:
        try:
            for _ in range(3):
                for c in customers:
                    results.append(reseller_api.post(
                        f"/api/v1/customers/{c['id']}/emails/statement").status_code)
        finally:
            done.set()

    worker = threading.Thread(target=send_statements)
    worker.start()
    answered = 0
    while not done.is_set():
        rpc.notifications.health()
        answered += 1
    worker.join()
    assert results == [202] * 9
    # Rendered on the hub, each health call would wait for a render: about one answer per
    # statement. Off the hub it answers many times per statement, however loaded the machine.
    assert answered > 2 * len(results), answered


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
