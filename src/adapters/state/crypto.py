"""Encrypting the Intacct Web Services credentials at rest (Fernet, with key rotation).

Decided:
- The key is a Fernet key (32 random bytes, urlsafe-base64: what ``generate_key`` returns) given by
  the caller from its settings; it is never stored beside the data. No passphrase derivation: a
  passphrase would need a KDF, a salt kept in the database and a work factor to tune, and a random
  key from a secrets manager is stronger than what a person types.
- ``previous_keys`` make rotation possible: a token is decrypted with the current key or any
  previous one (``MultiFernet``); a token under a previous key is re-encrypted with the current one
  (``Vault.open`` says so, the store rewrites it).
- The whole credentials (ids as well as every secret) are one encrypted JSON document, tagged with
  their ``kind``: ``"xml"`` (``IntacctCredentials``) or ``"oauth"`` (``OAuthCredentials``). A
  document without a tag was sealed before OAuth came, and is XML credentials (stored forms stay
  readable, rule D21's spirit).
- An OAuth refresh token is sealed alone (``seal_secret``), its text the whole clear document.
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
from released_intacct.domain.ports import Credentials, IntacctCredentials, OAuthCredentials
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

    credentials: Credentials
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

    def seal(self, credentials: Credentials) -> bytes:
        return self._current.encrypt(_to_json(credentials))

    def open(self, token: bytes) -> Result[Opened, SyncError]:
        return self._decrypt(token).map(
            lambda found: Opened(credentials=_from_json(found[0]), rotated=found[1])
        )

    def seal_secret(self, secret: Secret) -> bytes:
        """A lone secret (an OAuth refresh token), under the current key."""
        return self._current.encrypt(secret.reveal().encode("utf-8"))

    def open_secret(self, token: bytes) -> Result[Secret, SyncError]:
        """``seal_secret``'s secret (whichever key sealed it)."""
        return self._decrypt(token).map(lambda found: Secret(found[0].decode("utf-8")))

    def rotations(
        self, tokens: Iterable[tuple[str, bytes]]
    ) -> Result[list[tuple[str, bytes]], SyncError]:
        """``rotate``: each (owner, token) still under a previous key, with its token under the
        current one; the first token no key opens refuses them all (``WRONG_KEY``)."""
        rotated: list[tuple[str, bytes]] = []
        for owner, token in tokens:
            opened = self._decrypt(token)
            if not isinstance(opened, Success):
                return Failure(opened.failure())
            again = opened.unwrap()[1]
            if again is not None:
                rotated.append((owner, again))
        return Success(rotated)

    def _decrypt(self, token: bytes) -> Result[tuple[bytes, bytes | None], SyncError]:
        """The clear text, and the token under the current key when a previous key sealed it."""
        try:
            return Success((self._current.decrypt(token), None))
        except InvalidToken:
            pass
        try:
            clear = self._all.decrypt(token)
        except InvalidToken:
            return Failure(WRONG_KEY)
        return Success((clear, self._all.rotate(token)))


def _fernet(key: Secret, name: str) -> Fernet:
    try:
        return Fernet(key.reveal().encode("ascii"))
    except (ValueError, UnicodeEncodeError, binascii.Error):
        msg = (
            f"the state store's encryption {name} is not a Fernet key (32 random bytes, "
            "urlsafe-base64 encoded); make one with released_intacct.adapters.state.generate_key"
        )
        raise ValueError(msg) from None


def _to_json(credentials: Credentials) -> bytes:
    if isinstance(credentials, OAuthCredentials):
        fields: dict[str, str | None] = {
            "kind": "oauth",
            "client_id": credentials.client_id,
            "client_secret": credentials.client_secret.reveal(),
            "company_id": credentials.company_id,
            "user_id": credentials.user_id,
        }
    else:
        fields = {
            "kind": "xml",
            "sender_id": credentials.sender_id,
            "sender_password": credentials.sender_password.reveal(),
            "company_id": credentials.company_id,
            "user_id": credentials.user_id,
            "user_password": credentials.user_password.reveal(),
        }
    return json.dumps(fields).encode("utf-8")


def _from_json(clear: bytes) -> Credentials:
    fields = json.loads(clear)
    if fields.get("kind") == "oauth":
        return OAuthCredentials(
            client_id=fields["client_id"],
            client_secret=Secret(fields["client_secret"]),
            company_id=fields["company_id"],
            user_id=fields["user_id"],
        )
    # "xml", or no tag: sealed before OAuth credentials existed
    return IntacctCredentials(
        sender_id=fields["sender_id"],
        sender_password=Secret(fields["sender_password"]),
        company_id=fields["company_id"],
        user_id=fields["user_id"],
        user_password=Secret(fields["user_password"]),
    )
