"""Where label documents live: a local folder by default, under the tenant's folder.

A document that is one shipment's own is named after the shipment. A document that
several shipments share (a carrier's one PDF for a batch, each shipment owning some
of its pages) is written once, named after its SHA-256, and a shipment's pages are
cut out of it only when its label is read.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shipmux.storage.label_pages import cut_pages

__all__ = ["LabelFile", "LabelStore", "StoredLabel"]

_SUFFIX = {"application/pdf": ".pdf", "image/png": ".png", "application/zpl": ".zpl"}


@dataclass(frozen=True, slots=True)
class LabelFile:
    """One shipment's label to store."""

    tenant_id: str
    shipment_id: str
    content: bytes
    media_type: str
    # The shipment's 0-based pages of ``content``, a document other shipments share;
    # None: the whole document is this shipment's own.
    pages: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class StoredLabel:
    """Where a shipment's label is: a stored document (relative path) and its pages of it."""

    path: str
    pages: tuple[int, ...] | None = None


class LabelStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._made: set[Path] = set()

    def save(self, tenant_id: str, shipment_id: str, content: bytes, media_type: str) -> str:
        """Write a shipment's own document durably; return its path relative to the root."""
        return self.save_many([LabelFile(tenant_id, shipment_id, content, media_type)])[0].path

    def save_many(self, files: Sequence[LabelFile]) -> list[StoredLabel]:
        """Write the shipments' labels durably; where each one is, in order.

        A shared document is written once however many shipments point at it. Each
        file is written and fsynced under a temporary name, then renamed, so readers
        never see half a label; the folders are fsynced last, once each, so the
        renames survive a crash before the database rows point at them.
        """
        stored: list[StoredLabel] = []
        documents: dict[Path, bytes] = {}  # each file to write, once
        digests: dict[bytes, str] = {}  # a shared document is hashed once, not per shipment
        for file in files:
            name = file.shipment_id
            if file.pages is not None:
                name = digests.get(file.content) or hashlib.sha256(file.content).hexdigest()
                digests[file.content] = name
            relative = Path(file.tenant_id) / f"{name}{_SUFFIX.get(file.media_type, '.bin')}"
            documents[relative] = file.content
            stored.append(StoredLabel(relative.as_posix(), file.pages))
        folders = {self._write(relative, content) for relative, content in documents.items()}
        for folder in folders:
            _fsync_folder(folder)
        return stored

    def read(self, relative: str, pages: Sequence[int] | None = None) -> bytes:
        """The stored document, or only ``pages`` of it (a shipment's share of a batch)."""
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError("label path escapes the label store")
        content = path.read_bytes()
        return content if pages is None else cut_pages(content, pages)

    def _write(self, relative: Path, content: bytes) -> Path:
        """Write and fsync one file under a temporary name, then rename it; its folder."""
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
        return target.parent


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
