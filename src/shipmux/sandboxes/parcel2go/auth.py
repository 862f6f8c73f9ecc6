"""OAuth2 client credentials at ``/auth/connect/token`` (ADR 0006 §2).

Accounts are provisioned by their first token request: a well-formed ``client_id`` and
``client_secret`` register the pair; later requests must repeat the secret. Tokens are
opaque and expire on the sandbox clock, so advancing the clock expires them.
"""

from __future__ import annotations

import re
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from shipmux.sandboxes.kit.jsonio import json_response
from shipmux.sandboxes.parcel2go.context import SandboxState
from shipmux.sandboxes.parcel2go.errors import oauth_error
from shipmux.sandboxes.parcel2go.store import Token

CLIENT_ID = re.compile(r"^[A-Za-z0-9_.\-]{8,100}$")
MIN_SECRET_LENGTH = 16
SCOPES = frozenset({"public-api", "payment", "my-profile"})
PUBLIC_API = "public-api"
PAYMENT = "payment"
MY_PROFILE = "my-profile"


def well_formed_secret(secret: str) -> bool:
    return len(secret) >= MIN_SECRET_LENGTH and not any(char.isspace() for char in secret)


async def token_endpoint(state: SandboxState, request: Request) -> Response:
    form = await request.form()
    values = {key: value for key, value in form.items() if isinstance(value, str)}
    if values.get("grant_type") != "client_credentials":
        return oauth_error("unsupported_grant_type")
    client_id = values.get("client_id", "")
    secret = values.get("client_secret", "")
    if not CLIENT_ID.fullmatch(client_id) or not well_formed_secret(secret):
        return oauth_error("invalid_client")
    requested = values.get("scope", "").split()
    # IdentityServer grants every scope the client is allowed when none is asked for.
    scopes = frozenset(requested) if requested else SCOPES
    if not scopes <= SCOPES:
        return oauth_error("invalid_scope")
    account = state.account(client_id)
    if account.secret is None:
        account.secret = secret
    elif account.secret != secret:
        return oauth_error("invalid_client")
    lifetime = state.settings.token_lifetime_seconds
    expires_at = state.clock.now() + timedelta(seconds=lifetime)
    token = state.store.issue_token(client_id, scopes, expires_at)
    granted = " ".join(
        scope for scope in ("public-api", "payment", "my-profile") if scope in scopes
    )
    return json_response(
        {"access_token": token, "expires_in": lifetime, "token_type": "Bearer", "scope": granted},
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def bearer_token(state: SandboxState, header: str | None) -> Token | None:
    """The live token named by ``Authorization: Bearer ...``, or ``None``."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    token = state.store.tokens.get(value.strip())
    if token is None or token.expires_at <= state.clock.now():
        return None
    return token
