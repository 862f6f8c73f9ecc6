"""Tests of the shared sandbox kit."""
