"""Carrier secrets encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

__all__ = ["SecretBox", "SecretBoxError", "load_or_create_key"]


class SecretBoxError(Exception):
    """A stored secret cannot be read with this key (wrong or rotated key)."""


class SecretBox:
    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def seal(self, secrets: dict[str, str]) -> str:
        return self._fernet.encrypt(json.dumps(secrets, sort_keys=True).encode()).decode()

    def open(self, token: str) -> dict[str, str]:
        try:
            data = json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken as exc:
            raise SecretBoxError("carrier secrets cannot be decrypted with this key") from exc
        return {str(k): str(v) for k, v in data.items()}


def load_or_create_key(path: Path) -> bytes:
    """The key in ``path``, made (readable by its owner only) on first use."""
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    path.touch(mode=0o600)
    path.write_bytes(key)
    return key
