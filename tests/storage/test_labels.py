"""The label store: whole files under the tenant's folder, never a half-written one."""

from __future__ import annotations

from pathlib import Path

import pytest

from shipmux.storage.labels import LabelStore


def test_many_labels_are_written_whole_and_read_back(tmp_path: Path) -> None:
    store = LabelStore(tmp_path)
    paths = store.save_many(
        [
            ("ten_a", "shp_1", b"%PDF-one", "application/pdf"),
            ("ten_a", "shp_2", b"\x89PNG-two", "image/png"),
            ("ten_b", "shp_3", b"^XA^XZ", "application/zpl"),
        ]
    )
    assert paths == ["ten_a/shp_1.pdf", "ten_a/shp_2.png", "ten_b/shp_3.zpl"]
    assert [store.read(p) for p in paths] == [b"%PDF-one", b"\x89PNG-two", b"^XA^XZ"]
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
