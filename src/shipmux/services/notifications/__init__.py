"""Telling the merchant: endpoints they register, events we queue, deliveries we retry.

``events`` writes deliveries in the caller's transaction (an outbox); ``queue``
hands due ones to the worker and records each try; ``endpoints`` and
``deliveries`` are what the API and the CLI call.
"""
