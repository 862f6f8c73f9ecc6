"""Parcel2Go's signed webhooks: envelopes, the outbox, and the delivery loop."""
