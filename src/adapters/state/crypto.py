"""Encrypting the Intacct Web Services credentials at rest (Fernet, with key rotation).

Decided:
- The key is a Fernet key (32 random bytes, urlsafe-base64: what ``generate_key`` returns) given by
  the caller from its settings; it is never stored beside the data. No passphrase derivation: a
  passphrase would need a KDF, a salt kept in the database and a work factor to tune, and a random
  key from a secrets manager is stronger than what a person types.
- ``previous_keys`` make rotation possible: a token is decrypted with the current key or any
  previous one (``MultiFernet``); a token under a previous key is re-encrypted with the current one
  (``Vault.open`` says so, the store rewrites it).
- The whole ``IntacctCredentials`` (ids as well as both passwords) is one encrypted JSON document.
- A token no key opens is a FATAL ``SyncError`` that says the key does not match; never garbage.
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from returns.result import Failure, Result, Success

from released_intacct.domain.errors import ErrorKind, SyncError
from released_intacct.domain.ports import IntacctCredentials
from released_intacct.domain.secret import Secret

WRONG_KEY = SyncError(
    kind=ErrorKind.FATAL,
    rule=None,
    message=(
        "The encryption key does not match the one the credentials were stored with, so they "
        "cannot be read."
    ),
    fix=(
        "Configure the key the credentials were saved with; when rotating keys, give the new key "
        "as the key and the old one among the previous keys."
    ),
)


def generate_key() -> Secret:
    """A new random Fernet key, for the settings of a new installation."""
    return Secret(Fernet.generate_key().decode("ascii"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Opened:
    """Decrypted credentials; ``rotated`` is their token under the current key when it was
    encrypted under a previous one (the caller stores it), else None."""

    credentials: IntacctCredentials
    rotated: bytes | None = None


class Vault:
    """Encrypts and decrypts credentials; holds the keys and never shows them."""

    __slots__ = ("_all", "_current")

    def __init__(self, key: Secret, previous_keys: Sequence[Secret] = ()) -> None:
        """Raises ``ValueError`` (naming no key) when a key is not a Fernet key."""
        self._current = _fernet(key, "key")
        olds = [_fernet(old, f"previous key #{n}") for n, old in enumerate(previous_keys, 1)]
        self._all = MultiFernet([self._current, *olds])

    def __repr__(self) -> str:
        return "Vault(keys=<redacted>)"

    def seal(self, credentials: IntacctCredentials) -> bytes:
        return self._current.encrypt(_to_json(credentials))

    def open(self, token: bytes) -> Result[Opened, SyncError]:
        try:
            return Success(Opened(credentials=_from_json(self._current.decrypt(token))))
        except InvalidToken:
            pass
        try:
            clear = self._all.decrypt(token)
        except InvalidToken:
            return Failure(WRONG_KEY)
        return Success(Opened(credentials=_from_json(clear), rotated=self._all.rotate(token)))

    def rotations(
        self, tokens: Iterable[tuple[str, bytes]]
    ) -> Result[list[tuple[str, bytes]], SyncError]:
        """``rotate``: each (owner, token) still under a previous key, with its token under the
        current one; the first token no key opens refuses them all (``WRONG_KEY``)."""
        rotated: list[tuple[str, bytes]] = []
        for owner, token in tokens:
            opened = self.open(token)
            if not isinstance(opened, Success):
                return Failure(opened.failure())
            again = opened.unwrap().rotated
            if again is not None:
                rotated.append((owner, again))
        return Success(rotated)


def _fernet(key: Secret, name: str) -> Fernet:
    try:
        return Fernet(key.reveal().encode("ascii"))
    except (ValueError, UnicodeEncodeError, binascii.Error):
        msg = (
            f"the state store's encryption {name} is not a Fernet key (32 random bytes, "
            "urlsafe-base64 encoded); make one with released_intacct.adapters.state.generate_key"
        )
        raise ValueError(msg) from None


def _to_json(credentials: IntacctCredentials) -> bytes:
    return json.dumps(
        {
            "sender_id": credentials.sender_id,
            "sender_password": credentials.sender_password.reveal(),
            "company_id": credentials.company_id,
            "user_id": credentials.user_id,
            "user_password": credentials.user_password.reveal(),
        }
    ).encode("utf-8")


def _from_json(clear: bytes) -> IntacctCredentials:
    fields = json.loads(clear)
    return IntacctCredentials(
        sender_id=fields["sender_id"],
        sender_password=Secret(fields["sender_password"]),
        company_id=fields["company_id"],
        user_id=fields["user_id"],
        user_password=Secret(fields["user_password"]),
    )
