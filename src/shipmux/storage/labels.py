"""Where label documents live: a local folder by default, one file per shipment."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["LabelStore"]

_SUFFIX = {"application/pdf": ".pdf", "image/png": ".png", "application/zpl": ".zpl"}


class LabelStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._made: set[Path] = set()

    def save(self, tenant_id: str, shipment_id: str, content: bytes, media_type: str) -> str:
        """Write the document durably; return its path relative to the root."""
        relative = Path(tenant_id) / f"{shipment_id}{_SUFFIX.get(media_type, '.bin')}"
        target = self.root / relative
        if target.parent not in self._made:  # one mkdir per tenant, not per label
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(target.parent)
        partial = target.with_suffix(target.suffix + ".part")
        with open(partial, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)  # readers never see half a label
        return relative.as_posix()

    def read(self, relative: str) -> bytes:
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError("label path escapes the label store")
        return path.read_bytes()
