"""The organisations' rules without a broker: the extension clash check, the shared
directory, the internal-call decision and the phone book in every vendor's format."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from defusedxml import ElementTree

from services.accounts.domain.organisations import find_clashes
from services.provisioning.domain import phonebook, vendors
from services.routing_policy.domain import internal
from services.routing_policy.domain.cache import PolicyCache
from services.routing_policy.domain.policy import (
    CompiledRule,
    CustomerContext,
    LevelTable,
    decide,
)

A, B, C = "a" * 36, "b" * 36, "c" * 36
ORG = "o" * 36
DENY_INTERNATIONAL = LevelTable.compile([CompiledRule("r1", "deny", "category",
                                                      "international", "customer")])


# -- the extension clash check (accounts) ---------------------------------------------------
def test_clashes_list_each_extension_already_used_by_another_member():
    present = [("201", A), ("202", A), ("300", C)]
    joining = [("202", B), ("300", B), ("999", B), ("202", B)]
    assert find_clashes(present, joining) == [
        {"extension": "202", "customer_id": A, "joining_customer_id": B},
        {"extension": "300", "customer_id": C, "joining_customer_id": B}]


def test_no_clash_with_itself_nor_between_different_extensions():
    assert find_clashes([("201", A)], [("201", A), ("202", A)]) == []
    assert find_clashes([], [("201", B)]) == []


# -- the shared directory (routing_policy) --------------------------------------------------
def _directory() -> internal.Directory:
    members = [internal.Member(A, "Lyon branch", "production"),
               internal.Member(B, "Paris branch", "trial"),
               internal.Member(C, "Closed branch", "closed")]
    users = [internal.UserRow("u1", A, "Alice", "201"), internal.UserRow("u2", B, "Bob", "202"),
             internal.UserRow("u3", C, "Carol", "203")]
    numbers = [("+33142685300", A, "u1"), ("+15145550100", B, None),
               ("+33142685399", C, None)]
    return internal.build(ORG, ORG, members, users, numbers)


def test_directory_lists_open_members_users_and_numbers():
    directory = _directory()
    assert directory.members == (A, B)  # the closed account is not in it
    entries = {(e.customer_id, e.user_id): e for e in directory.entries}
    assert entries[(A, "u1")].numbers == ("+33142685300",)
    assert entries[(A, "u1")].extension == "201"
    assert entries[(B, None)].numbers == ("+15145550100",)  # held by the account, not a user
    assert set(directory.extensions) == {"201", "202"}
    assert directory.numbers["+15145550100"].customer_id == B
    assert "+33142685399" not in directory.numbers
    as_json = directory.as_dict(A)
    assert as_json["organisation_id"] == ORG and len(as_json["entries"]) == 3


def test_an_extension_claimed_twice_goes_to_the_same_entry_everywhere():
    members = [internal.Member(A, "A", "production"), internal.Member(B, "B", "production")]
    users = [internal.UserRow("u9", B, "Late", "201"), internal.UserRow("u1", A, "First", "201")]
    assert internal.build(ORG, ORG, members, users, []).extensions["201"].user_id == "u1"
    assert internal.build(ORG, ORG, members, reversed(users), []).extensions["201"].user_id \
        == "u1"


# -- the internal decision (routing_policy) -------------------------------------------------
def _cache() -> PolicyCache:
    cache = PolicyCache()
    cache.customers = {A: CustomerContext(A, "r", "FR", "production", ORG, "Lyon branch"),
                       B: CustomerContext(B, "r", "FR", "trial", ORG, "Paris branch"),
                       C: CustomerContext(C, "r", "FR", "production", None, "Alone")}
    cache.callers = {"+15145550100": B, "+15145550177": C}
    cache.directories = {ORG: _directory()}
    cache.customer_tables = {A: DENY_INTERNATIONAL}
    return cache


def test_a_members_extension_is_internal_whatever_the_rules():
    cache = _cache()
    verdict = cache.decide(cache.customers[A], "202", "direct")
    assert (verdict.allow, verdict.level) == (True, "internal")
    assert verdict.callee == {"customer_id": B, "user_id": "u2", "name": "Bob",
                              "extension": "202", "number": None}


def test_a_members_foreign_number_is_internal_though_international_is_denied():
    cache = _cache()
    verdict = cache.decide(cache.customers[A], "+1 514 555 0100", "forward")
    assert (verdict.allow, verdict.level, verdict.destination) == (True, "internal",
                                                                   "+15145550100")
    assert verdict.callee["customer_id"] == B and verdict.callee["number"] == "+15145550100"
    # the same country, held by an account outside the organisation: the rule applies
    outside = cache.decide(cache.customers[A], "+15145550177", "direct")
    assert (outside.allow, outside.level) == (False, "customer")


def test_no_organisation_no_internal_call_to_another_account():
    cache = _cache()
    alone = cache.customers[C]
    assert cache.decide(alone, "+15145550100", "direct").level != "internal"
    # its own number is internal (the same account)
    assert cache.decide(alone, "+15145550177", "direct").level == "internal"


def test_emergency_and_closed_accounts_keep_their_rules():
    cache = _cache()
    assert cache.decide(cache.customers[A], "112", "direct").level == "emergency"
    closed = CustomerContext(A, "r", "FR", "closed", ORG, "Lyon branch")
    verdict = cache.decide(closed, "+15145550100", "direct")
    assert (verdict.allow, verdict.level) == (False, "default")


def test_decide_without_a_directory_is_unchanged():
    context = CustomerContext(A, "r", "FR", "production")
    verdict = decide(context, "+15145550100", "direct", DENY_INTERNATIONAL, LevelTable(),
                     "allow")
    assert (verdict.allow, verdict.level, verdict.callee) == (False, "customer", None)


def test_directory_of_an_account_alone_lists_itself():
    cache = _cache()
    got = cache.directory_of(C)
    assert got["organisation_id"] is None and got["members"] == [C]
    assert got["entries"][0]["name"] == "Alone"


# -- the phone book (provisioning) ----------------------------------------------------------
HOSTILE = 'Smith & <Sons> "Q" \'x\''


def _contacts() -> list[phonebook.Contact]:
    users = [SimpleNamespace(id="u1", customer_id=A, display_name=HOSTILE, extension="201",
                             deleted=False),
             SimpleNamespace(id="u2", customer_id=B, display_name="Bob", extension="202",
                             deleted=False),
             SimpleNamespace(id="u3", customer_id=B, display_name="Gone", extension="203",
                             deleted=True),
             SimpleNamespace(id="u4", customer_id=C, display_name="Outsider", extension="204",
                             deleted=False)]
    return phonebook.contacts([(A, "Lyon"), (B, "Paris")], users,
                              [("+15145550100", B, None), ("+15145550101", B, "u2"),
                               ("+15145550199", C, None)])


def test_contacts_of_the_organisation():
    names = [(c.name, c.numbers) for c in _contacts()]
    assert names == [("Bob", ("202", "+15145550101")), ("Paris", ("+15145550100",)),
                     (HOSTILE, ("201",))]


def _texts(root, tag: str) -> list[str]:
    return [e.text or "" for e in root.iter(tag)]


@pytest.mark.parametrize("model,root_tag,name_tag,number_tag", [
    ("yealink-t46u", "YealinkIPPhoneDirectory", "Name", "Telephone"),
    ("cisco-spa504g", "CiscoIPPhoneDirectory", "Name", "Telephone"),
    ("cisco-cp-8841-3pcc", "CiscoIPPhoneDirectory", "Name", "Telephone"),
    ("snom-d735", "SnomIPPhoneDirectory", "Name", "Telephone"),
    ("polycom-vvx250", "directory", "fn", "ct"),
    ("grandstream-gxp2170", "AddressBook", "FirstName", "phonenumber"),
])
def test_every_vendor_phone_book_parses_and_escapes_names(model, root_tag, name_tag,
                                                          number_tag):
    body = vendors.render_phonebook(model, "Directory", _contacts())
    root = ElementTree.fromstring(body)
    assert root.tag == root_tag
    assert set(_texts(root, number_tag)) == {"201", "202", "+15145550100", "+15145550101"}
    names = _texts(root, name_tag)
    assert "Bob" in names
    assert HOSTILE in names  # parsed back exactly: it was escaped
    assert b"<Sons>" not in body and b"&amp;" in body


def test_a_control_character_never_renders_half_a_phone_book():
    bad = [phonebook.Contact("Evil\nname", "Evil", "", ("201",))]
    with pytest.raises(ValueError):
        vendors.render_phonebook("yealink-t46u", "Directory", bad)


@pytest.mark.parametrize("model,expected", [
    ("yealink-t46u", "remote_phonebook.data.1.url = http://u:p%40ss@files.example:8021/"
                     "0200aabbccdd-directory.xml"),
    ("cisco-spa504g", "<XML_Directory_Service_URL ua=\"na\">http://u:p%40ss@files.example:8021/"
                      "0200aabbccdd-directory.xml</XML_Directory_Service_URL>"),
    ("snom-d735", "<dkey_directory perm=\"R\">url http://u:p%40ss@files.example:8021/"
                  "0200aabbccdd-directory.xml</dkey_directory>"),
    ("grandstream-gxp2170", "<P331>u:p%40ss@files.example:8021/</P331>"),
])
def test_each_phone_file_points_at_its_phone_book(model, expected):
    name = vendors.phonebook_name(model, "0200aabbccdd")
    line = vendors.LineData(
        mac="0200aabbccdd", device_name="Desk", display_name="Desk", label="Desk",
        sip_username="u1", sip_secret="s", sip_domain="sip.example", sip_proxy_host="proxy",
        sip_proxy_port=5060, phonebook_url=f"http://u:p%40ss@files.example:8021/{name}")
    config = vendors.file_names(model, "0200aabbccdd")[0]
    assert expected in vendors.render(model, config, line).decode()
