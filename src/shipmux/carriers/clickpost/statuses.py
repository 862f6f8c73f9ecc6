"""Clickpost's unified ``clickpost_status_code`` -> our ``TrackingStage``.

The codes are Clickpost's "Tracking Status Codes" (specs ``_status.md``, plus 23 and 1004
from the current docs; research §2.7). Clickpost groups them in buckets (``_track.md``);
we follow the buckets: the return (RTO) codes are ``RETURNED``, a failed delivery
that will be tried again ``FAILED_ATTEMPT``, lost, damaged or undeliverable an
``EXCEPTION`` (a person looks):

    code  name                       bucket             TrackingStage
    ----  -------------------------  -----------------  ----------------
       1  ORDER_PLACED               1 placed           LABEL_CREATED
       2  PICKUP_PENDING             1 placed           LABEL_CREATED
       3  PICKUP_FAILED              1 placed           EXCEPTION
       4  PICKED_UP                  2 dispatched       COLLECTED
       5  INTRANSIT                  3 in transit       IN_TRANSIT
       6  OUT_FOR_DELIVERY           4 out for delivery OUT_FOR_DELIVERY
       7  NOT_SERVICEABLE            5 failed delivery  EXCEPTION
       8  DELIVERED                  6 delivered        DELIVERED
       9  FAILED_DELIVERY            5 failed delivery  FAILED_ATTEMPT
      10  CANCELLED_ORDER            1 placed           CANCELLED
      11  RTO_REQUESTED              7 returned         RETURNED
      12  RTO                        7 returned         RETURNED
      13  RTO_OUT_FOR_DELIVERY       7 returned         RETURNED
      14  RTO_DELIVERED              7 returned         RETURNED
      15  RTO_FAILED                 7 returned         EXCEPTION
      16  LOST                       8 lost             EXCEPTION
      17  DAMAGED                    9 damaged          EXCEPTION
      18  SHIPMENT_DELAYED           3 in transit       IN_TRANSIT
      19  CONTACT_CUSTOMER_CARE      3 in transit       IN_TRANSIT
      20  SHIPMENT_HELD              3 in transit       IN_TRANSIT
      21  RTO_INTRANSIT              7 returned         RETURNED
      23  EXPIRED                    -                  EXCEPTION
      25  OUT_FOR_PICKUP             1 placed           LABEL_CREATED
      26  RTO_CONTACT_CUSTOMER_CARE  7 returned         RETURNED
      27  RTO_SHIPMENT_DELAY         7 returned         RETURNED
      28  AWB_REGISTERED             1 placed           LABEL_CREATED
      30  EXCHANGE_PICKUP            -                  DELIVERED (delivered, old item taken)
      31  EXCHANGE_INTRANSIT         -                  DELIVERED (ours arrived, old one travels)
      32  EXCHANGE_DELIVERED         -                  DELIVERED
     101  RETURN_ORDER_PLACED        (returns platform) EXCEPTION (the customer asks to return)
    1004  DESTINATION_HUB_IN         -                  AT_DEPOT

A code we do not know maps to nothing: its event is left out rather than guessed.
"""

from __future__ import annotations

from types import MappingProxyType

from shipmux.carriers.base import TrackingStage

__all__ = ["CANCELLED_CODE", "DELIVERED_CODE", "STAGES", "stage_of"]

DELIVERED_CODE = 8
CANCELLED_CODE = 10

_B = TrackingStage.LABEL_CREATED
_X = TrackingStage.EXCEPTION
_R = TrackingStage.RETURNED

STAGES: MappingProxyType[int, TrackingStage] = MappingProxyType(
    {
        1: _B,
        2: _B,
        3: _X,
        4: TrackingStage.COLLECTED,
        5: TrackingStage.IN_TRANSIT,
        6: TrackingStage.OUT_FOR_DELIVERY,
        7: _X,
        8: TrackingStage.DELIVERED,
        9: TrackingStage.FAILED_ATTEMPT,
        10: TrackingStage.CANCELLED,
        11: _R,
        12: _R,
        13: _R,
        14: _R,
        15: _X,
        16: _X,
        17: _X,
        18: TrackingStage.IN_TRANSIT,
        19: TrackingStage.IN_TRANSIT,
        20: TrackingStage.IN_TRANSIT,
        21: _R,
        23: _X,
        25: _B,
        26: _R,
        27: _R,
        28: _B,
        30: TrackingStage.DELIVERED,
        31: TrackingStage.DELIVERED,
        32: TrackingStage.DELIVERED,
        101: _X,
        1004: TrackingStage.AT_DEPOT,
    }
)


def stage_of(code: int | str | None) -> TrackingStage | None:
    """Our stage for a ``clickpost_status_code`` (a number or its digits), else None."""
    if code is None:
        return None
    if isinstance(code, str):
        if not code.strip().isdigit():
            return None
        code = int(code.strip())
    return STAGES.get(code)
