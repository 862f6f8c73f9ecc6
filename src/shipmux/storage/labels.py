"""Where label documents live: a local folder by default, one file per shipment."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

__all__ = ["LabelFile", "LabelStore"]

# One document to store: (tenant id, shipment id, content, media type).
LabelFile = tuple[str, str, bytes, str]

_SUFFIX = {"application/pdf": ".pdf", "image/png": ".png", "application/zpl": ".zpl"}


class LabelStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._made: set[Path] = set()

    def save(self, tenant_id: str, shipment_id: str, content: bytes, media_type: str) -> str:
        """Write the document durably; return its path relative to the root."""
        return self.save_many([(tenant_id, shipment_id, content, media_type)])[0]

    def save_many(self, files: Sequence[LabelFile]) -> list[str]:
        """Write documents durably; their paths relative to the root, in order.

        Each file is written and fsynced under a temporary name, then renamed, so
        readers never see half a label; the folders are fsynced last, once each, so
        the renames survive a crash before the database row points at them.
        """
        paths: list[str] = []
        folders: set[Path] = set()
        for tenant_id, shipment_id, content, media_type in files:
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
            os.replace(partial, target)
            folders.add(target.parent)
            paths.append(relative.as_posix())
        for folder in folders:
            _fsync_folder(folder)
        return paths

    def read(self, relative: str) -> bytes:
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError("label path escapes the label store")
        return path.read_bytes()


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
