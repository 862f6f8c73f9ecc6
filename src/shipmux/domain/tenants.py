"""Who is calling: a tenant and the scopes of the key it used."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from shipmux.domain.errors import Forbidden

__all__ = ["Principal", "Scope"]


class Scope(enum.StrEnum):
    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


# A key with a scope may also do what the scopes below it allow.
_IMPLIES = {
    Scope.READ: frozenset({Scope.READ}),
    Scope.WRITE: frozenset({Scope.READ, Scope.WRITE}),
    Scope.ADMIN: frozenset({Scope.READ, Scope.WRITE, Scope.ADMIN}),
}


@dataclass(frozen=True, slots=True)
class Principal:
    tenant_id: str
    key_id: str
    scopes: frozenset[Scope]

    def allows(self, scope: Scope) -> bool:
        return any(scope in _IMPLIES[s] for s in self.scopes)

    def require(self, scope: Scope) -> None:
        if not self.allows(scope):
            raise Forbidden(f"this API key lacks the '{scope}' scope")
