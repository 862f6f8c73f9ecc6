"""Sendcloud parcel statuses -> our ``TrackingStage``.

Sendcloud names a parcel's status two ways:

* a numeric ``status.id`` (the v2 parcel object, carried by ``parcel_status_changed``
  webhooks even under v3; research §1.7: the list of ``GET /api/v2/parcels/statuses``,
  plus ids found only in third-party code, marked ``*``);
* a string ``status.code`` (v3 shipments, ``GET /api/v3/parcels/statuses`` and tracking
  events). The v3 spec publishes no closed list: these are every code its examples and
  its ``status_category`` enum use.

    id     message                                   stage
    -----  ----------------------------------------  ----------------
    1      Announced                                 LABEL_CREATED
    3      En route to sorting center                IN_TRANSIT
    4      Delivery delayed                          IN_TRANSIT
    5      Sorted                                    AT_DEPOT
    6      Not sorted                                EXCEPTION
    7      Being sorted                              AT_DEPOT
    8      Delivery attempt failed                   FAILED_ATTEMPT
    11     Delivered                                 DELIVERED
    12     Awaiting customer pickup                  OUT_FOR_DELIVERY
    13     Announced: not collected                  LABEL_CREATED
    15     Error collecting                          EXCEPTION
    22     Shipment picked up by driver              COLLECTED
    80     Unable to deliver                         EXCEPTION
    91     Parcel en route                           IN_TRANSIT
    92     Driver en route                           OUT_FOR_DELIVERY
    93     Shipment collected by customer            DELIVERED
    94*    Parcel cancellation failed                EXCEPTION
    999    No label                                  LABEL_CREATED
    1000   Ready to send                             LABEL_CREATED
    1001   Being announced                           LABEL_CREATED
    1002   Announcement failed                       EXCEPTION
    1337   Unknown status - check carrier tracking   IN_TRANSIT
    1998   Cancelled upstream                        CANCELLED
    1999   Cancellation requested                    EXCEPTION
    2000   Cancelled                                 CANCELLED
    2001   Submitting cancellation request           EXCEPTION
    62989* At customs                                AT_DEPOT
    62990* At sorting centre                         AT_DEPOT
    62991* Refused by recipient                      EXCEPTION
    62992* Returned to sender                        RETURNED
    62993* Delivery method changed                   IN_TRANSIT
    62994* Delivery date changed                     IN_TRANSIT
    62995* Delivery address changed                  IN_TRANSIT
    62996* Exception                                 EXCEPTION
    62997* Address invalid                           EXCEPTION

A cancellation still being requested is an EXCEPTION (it may fail); a done one is
CANCELLED. An unknown
id or code maps to nothing: its event is left out rather than guessed.
"""

from __future__ import annotations

from types import MappingProxyType

from shipmux.carriers.base import TrackingStage

__all__ = ["STATUS_CODES", "STATUS_IDS", "stage_of_code", "stage_of_id"]

_B, _C, _T = TrackingStage.LABEL_CREATED, TrackingStage.COLLECTED, TrackingStage.IN_TRANSIT
_D, _O = TrackingStage.AT_DEPOT, TrackingStage.OUT_FOR_DELIVERY
_OK, _X = TrackingStage.DELIVERED, TrackingStage.EXCEPTION
_NO = TrackingStage.CANCELLED

STATUS_IDS: MappingProxyType[int, TrackingStage] = MappingProxyType(
    {
        1: _B,
        3: _T,
        4: _T,
        5: _D,
        6: _X,
        7: _D,
        8: TrackingStage.FAILED_ATTEMPT,
        11: _OK,
        12: _O,
        13: _B,
        15: _X,
        22: _C,
        80: _X,
        91: _T,
        92: _O,
        93: _OK,
        94: _X,
        999: _B,
        1000: _B,
        1001: _B,
        1002: _X,
        1337: _T,
        1998: _NO,
        1999: _X,
        2000: _NO,
        2001: _X,
        62989: _D,
        62990: _D,
        62991: _X,
        62992: TrackingStage.RETURNED,
        62993: _T,
        62994: _T,
        62995: _T,
        62996: _X,
        62997: _X,
    }
)

STATUS_CODES: MappingProxyType[str, TrackingStage] = MappingProxyType(
    {
        "CREATED": _B,
        "ANNOUNCING": _B,
        "READY_TO_SEND": _B,
        "ANNOUNCED": _B,
        "ANNOUNCEMENT_FAILED": _X,
        "IN_TRANSIT": _T,
        "DELIVERED": _OK,
        "CANCEL": _X,
        "CANCELLED": _NO,
        "FAILED": _X,
    }
)


def stage_of_id(status_id: int | None) -> TrackingStage | None:
    """Our stage for a numeric (v2) status id; None when we do not know it."""
    return None if status_id is None else STATUS_IDS.get(status_id)


def stage_of_code(code: str | None) -> TrackingStage | None:
    """Our stage for a v3 status code (any case; spaces and dashes as underscores)."""
    if not code:
        return None
    return STATUS_CODES.get(code.strip().upper().replace(" ", "_").replace("-", "_"))
