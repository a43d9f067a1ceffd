"""The direct PBX path without a server: reading the PBX's questions, the token in either
header form, the answers from a cache, the freshness rules of the cache, and the SIP
credentials provisioning computes (no broker, no database)."""

from __future__ import annotations

import base64

import pytest

from services.provisioning.domain.sip import SipServer, credentials_event, ha1
from services.routing_policy.domain import pbx
from services.routing_policy.domain.cache import PolicyCache, SipUser, TokenInfo
from services.routing_policy.domain.policy import CompiledRule, CustomerContext, LevelTable
from services.routing_policy.domain.tokens import digest

TOKEN = "sbpbx_unit-token"
OTHER = "sbpbx_other-reseller"
REALM = "sip.example"


def cache() -> PolicyCache:
    made = PolicyCache(loaded_at=1.0)
    made.tokens = {digest(TOKEN): TokenInfo("t1", None), digest(OTHER): TokenInfo("t2", "r2")}
    for cid, status in (("c-open", "production"), ("c-closed", "closed"),
                        ("c-suspended", "suspended")):
        made.customers[cid] = CustomerContext(cid, "r1", "FR", status)
        made.sip_users[f"sb-{cid}"] = SipUser(f"sb-{cid}", "r1", cid, "+33142685300",
                                              {REALM: "a" * 32})
    made.customer_tables["c-open"] = LevelTable.compile(
        [CompiledRule("rule-cu", "deny", "country", "CU", "customer")])
    return made


def ask(made: PolicyCache, path: str, query: str, authorization: str | None = None):
    return pbx.handle(made, "GET", path, query,
                      authorization if authorization is not None else f"Bearer {TOKEN}",
                      lambda: {"status": "ok"})


# -- reading the question ------------------------------------------------------------------
@pytest.mark.parametrize("raw, read", [
    (" 33142685300", "+33142685300"),  # a + that a query string decoded as a space
    ("  5371234567", "+5371234567"),
    ("+33 1 42", "+33 1 42"),
    ("0142685300", "0142685300"),
    (" ", " "),  # nothing after the space: not a number, left for the validator
    (" abc", " abc"),
])
def test_a_plus_that_arrived_as_a_space_is_read_as_plus(raw, read):
    assert pbx.plus_restored(raw) == read


def test_the_answer_says_what_was_understood():
    status, body = ask(cache(), "/pbx/v1/authorize",
                       "sip_user=sb-c-open&dialed=+5371234567&kind=forward")
    assert status == 200
    assert body["dialed"] == "+5371234567" and body["destination"] == "+5371234567"
    assert body["allow"] is False and body["rule_id"] == "rule-cu"
    assert body["kind"] == "forward" and body["customer_id"] == "c-open"


@pytest.mark.parametrize("query, field", [
    ("dialed=112", "customer"),  # no identity
    ("dialed=112&customer=c-open&sip_user=sb-c-open", "customer"),  # two identities
    ("dialed=112&caller=0142685300", "caller"),  # not E.164
    ("dialed=1-800-FLOWERS&customer=c-open", "dialed"),
    ("dialed=112&customer=c-open&kind=bounce", "kind"),
    ("dialed=112&customer=c-open&extra=1", "extra"),
])
def test_bad_questions_are_422_naming_the_field(query, field):
    status, body = ask(cache(), "/pbx/v1/authorize", query)
    assert status == 422, body
    assert field in str(body["details"]) or field in body["message"]


@pytest.mark.parametrize("query, status", [
    ("dialed=112&dialed=113&customer=c-open", 400),  # repeated
    ("dialed=%ff&customer=c-open", 400),  # not UTF-8
    ("&".join(f"k{i}=1" for i in range(20)), 400),  # too many fields
])
def test_unreadable_query_strings_are_400(query, status):
    code, body = ask(cache(), "/pbx/v1/authorize", query)
    assert code == status and body["error"] == "bad_request", body


def test_unknown_paths_and_methods():
    assert ask(cache(), "/pbx/v1/nothing", "")[0] == 404
    assert pbx.handle(cache(), "POST", "/pbx/v1/authorize", "", f"Bearer {TOKEN}",
                      dict)[0] == 405


# -- the token ------------------------------------------------------------------------------
def basic(password: str) -> str:
    return "Basic " + base64.b64encode(f"pbx:{password}".encode()).decode()


@pytest.mark.parametrize("authorization, status", [
    (f"Bearer {TOKEN}", 200),
    (basic(TOKEN), 200),  # Kamailio's http_connect: the token as the Basic password
    ("", 401),
    ("Bearer ", 401),
    ("Bearer sbpbx_wrong", 401),
    (basic("sbpbx_wrong"), 401),
    ("Basic !!!not-base64", 401),
    (f"Token {TOKEN}", 401),
])
def test_the_pbx_token_in_either_form(authorization, status):
    code, _ = ask(cache(), "/pbx/v1/echo", "x=1", authorization)
    assert code == status


