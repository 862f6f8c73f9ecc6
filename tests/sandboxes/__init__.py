"""Tests of the carrier sandboxes."""
