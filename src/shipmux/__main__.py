"""``python -m shipmux`` runs the command line."""

from __future__ import annotations

from shipmux.cli import main

main()