# -- SIP credentials ------------------------------------------------------------------------
def test_sip_credentials_only_for_customers_in_service():
    made = cache()
    status, body = ask(made, "/pbx/v1/sip-credentials", f"username=sb-c-open&realm={REALM}")
    assert status == 200
    assert body == {"ha1": "a" * 32, "customer_id": "c-open", "caller_id": "+33142685300"}
    for who in ("sb-c-closed", "sb-c-suspended", "sb-nobody"):
        assert ask(made, "/pbx/v1/sip-credentials", f"username={who}&realm={REALM}")[0] == 404
    assert ask(made, "/pbx/v1/sip-credentials",
               "username=sb-c-open&realm=other.example")[0] == 404
    # another reseller's token learns nothing about this line
    assert ask(made, "/pbx/v1/sip-credentials", f"username=sb-c-open&realm={REALM}",
               f"Bearer {OTHER}")[0] == 404


def test_a_closed_customer_keeps_its_emergency_calls():
    made = cache()
    ok, body = ask(made, "/pbx/v1/authorize", "sip_user=sb-c-closed&dialed=112")
    assert ok == 200 and body["allow"] is True and body["level"] == "emergency"
    ok, body = ask(made, "/pbx/v1/authorize", "sip_user=sb-c-closed&dialed=0142685300")
    assert ok == 200 and body["allow"] is False and "closed" in body["reason"]


def test_ha1_is_rfc_2617():
    # the worked example of RFC 2617, section 3.5
    assert ha1("Mufasa", "testrealm@host.com", "Circle Of Life") == \
        "939e7578ed9e3c518a452acee763bce9"


@pytest.mark.parametrize("domain, proxy, parsed", [
    ("sip.example", "", ("sip.example", "sip.example", 5060)),
    ("sip.example", "edge.example", ("sip.example", "edge.example", 5060)),
    ("sip.example", "edge.example:5080", ("sip.example", "edge.example", 5080)),
])
def test_sip_server_settings(domain, proxy, parsed):
    server = SipServer.parse(domain, proxy)
    assert (server.domain, server.proxy_host, server.proxy_port) == parsed
    assert server.realm == domain


@pytest.mark.parametrize("proxy", ["edge:0", "edge:99999", "edge:http", ":5060"])
def test_bad_proxy_setting_is_refused(proxy):
    with pytest.raises(ValueError, match="SB_SIP_PROXY"):
        SipServer.parse("sip.example", proxy)


def test_the_credentials_event_carries_ha1_never_the_secret():
    class Row:
        id, reseller_id, sip_username, sip_version = "d1", "r1", "sb-user", 3

    event = credentials_event(Row(), Row(), "s3cret-line-password", "+33142685300",
                              "sip.switchboard.example")
    assert "s3cret-line-password" not in str(event)
    assert event["ha1"] and all(len(v) == 32 for v in event["ha1"].values())
    assert event["version"] == 3 and event["deleted"] is False
    gone = credentials_event(Row(), Row(), None, None, "sip.switchboard.example")
    assert gone["ha1"] == {} and gone["deleted"] is True


# -- freshness --------------------------------------------------------------------------------
def test_a_load_never_replaces_an_entry_from_a_newer_snapshot():
    made = cache()
    made.snapshot_at = 10
    assert made._put("customers", "c-new", CustomerContext("c-new", "r1", "FR", "closed"), 12)
    # an older load (started before the change, finished after) does not win
    assert not made._put("customers", "c-new",
                         CustomerContext("c-new", "r1", "FR", "production"), 11)
    assert made.customers["c-new"].status == "closed"
    # nor does a full reload from an older snapshot
    fresh = {"c-new": CustomerContext("c-new", "r1", "FR", "production")}
    assert made._keep_newer("customers", fresh, 11)["c-new"].status == "closed"
    # a removal is kept the same way
    assert made._put("customers", "c-open", None, 13)
    assert "c-open" not in made._keep_newer("customers", {"c-open": object()}, 11)
    # an entry older than the last full reload is refused too
    assert not made._put("callers", "+33100000000", "c-open", 9)


def test_a_missed_broadcast_shows_as_a_generation_gap():
    made = cache()
    made.generation = 5
    made.applied_broadcast(7)  # 6 has not come (yet)
    assert made.generation == 5
    assert made.behind(7, now=100.0, grace=1.5) is False  # maybe in flight
    assert made.behind(7, now=101.0, grace=1.5) is False
    assert made.behind(7, now=101.6, grace=1.5) is True  # missed: reload
    made.applied_broadcast(6)
    assert made.generation == 7 and made.behind(7, now=102.0, grace=1.5) is False


# -- the documented proxy configuration is the shipped one ------------------------------------
def test_the_documentation_shows_the_shipped_kamailio_configuration_verbatim():
    from tests.support import ROOT

    shipped = (ROOT / "deploy" / "pbx" / "kamailio" / "kamailio.cfg").read_text()
    doc = (ROOT / "docs" / "pbx-integration.md").read_text()
    assert "```\n" + shipped + "```\n" in doc
    assert "s.escape.param})&caller" not in doc  # the recipe that sent + as a space
