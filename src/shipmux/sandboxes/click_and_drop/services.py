"""Royal Mail service codes the sandbox knows, which of them are tracked, and S10 numbers.

The code lists come from the research notes (section 6). The account's enabled services
decide what works on the real API; the sandbox only enforces what was observed: an OBA
account rejects OLP-only codes (and, symmetrically, an OLP account rejects OBA-only codes).
Codes in neither list are accepted on both, so a connector is not blocked by a gap here.
"""

from __future__ import annotations

from dataclasses import dataclass

OLP_SERVICE_CODES = frozenset(
    {
        "OLP1", "OLP2", "OLP1SF", "OLP2SF",
        "TOLP24", "TOLP48", "TOLP24SF", "TOLP48SF", "TOLP24SFA", "TOLP48SFA",
        "SD1OLP", "SD2OLP", "SD3OLP",
        "PFE10", "PFE24", "PFE48", "PFEAM", "PFE10SF", "PFE24SF", "PFE48SF", "PFEAMSF",
        "PFELG", "PFELGSF",
        "IEOLP", "ISOLP", "ITROLP", "ITHOLP", "ITHCOLP", "ITSOLP", "PFIGX", "PFIGPE",
    }
)  # fmt: skip

OBA_SERVICE_CODES = frozenset(
    {
        "BPL1", "BPL2", "BPR1", "BPR2", "CRL24", "CRL48", "FS1", "FS2",
        "TPN24", "TPS48", "TRN24", "TRS48", "TPLN", "TPSN", "TRM",
        "SD1", "SD2", "SD3", "SD4", "SD5", "SD6",
        "STL1", "STL2", "MPR", "OLA", "OLS", "OSA", "OSB",
        "OTA", "OTB", "OTC", "OTD", "MTA", "MTB", "MTC", "MTD",
    }
)  # fmt: skip

# Untracked services get no tracking number; everything else below is tracked or signed for.
_UNTRACKED = frozenset(
    {"OLP1", "OLP2", "BPL1", "BPL2", "CRL24", "CRL48", "STL1", "STL2", "IEOLP", "ISOLP",
     "OLA", "OLS", "OSA", "OSB", "MPR", "FS1", "FS2"}
)  # fmt: skip
_TRACKED_PREFIXES = ("SD", "TOLP", "PF", "TP", "TR", "OT", "MT", "IT")
_SIGNED_SUFFIXES = ("SF", "SFA")
_SIGNED_CODES = frozenset({"BPR1", "BPR2"})

# S10 service indicator letters used by the sandbox (our choice; see docs).
_PREFIX_SPECIAL_DELIVERY = "SD"
_PREFIX_TRACKED = "TT"
_PREFIX_SIGNED = "SF"
_PREFIX_INTERNATIONAL = "LX"
_PREFIX_PARCELFORCE = "PB"
_PREFIX_RETURNS = "TR"

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def rejected_for_account(service_code: str, *, is_oba: bool) -> bool:
    """Whether the account type refuses this code (OBA refuses OLP codes and vice versa)."""
    code = service_code.upper()
    return code in (OLP_SERVICE_CODES if is_oba else OBA_SERVICE_CODES)


def is_tracked(service_code: str | None) -> bool:
    if not service_code:
        return False
    code = service_code.upper()
    if code in _UNTRACKED:
        return False
    return (
        code in _SIGNED_CODES
        or code.startswith(_TRACKED_PREFIXES)
        or code.endswith(_SIGNED_SUFFIXES)
    )


def tracking_prefix(service_code: str) -> str:
    code = service_code.upper()
    if code.startswith("PF"):
        return _PREFIX_PARCELFORCE
    if code.startswith("SD"):
        return _PREFIX_SPECIAL_DELIVERY
    if code.startswith(("OT", "MT", "IT")):
        return _PREFIX_INTERNATIONAL
    if code in _SIGNED_CODES or code.endswith(_SIGNED_SUFFIXES):
        return _PREFIX_SIGNED
    return _PREFIX_TRACKED


def s10_check_digit(serial: str) -> int:
    """UPU S10 check digit of an 8-digit serial number (weights 8 6 4 2 3 5 9 7, mod 11)."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError("an S10 serial number has exactly 8 digits")
    remainder = sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    check = 11 - remainder
    return {10: 0, 11: 5}.get(check, check)


def s10_number(prefix: str, serial_number: int) -> str:
    serial = f"{serial_number:08d}"
    return f"{prefix}{serial}{s10_check_digit(serial)}GB"


def is_valid_s10(value: str) -> bool:
    if len(value) != 13 or not value[:2].isalpha() or not value[11:].isalpha():
        return False
    serial, check = value[2:10], value[10]
    return serial.isdigit() and check.isdigit() and s10_check_digit(serial) == int(check)


@dataclass
class TrackingNumbers:
    """Hands out unique S10 numbers for the whole sandbox (all accounts share one series)."""

    next_serial: int = 10_000_001

    def issue(self, service_code: str) -> str:
        number = s10_number(tracking_prefix(service_code), self.next_serial)
        self.next_serial += 1
        return number

    def issue_return(self) -> str:
        number = s10_number(_PREFIX_RETURNS, self.next_serial)
        self.next_serial += 1
        return number
