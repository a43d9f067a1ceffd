from services.accounts.domain.passwords import Hasher
from services.accounts.domain.tokens import new_token, token_hash


def test_hash_is_argon2id_and_verifies(fast_hasher):
    hashed = fast_hasher.hash("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert "correct horse" not in hashed
    assert fast_hasher.verify(hashed, "correct horse battery")
    assert not fast_hasher.verify(hashed, "wrong")


def test_missing_hash_never_verifies(fast_hasher):
    # A user without a password (not yet chosen) must not sign in with any input,
    # including the dummy password used to equalise timing.
    assert not fast_hasher.verify(None, "not-a-real-password")
    assert not fast_hasher.verify(None, "")


def test_garbage_hash_is_a_failed_verification(fast_hasher):
    assert not fast_hasher.verify("plaintext-in-db", "plaintext-in-db")


def test_weaker_parameters_are_flagged_for_rehash(fast_hasher):
    strong = Hasher()
    weak_hash = fast_hasher.hash("pw-12345678")
    assert strong.needs_rehash(weak_hash)
    assert not strong.needs_rehash(strong.hash("pw-12345678"))


def test_default_parameters_follow_rfc9106_second_option():
    params = Hasher().hash("x").split("$")[3]
    assert params == "m=65536,t=3,p=1"


def test_tokens_are_random_and_only_hashes_are_stored():
    a, b = new_token(), new_token()
    assert a != b and len(a) >= 43
    assert token_hash(a) != a and len(token_hash(a)) == 64
    assert token_hash(a) == token_hash(a)
