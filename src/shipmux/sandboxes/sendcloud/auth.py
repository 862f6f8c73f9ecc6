"""HTTP Basic auth with the integration's public key and secret key (spec ``HTTPBasicAuth``).

Sandbox accounts are provisioned on first use: a well-formed public key (8-100 of
``[A-Za-z0-9_-]``) and secret (16+ characters, no whitespace) register the pair as a
new account with one integration; later calls must repeat the same secret.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import re

from shipmux.sandboxes.sendcloud.store import Integration, Store

PUBLIC_KEY = re.compile(r"^[A-Za-z0-9_-]{8,100}$")
MIN_SECRET_LENGTH = 16

NO_CREDENTIALS = ("No credentials", "Authentication credentials were not provided.")
BAD_CREDENTIALS = (
    "Invalid username/password.",
    "The username or password provided is incorrect. "
    "Please make a request with the valid credentials.",
)


def well_formed(public_key: str, secret_key: str) -> bool:
    secret_ok = len(secret_key) >= MIN_SECRET_LENGTH and not any(c.isspace() for c in secret_key)
    return bool(PUBLIC_KEY.fullmatch(public_key)) and secret_ok


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    public_key, sep, secret_key = decoded.partition(":")
    return (public_key, secret_key) if sep else None


def authenticate(store: Store, header: str | None) -> Integration | tuple[str, str]:
    """The caller's integration, or the (title, detail) of the 401 to answer."""
    credentials = basic_credentials(header)
    if credentials is None:
        return NO_CREDENTIALS
    public_key, secret_key = credentials
    integration = store.integration_for_key(public_key)
    if integration is None:
        if not well_formed(public_key, secret_key):
            return BAD_CREDENTIALS
        return store.register(public_key, secret_key)
    if not hmac.compare_digest(integration.secret_key.encode(), secret_key.encode()):
        return BAD_CREDENTIALS
    return integration
