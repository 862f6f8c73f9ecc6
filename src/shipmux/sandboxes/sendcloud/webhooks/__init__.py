"""``parcel_status_changed`` webhooks: signing, the outbox and background delivery."""
