"""``username`` + ``key`` authentication, with accounts provisioned on first use.

A username (3-100 characters) seen for the first time registers the key it came with
(at least 16 characters, no whitespace); later calls must bring the same key. Calls the
docs authenticate by ``key`` alone (label, create-order GET, register-webhook) find the
account that key belongs to. Anything else is Clickpost's 301.
"""

from __future__ import annotations

import hmac

from shipmux.sandboxes.clickpost.store import Account, Store

MIN_KEY_LENGTH = 16


def _valid_key(key: str | None) -> bool:
    return key is not None and len(key) >= MIN_KEY_LENGTH and not any(c.isspace() for c in key)


def _valid_username(username: str) -> bool:
    return 3 <= len(username) <= 100 and not any(c.isspace() for c in username)


def authenticate(store: Store, username: str | None, key: str | None) -> Account | None:
    if key is None or not _valid_key(key):
        return None
    if not username:
        return store.account_by_key(key)
    if not _valid_username(username):
        return None
    account = store.accounts.get(username)
    owner = store.account_by_key(key)
    if owner is not None and owner is not account:
        return None  # a key belongs to one username
    if account is None:
        account = Account(username=username, key=key)
        store.accounts[username] = account
        return account
    if account.key is None:  # made by the control routes before its first call
        account.key = key
        return account
    return account if hmac.compare_digest(account.key, key) else None
