"""Request dependencies: the hub context, the caller, and the scope each route needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shipmux.domain.errors import Unauthenticated
from shipmux.domain.tenants import Principal, Scope
from shipmux.services.context import HubContext
from shipmux.services.tenants import authenticate

__all__ = ["Admin", "Ctx", "Reader", "Writer", "current_principal", "get_ctx"]

# auto_error=False: a missing key is our 401 problem, not FastAPI's 403 default.
_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key as `Authorization: Bearer smx_...`",
)


def get_ctx(request: Request) -> HubContext:
    ctx = request.app.state.ctx
    assert isinstance(ctx, HubContext)
    return ctx


Ctx = Annotated[HubContext, Depends(get_ctx)]


def current_principal(
    ctx: Ctx,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    # A plain ``def``: the key lookup is a database read, so FastAPI runs it in the threadpool.
    if credentials is None:
        raise Unauthenticated("send an API key as 'Authorization: Bearer <key>'")
    return authenticate(ctx.db, credentials.credentials)


def _scoped(scope: Scope) -> Callable[[Principal], Principal]:
    def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        principal.require(scope)
        return principal

    return dependency


Reader = Annotated[Principal, Depends(_scoped(Scope.READ))]
Writer = Annotated[Principal, Depends(_scoped(Scope.WRITE))]
Admin = Annotated[Principal, Depends(_scoped(Scope.ADMIN))]
