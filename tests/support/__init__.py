"""Helpers shared by the test suites (live servers and the like)."""
