"""A consuming service's database refuses connections while customers are closed: once it is
back, every close has taken effect everywhere, and none twice."""

from __future__ import annotations

import ftplib
import time

from sqlalchemy import func, select

from services.numbering.models import NumberHistory
from tests.chaos.conftest import authorize, database_refusing, eventually
from tests.numbering.conftest import fresh_numbers

CUSTOMERS = 4
OUTAGE_SECONDS = 3
RECOVERY_SECONDS = 10


def _ftp_accepts(server, username: str, password: str) -> bool:
    try:
        ftp = ftplib.FTP(timeout=10)  # noqa: S321  (the phones speak plain FTP)
        ftp.connect("127.0.0.1", server.ftp_port)
        ftp.login(username, password)
    except ftplib.error_perm:
        return False
    ftp.close()
    return True


def _set_up_customer(reseller_api, platform, pbx_token, file_server) -> dict:
    [number] = fresh_numbers(1, "514")
    added = reseller_api.post("/api/v1/numbers", json={"number": number})
    assert added.status_code == 201, added.text
    customer = reseller_api.create_customer(country="CA", start="production")
    ordered = reseller_api.post(f"/api/v1/customers/{customer['id']}/numbers",
                                json={"numbers": [number]})
    assert ordered.status_code in (200, 201), ordered.text
    info = reseller_api.get(f"/api/v1/customers/{customer['id']}/provisioning")
    assert info.status_code == 200, info.text
    login = (info.json()["username"], info.json()["password"])
    assert eventually(lambda: authorize(platform, pbx_token, customer["id"]).status_code == 200)
    assert authorize(platform, pbx_token, customer["id"]).json()["allow"] is True
    assert _ftp_accepts(file_server, *login)
    return {"id": customer["id"], "number": number, "login": login}


def test_closes_made_while_consumers_refuse_connections_all_take_effect_once(
        platform, reseller_api, pbx_token, file_server, databases):
    made = [_set_up_customer(reseller_api, platform, pbx_token, file_server)
            for _ in range(CUSTOMERS)]

    with database_refusing("routing_policy", "numbering", "provisioning"):
        for customer in made:
            closed = reseller_api.delete(f"/api/v1/customers/{customer['id']}")
            assert closed.status_code == 200, closed.text
        time.sleep(OUTAGE_SECONDS)
    back = time.monotonic()

    def still_allowed() -> list[str]:
        return [c["id"] for c in made
                if authorize(platform, pbx_token, c["id"]).json().get("allow") is not False]

    def numbers_held() -> list[str]:
        held = []
        for c in made:
            page = reseller_api.get("/api/v1/numbers", params={"prefix": c["number"]}).json()
            if [n["state"] for n in page["items"]] != ["available"]:
                held.append(c["number"])
        return held

    def ftp_open() -> list[str]:
        return [c["id"] for c in made if _ftp_accepts(file_server, *c["login"])]

    eventually(lambda: not (still_allowed() or numbers_held() or ftp_open()),
               timeout=RECOVERY_SECONDS, every=0.25)
    recovered_in = time.monotonic() - back
    lost = len(still_allowed()) + len(numbers_held()) + len(ftp_open())
    with databases["numbering"]() as session:
        releases = dict(session.execute(
            select(NumberHistory.e164, func.count()).where(
                NumberHistory.e164.in_([c["number"] for c in made]),
                NumberHistory.action == "released").group_by(NumberHistory.e164)).all())
    repeated = sum(max(releases.get(c["number"], 0) - 1, 0) for c in made)
    print(f"\ndatabase outage: {CUSTOMERS} closes, recovered in {recovered_in:.1f} s, "
          f"lost={lost} repeated={repeated}")
    assert (lost, repeated) == (0, 0), (still_allowed(), numbers_held(), ftp_open(), releases)
    assert all(releases.get(c["number"]) == 1 for c in made)
    for customer in made:
        verdict = authorize(platform, pbx_token, customer["id"]).json()
        assert verdict["reason"] == "the customer account is closed"
