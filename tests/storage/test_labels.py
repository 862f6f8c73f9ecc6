"""The label store: whole files under the tenant's folder, never a half-written one; a
document a batch shares written once, each shipment reading back only its pages."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from shipmux.storage import labels
from shipmux.storage.label_pages import format_pages, parse_pages
from shipmux.storage.labels import LabelFile, LabelStore, StoredLabel
from tests.support.pdfs import pdf_of_pages


def _page_texts(content: bytes) -> list[str]:
    return [page.extract_text().strip() for page in PdfReader(io.BytesIO(content)).pages]


def test_many_labels_are_written_whole_and_read_back(tmp_path: Path) -> None:
    store = LabelStore(tmp_path)
    stored = store.save_many(
        [
            LabelFile("ten_a", "shp_1", b"%PDF-one", "application/pdf"),
            LabelFile("ten_a", "shp_2", b"\x89PNG-two", "image/png"),
            LabelFile("ten_b", "shp_3", b"^XA^XZ", "application/zpl"),
        ]
    )
    assert stored == [
        StoredLabel("ten_a/shp_1.pdf"),
        StoredLabel("ten_a/shp_2.png"),
        StoredLabel("ten_b/shp_3.zpl"),
    ]
    assert [store.read(s.path) for s in stored] == [b"%PDF-one", b"\x89PNG-two", b"^XA^XZ"]
    assert not list(tmp_path.rglob("*.part"))


def test_saving_again_replaces_the_label(tmp_path: Path) -> None:
    store = LabelStore(tmp_path)
    path = store.save("ten", "shp", b"old", "application/pdf")
    assert store.save("ten", "shp", b"new", "application/pdf") == path
    assert store.read(path) == b"new"


def test_a_path_outside_the_store_is_refused(tmp_path: Path) -> None:
    store = LabelStore(tmp_path / "labels")
    (tmp_path / "secret.txt").write_text("no")
    with pytest.raises(ValueError, match="escapes"):
        store.read("../secret.txt")


def test_a_shared_document_is_written_once_and_read_back_as_each_shipments_pages(
    tmp_path: Path,
) -> None:
    batch = pdf_of_pages("TT000000011GB", "TT000000022GB", "CN23 TT000000011GB", "TT000000033GB")
    owners = {"shp_1": (0, 2), "shp_2": (1,), "shp_3": (3,)}
    store = LabelStore(tmp_path)

    stored = store.save_many(
        [LabelFile("ten", s, batch, "application/pdf", pages) for s, pages in owners.items()]
    )

    name = f"ten/{hashlib.sha256(batch).hexdigest()}.pdf"
    assert stored == [StoredLabel(name, pages) for pages in owners.values()]
    assert [p.name for p in (tmp_path / "ten").iterdir()] == [Path(name).name]
    assert store.read(name) == batch
    own = [_page_texts(store.read(s.path, s.pages)) for s in stored]
    assert own == [["TT000000011GB", "CN23 TT000000011GB"], ["TT000000022GB"], ["TT000000033GB"]]


def test_a_batch_is_one_file_one_fsync_and_one_folder_fsync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        synced.append(descriptor)
        real_fsync(descriptor)

    monkeypatch.setattr(labels.os, "fsync", fsync)
    batch = pdf_of_pages(*(f"TT{n:09d}GB" for n in range(100)))
    store = LabelStore(tmp_path)
    store.save_many(
        [LabelFile("ten", f"shp_{n}", batch, "application/pdf", (n,)) for n in range(100)]
    )
    assert len(synced) == 2  # the document, then the tenant's folder
    assert len(list((tmp_path / "ten").iterdir())) == 1


def test_a_document_is_only_ever_seen_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written under ``.part`` and renamed: a crash before the rename leaves no label."""
    renames: list[tuple[str, str]] = []

    def crash(source: str, target: str) -> None:
        renames.append((Path(source).name, Path(target).name))
        raise OSError("power cut")

    batch = pdf_of_pages("TT000000011GB")
    name = f"{hashlib.sha256(batch).hexdigest()}.pdf"
    monkeypatch.setattr(labels.os, "replace", crash)
    store = LabelStore(tmp_path)
    with pytest.raises(OSError, match="power cut"):
        store.save_many([LabelFile("ten", "shp", batch, "application/pdf", (0,))])
    assert renames == [(f"{name}.part", name)]
    assert not (tmp_path / "ten" / name).exists()
    assert (tmp_path / "ten" / f"{name}.part").read_bytes() == batch  # fsynced, not yet named


def test_tenants_never_share_a_file(tmp_path: Path) -> None:
    batch = pdf_of_pages("TT000000011GB", "TT000000022GB")
    stored = LabelStore(tmp_path).save_many(
        [
            LabelFile("ten_a", "shp_1", batch, "application/pdf", (0,)),
            LabelFile("ten_b", "shp_2", batch, "application/pdf", (1,)),
        ]
    )
    assert [Path(s.path).parent.name for s in stored] == ["ten_a", "ten_b"]
    assert (tmp_path / stored[0].path).read_bytes() == (tmp_path / stored[1].path).read_bytes()


def test_pages_are_kept_as_text_and_read_back() -> None:
    assert format_pages(None) is None
    assert format_pages((3, 4)) == "3,4"
    assert parse_pages("3,4") == (3, 4)
    assert parse_pages(None) is None
    with pytest.raises(ValueError, match="at least one page"):
        format_pages(())
