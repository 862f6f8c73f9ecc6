"""The ``Sendcloud-Signature`` header: hex HMAC-SHA256 of the exact body bytes.

Keyed with the integration's secret key (research §1.6). The spec's own test vector:
key ``secretkey``, body ``{"key": "value"}`` gives ``1eed4b3d...4b0a``; re-serialising
the body (say, without the space) gives a different digest, so the sandbox signs the
very bytes it sends.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "Sendcloud-Signature"


def signature(secret_key: str, body: bytes) -> str:
    return hmac.new(secret_key.encode(), body, hashlib.sha256).hexdigest()
