"""Every parcel status the sources list is mapped to one of our stages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from shipmux.carriers.base import TrackingStage
from shipmux.carriers.sendcloud.statuses import STATUS_CODES, STATUS_IDS, stage_of_code, stage_of_id

SPECS = Path("/work/shared/specs/sendcloud")
RESEARCH = Path("/work/shared/research/sendcloud-clickpost.md")


def _research_ids() -> set[int]:
    """The numeric ids of research §1.7's two tables (the v2 list and third-party ids)."""
    text = RESEARCH.read_text()
    section = text[text.index("### 1.7") : text.index("### 1.8")]
    return {int(m) for m in re.findall(r"\|\s*(\d+)\s*\|\s*[A-Za-z*]", section)}


def _spec_codes() -> set[str]:
    """The v3 status codes the spec uses: parcel ``status.code`` values and status_category."""
    spec = json.loads((SPECS / "v3" / "openapi.json").read_text())
    codes: set[str] = set()

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                # A parcel's status.code, or a {code, message} of GET /parcels/statuses.
                named = key == "status" or "message" in node
                if named and k == "code" and isinstance(v, str):
                    codes.add(v)
                if k == "status_category" and isinstance(v, dict):
                    codes.update(x for x in v.get("enum", []) if isinstance(x, str))
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)

    walk(spec)
    return {c for c in codes if re.fullmatch(r"[A-Z_]+", c)}


@pytest.mark.skipif(not RESEARCH.exists(), reason="the research notes are not here")
def test_every_numeric_status_of_the_research_is_mapped() -> None:
    ids = _research_ids()
    assert {1, 11, 1000, 1002, 2000, 62997} <= ids  # the parse found both tables
    assert ids - STATUS_IDS.keys() == set()


@pytest.mark.skipif(not SPECS.exists(), reason="the specs are not here")
def test_every_status_code_of_the_v3_spec_is_mapped() -> None:
    codes = _spec_codes()
    assert {"READY_TO_SEND", "ANNOUNCED", "ANNOUNCEMENT_FAILED", "CANCELLED"} <= codes
    assert codes - STATUS_CODES.keys() == set()


def test_key_stages() -> None:
    assert stage_of_id(11) is TrackingStage.DELIVERED
    assert stage_of_id(22) is TrackingStage.COLLECTED
    assert stage_of_id(1002) is TrackingStage.EXCEPTION
    assert stage_of_id(123456) is None
    assert stage_of_id(None) is None
    assert stage_of_code("ready-to-send") is TrackingStage.LABEL_CREATED
    assert stage_of_code("delivered") is TrackingStage.DELIVERED
    assert stage_of_code("NOPE") is None
