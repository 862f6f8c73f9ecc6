"""What services need from the outside world, built once by ``bootstrap``."""

from __future__ import annotations

from dataclasses import dataclass

from shipmux.config import Settings
from shipmux.services.carrier_pool import CarrierPool
from shipmux.storage.db import Database
from shipmux.storage.labels import LabelStore
from shipmux.storage.secret_box import SecretBox

__all__ = ["HubContext"]


@dataclass(slots=True)
class HubContext:
    settings: Settings
    db: Database
    secret_box: SecretBox
    labels: LabelStore
    carriers: CarrierPool
