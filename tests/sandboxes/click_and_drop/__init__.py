"""Tests of the Click & Drop sandbox, over real HTTP on loopback."""
