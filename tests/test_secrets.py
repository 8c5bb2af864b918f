"""Secret references, the encrypted box, and resolution."""

from __future__ import annotations

import pydantic
import pytest

from marketdock.errors import SecretError
from marketdock.logs import Redactor
from marketdock.secrets import (
    KEY_ENV,
    InMemorySecretStore,
    SecretBox,
    SecretRef,
    SecretResolver,
)

KEY = SecretBox.generate_key()


def test_ref_needs_exactly_one_source() -> None:
    assert str(SecretRef(env="OTTO_SECRET")) == "env:OTTO_SECRET"
    assert str(SecretRef(stored="otto-secret")) == "stored:otto-secret"
    with pytest.raises(pydantic.ValidationError, match="exactly one"):
        SecretRef()
    with pytest.raises(pydantic.ValidationError, match="exactly one"):
        SecretRef(env="A", stored="a")


def test_ref_refuses_a_plain_string_without_repeating_it() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        SecretRef.model_validate("hunter2-plain")
    assert "must not be written into the config file" in str(caught.value)
    assert "hunter2" not in str(caught.value.errors(include_input=False))


def test_box_round_trip_is_bound_to_tenant_and_name() -> None:
    box = SecretBox(KEY)
    token = box.encrypt("acme", "otto", "s3cr3t-value")
    assert b"s3cr3t" not in token
    assert box.decrypt("acme", "otto", token) == "s3cr3t-value"
    with pytest.raises(SecretError, match="sealed for another tenant or name"):
        box.decrypt("other", "otto", token)
    with pytest.raises(SecretError, match="sealed for another tenant or name"):
        box.decrypt("acme", "amazon", token)


def test_box_with_the_wrong_key_cannot_decrypt() -> None:
    token = SecretBox(KEY).encrypt("acme", "otto", "value-1")
    with pytest.raises(SecretError, match="cannot be decrypted: wrong MARKETDOCK_SECRET_KEY"):
        SecretBox(SecretBox.generate_key()).decrypt("acme", "otto", token)
    with pytest.raises(SecretError, match="cannot be decrypted"):
        SecretBox(KEY).decrypt("acme", "otto", b"garbage")


def test_passphrase_is_stretched_and_stable() -> None:
    one = SecretBox.from_passphrase("correct horse battery staple")
    two = SecretBox.from_environ({KEY_ENV: "correct horse battery staple"})
    token = one.encrypt("acme", "otto", "value-2")
    assert two.decrypt("acme", "otto", token) == "value-2"
    salted = SecretBox.from_passphrase("correct horse battery staple", salt=b"install-42")
    with pytest.raises(SecretError):
        salted.decrypt("acme", "otto", token)


def test_a_fernet_key_in_the_environment_is_used_as_is() -> None:
    token = SecretBox(KEY).encrypt("acme", "otto", "value-3")
    assert SecretBox.from_environ({KEY_ENV: KEY}).decrypt("acme", "otto", token) == "value-3"


def test_missing_key_is_a_secret_error() -> None:
    with pytest.raises(SecretError, match="MARKETDOCK_SECRET_KEY is not set"):
        SecretBox.from_environ({})
    with pytest.raises(SecretError, match="not a valid Fernet key"):
        SecretBox(b"short")


def test_resolver_reads_env_and_store_and_registers_values() -> None:
    redactor = Redactor()
    store = InMemorySecretStore()
    resolver = SecretResolver({"OTTO_SECRET": "env-secret-1"}, store, SecretBox(KEY),
                              redactor=redactor)
    ref = resolver.put("acme", "amazon-refresh", "stored-secret-2")
    assert ref == SecretRef(stored="amazon-refresh")
    raw = store.get("acme", "amazon-refresh")
    assert raw is not None and b"stored-secret-2" not in raw
    assert resolver.resolve("acme", SecretRef(env="OTTO_SECRET")) == "env-secret-1"
    assert resolver.resolve("acme", ref) == "stored-secret-2"
    assert resolver.resolve_all("acme", {"a": ref}) == {"a": "stored-secret-2"}
    assert redactor.redact_text("x env-secret-1 y stored-secret-2") == "x *** y ***"


def test_resolver_errors_name_the_reference() -> None:
    resolver = SecretResolver({"EMPTY": ""}, InMemorySecretStore(), SecretBox(KEY),
                              redactor=Redactor())
    with pytest.raises(SecretError, match="env:MISSING for tenant 'acme'.*MISSING is not set"):
        resolver.resolve("acme", SecretRef(env="MISSING"))
    with pytest.raises(SecretError, match="EMPTY is not set"):
        resolver.resolve("acme", SecretRef(env="EMPTY"))
    with pytest.raises(SecretError, match="stored:nope for tenant 'acme' is not in the"):
        resolver.resolve("acme", SecretRef(stored="nope"))


def test_one_tenant_cannot_read_anothers_stored_secret() -> None:
    store = InMemorySecretStore()
    resolver = SecretResolver({}, store, SecretBox(KEY), redactor=Redactor())
    resolver.put("acme", "otto", "acme-only-secret")
    with pytest.raises(SecretError, match="not in the secret store"):
        resolver.resolve("globex", SecretRef(stored="otto"))
    token = store.get("acme", "otto")
    assert token is not None
    store.put("globex", "otto", token)
    with pytest.raises(SecretError, match="sealed for another tenant"):
        resolver.resolve("globex", SecretRef(stored="otto"))


def test_stored_refs_need_a_store_and_key() -> None:
    with pytest.raises(SecretError, match="no secret store"):
        SecretResolver({}, None, SecretBox(KEY)).resolve("acme", SecretRef(stored="x"))
    with pytest.raises(SecretError, match="MARKETDOCK_SECRET_KEY is not set"):
        SecretResolver({}, InMemorySecretStore(), None).resolve("acme", SecretRef(stored="x"))
