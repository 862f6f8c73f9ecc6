"""Pure translations between our ``Order`` and Click & Drop's wire models, both ways.

Nothing here does I/O or reads the clock: the time an order without its own date is
stamped with is passed in. The connector calls these before and after each request.
"""

from __future__ import annotations

import base64
import io
import math
import re
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import pydantic
from pydantic.alias_generators import to_camel
from pypdf import PageObject, PdfReader

from shipmux.carriers.base import CarrierOrder, CreateResult, LabelDocument
from shipmux.carriers.click_and_drop import schemas as wire
from shipmux.domain.errors import FieldProblem
from shipmux.domain.orders import Address, CustomsCategory, Item, Order, Package, PackageFormat

__all__ = [
    "MAX_IDENTIFIERS",
    "Manifest",
    "OrderDefaults",
    "UnmappableOrder",
    "carrier_order_from_created",
    "carrier_order_from_info",
    "chunks",
    "create_results",
    "field_path",
    "identifier_segment",
    "manifest_from_response",
    "pages_by_order",
    "problems_from_errors",
    "to_create_order_request",
    "to_create_orders_request",
]

T = TypeVar("T")
Wire = dict[str, Any]  # a request part, in wire model field names, validated as a whole

# "The maximum number of identifiers is 100" (spec, parameter orderIdentifiers).
MAX_IDENTIFIERS = 100


@dataclass(frozen=True, slots=True)
class OrderDefaults:
    """What the account settings add to every order; the clock's reading for undated orders."""

    now: datetime
    service_code: str | None = None
    package_format: str | None = None
    trading_name: str | None = None


class UnmappableOrder(ValueError):
    """The order cannot be said in Click & Drop's terms; it is refused without a call."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Manifest:
    """A Click & Drop manifest: its number, state and (once ready) its PDF."""

    number: int
    status: str | None = None
    document: LabelDocument | None = None


# --- Order -> CreateOrderRequest ------------------------------------------------------------

_PACKAGE_FORMATS: dict[PackageFormat, str] = {
    PackageFormat.LETTER: "letter",
    PackageFormat.LARGE_LETTER: "largeLetter",
    PackageFormat.SMALL_PARCEL: "smallParcel",
    PackageFormat.MEDIUM_PARCEL: "mediumParcel",
    PackageFormat.LARGE_PARCEL: "largeParcel",
    PackageFormat.PARCEL: "parcel",
    PackageFormat.DOCUMENTS: "documents",
}

# Sale of goods splits in two on Click & Drop's side (spec enum since the 2026 revision).
_CUSTOMS_CATEGORIES: dict[CustomsCategory, str] = {
    CustomsCategory.GIFT: "gift",
    CustomsCategory.COMMERCIAL_SAMPLE: "commercialSample",
    CustomsCategory.DOCUMENTS: "documents",
    CustomsCategory.RETURNED_GOODS: "returnedGoods",
    CustomsCategory.OTHER: "other",
}

# Our order allows the Incoterm spellings; Click & Drop folds DDU and DAP into one value.
_DELIVERY_TERMS: dict[str, wire.DeliveryTerm] = {
    "DDP": "DDP",
    "DDU": "DDU_DAP",
    "DAP": "DDU_DAP",
    "DDU_DAP": "DDU_DAP",
    "DTP": "DTP",
    "IOSS_DDP": "IOSS_DDP",
    "IOSS_DDU": "IOSS_DDU",
    "IOSS_DTP": "IOSS_DTP",
}

# postageDetails.consequentialLoss is "integer, 0..10000" (pounds of cover).
_MAX_CONSEQUENTIAL_LOSS = 10_000


def _address(address: Address) -> Wire:
    return {
        "full_name": address.name,
        "company_name": address.company,
        "address_line1": address.line1,
        "address_line2": address.line2,
        "address_line3": address.line3,
        "city": address.city,
        "county": address.county,
        "postcode": address.postcode,
        "country_code": address.country,
    }


def _recipient(address: Address) -> Wire:
    return {
        "address": _address(address),
        "phone_number": address.phone,
        "email_address": address.email,
    }


def _sender(order: Order, defaults: OrderDefaults) -> Wire | None:
    # Click & Drop prints the return address of the account's trading name; the sender's
    # own address lines have no field here, only the name it trades under and its contacts.
    sender = order.sender
    trading_name = defaults.trading_name or (sender.company if sender else None)
    if sender is None and trading_name is None:
        return None
    return {
        "trading_name": trading_name,
        "phone_number": sender.phone if sender else None,
        "email_address": sender.email if sender else None,
    }


def _billing(address: Address | None) -> Wire | None:
    if address is None:
        return None
    return {
        "address": _address(address),
        "phone_number": address.phone,
        "email_address": address.email,
    }


def _customs_category(item: Item, order: Order) -> str | None:
    category = item.customs_category
    if category is None:
        return None
    if category is CustomsCategory.SALE_OF_GOODS:
        return "commercialSaleOfGoods" if order.recipient_is_business else "eCommerceSaleOfGoods"
    return _CUSTOMS_CATEGORIES[category]


def _content(item: Item, order: Order) -> Wire:
    return {
        "name": item.name,
        "sku": item.sku,
        "quantity": item.quantity,
        "unit_value": item.unit_value,
        "unit_weight_in_grams": item.unit_weight_grams,
        "customs_description": item.customs_description,
        "customs_code": item.hs_code,
        "origin_country_code": item.origin_country,
        "customs_declaration_category": _customs_category(item, order),
    }


def _package_format(ours: PackageFormat, defaults: OrderDefaults) -> str:
    # "parcel" is also our model's default, so it stands for "no format given": the
    # account's default format, when it has one, is the better guess.
    if ours is PackageFormat.PARCEL and defaults.package_format:
        return defaults.package_format
    return _PACKAGE_FORMATS[ours]


def _package(index: int, package: Package, order: Order, defaults: OrderDefaults) -> Wire:
    dimensions = package.dimensions
    # Our order lists its goods once; Click & Drop wants them inside a package. They all go
    # in the first one, which keeps the index of a content equal to the index of its item.
    contents = [_content(item, order) for item in order.items] if index == 0 else None
    return {
        "weight_in_grams": package.weight_grams,
        "package_format_identifier": _package_format(package.format, defaults),
        "dimensions": (
            {
                "height_in_mms": dimensions.height_mm,
                "width_in_mms": dimensions.width_mm,
                "depth_in_mms": dimensions.length_mm,
            }
            if dimensions is not None
            else None
        ),
        "contents": contents or None,
    }


def _consequential_loss(cover: Decimal | None) -> int | None:
    # Cover is bought in whole pounds; rounding down would under-insure the parcel.
    return None if cover is None or cover == 0 else math.ceil(cover)


def _postage(order: Order, defaults: OrderDefaults) -> Wire:
    extras, customs = order.extras, order.customs
    notify = extras.email_notification or extras.sms_notification
    return {
        "send_notifications_to": "recipient" if notify else None,
        "service_code": order.service_code or defaults.service_code,
        "consequential_loss": _consequential_loss(extras.cover_value),
        "receive_email_notification": extras.email_notification or None,
        "receive_sms_notification": extras.sms_notification or None,
        "request_signature_upon_delivery": extras.signature or None,
        "safe_place": extras.safe_place,
        "ioss_number": customs.ioss_number if customs else None,
        "commercial_invoice_number": customs.invoice_number if customs else None,
        "commercial_invoice_date": customs.invoice_date if customs else None,
        "recipient_eori_number": customs.recipient_eori_number if customs else None,
    }


def _tag(tag: str) -> Wire:
    # Click & Drop tags are key/value pairs; "key=value" keeps both, a bare tag is a key.
    key, sep, value = tag.partition("=")
    return {"key": key.strip(), "value": value.strip() if sep else None}


def _un_code(code: str) -> str:
    # dangerousGoodsUnCode is at most 4 characters: the number without its "UN" prefix.
    return code.upper().removeprefix("UN")


def _check(order: Order) -> list[FieldProblem]:
    """What our model and the connector's ``CarrierLimits`` allow but Click & Drop refuses."""
    cover = order.extras.cover_value
    if cover is not None and cover > _MAX_CONSEQUENTIAL_LOSS:
        return [
            FieldProblem(
                "extras.cover_value",
                "max_value",
                f"Click & Drop covers at most {_MAX_CONSEQUENTIAL_LOSS}",
            )
        ]
    return []


def to_create_order_request(order: Order, defaults: OrderDefaults) -> wire.CreateOrderRequest:
    """One of our orders as a Click & Drop ``CreateOrderRequest``.

    Raises ``UnmappableOrder`` (with our field paths) for what Click & Drop would refuse
    and we can see ourselves, so such an order is never sent.
    """
    problems = _check(order)
    if problems:
        raise UnmappableOrder(problems)
    try:
        return _build(order, defaults)
    except pydantic.ValidationError as exc:
        # A value the spec's rules refuse that the limits did not catch: name it, never send it.
        raise UnmappableOrder(
            [
                FieldProblem(_wire_loc(e["loc"]), e["type"], e["msg"])
                for e in exc.errors(include_url=False)
            ]
        ) from exc


def _wire_loc(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        name = to_camel(part) if isinstance(part, str) else part
        path += f"[{name}]" if isinstance(name, int) else (f".{name}" if path else name)
    return field_path(path)


def _build(order: Order, defaults: OrderDefaults) -> wire.CreateOrderRequest:
    # Built as plain data and validated once, so an error's location is the full wire path.
    customs, dangerous = order.customs, order.dangerous_goods
    terms = customs.delivery_terms if customs else None
    body = {
        "order_reference": order.reference,
        "is_recipient_a_business": order.recipient_is_business,
        "recipient": _recipient(order.recipient),
        "sender": _sender(order, defaults),
        "billing": _billing(order.billing),
        "packages": [_package(i, p, order, defaults) for i, p in enumerate(order.packages)],
        "order_date": order.order_date or defaults.now,
        "special_instructions": order.notes,
        "subtotal": order.subtotal,
        "shipping_cost_charged": order.shipping_cost,
        "total": order.total,
        "order_tax": order.tax,
        "currency_code": order.currency,
        "delivery_term": _DELIVERY_TERMS[terms] if terms else None,
        "postage_details": _postage(order, defaults),
        "tags": [_tag(t) for t in order.tags] or None,
        # dangerousGoodsDescription is typed "number" in the spec (a bug the generated
        # clients copy), so a text description cannot be sent; the UN code carries the class.
        "contains_dangerous_goods": True if dangerous else None,
        "dangerous_goods_un_code": _un_code(dangerous.un_code) if dangerous else None,
    }
    return wire.CreateOrderRequest.model_validate(body)


def to_create_orders_request(
    requests: Sequence[wire.CreateOrderRequest],
) -> wire.CreateOrdersRequest:
    return wire.CreateOrdersRequest(items=list(requests))


# --- failedOrders[].errors[].fields[].fieldName -> our field paths --------------------------

_ADDRESS_FIELDS = {
    "fullname": "name",
    "companyname": "company",
    "addressline1": "line1",
    "addressline2": "line2",
    "addressline3": "line3",
    "city": "city",
    "county": "county",
    "postcode": "postcode",
    "countrycode": "country",
}
_CONTACT_FIELDS = {"phonenumber": "phone", "emailaddress": "email"}

_CONTENT_FIELDS = {
    "name": "name",
    "sku": "sku",
    "quantity": "quantity",
    "unitvalue": "unit_value",
    "unitweightingrams": "unit_weight_grams",
    "customsdescription": "customs_description",
    "extendedcustomsdescription": "customs_description",
    "customscode": "hs_code",
    "origincountrycode": "origin_country",
    "customsdeclarationcategory": "customs_category",
}

_PACKAGE_FIELDS = {
    "weightingrams": "weight_grams",
    "packageformatidentifier": "format",
    "dimensions": "dimensions",
    "dimensions.heightinmms": "dimensions.height_mm",
    "dimensions.widthinmms": "dimensions.width_mm",
    "dimensions.depthinmms": "dimensions.length_mm",
}

_POSTAGE_FIELDS = {
    "servicecode": "service_code",
    "consequentialloss": "extras.cover_value",
    "safeplace": "extras.safe_place",
    "requestsignatureupondelivery": "extras.signature",
    "receivesmsnotification": "extras.sms_notification",
    "receiveemailnotification": "extras.email_notification",
    "sendnotificationsto": "extras",
    "iossnumber": "customs.ioss_number",
    "commercialinvoicenumber": "customs.invoice_number",
    "commercialinvoicedate": "customs.invoice_date",
    "recipienteorinumber": "customs.recipient_eori_number",
}

_ORDER_FIELDS = {
    "orderreference": "reference",
    "isrecipientabusiness": "recipient_is_business",
    "orderdate": "order_date",
    "specialinstructions": "notes",
    "subtotal": "subtotal",
    "shippingcostcharged": "shipping_cost",
    "ordertax": "tax",
    "total": "total",
    "currencycode": "currency",
    "deliveryterm": "customs.delivery_terms",
    "containsdangerousgoods": "dangerous_goods",
    "dangerousgoodsuncode": "dangerous_goods.un_code",
    "recipient": "recipient",
    "sender": "sender",
    "billing": "billing",
    "packages": "packages",
    "tags": "tags",
    "postagedetails": "service_code",
}

_INDEXED = re.compile(r"^([a-z]+)\[(\d+)\]$")


def _party(party: str, rest: list[str]) -> str:
    # recipient.address.postcode -> recipient.postcode; recipient.phoneNumber -> recipient.phone
    if party == "sender" and rest and rest[0] == "tradingname":
        return "sender.company"
    if rest and rest[0] == "address":
        rest = rest[1:]
    if not rest:
        return party
    ours = _ADDRESS_FIELDS.get(rest[0]) or _CONTACT_FIELDS.get(rest[0])
    return f"{party}.{ours}" if ours else party


def _package_path(index: int, rest: list[str]) -> str:
    if rest and (m := _INDEXED.match(rest[0])) and m.group(1) == "contents":
        # Every item travels in the first package, so a content's index is its item's.
        item = f"items[{m.group(2)}]"
        ours = _CONTENT_FIELDS.get(".".join(rest[1:]))
        return f"{item}.{ours}" if ours else item
    if rest and rest[0] == "contents":
        return "items"
    ours = _PACKAGE_FIELDS.get(".".join(rest))
    return f"packages[{index}].{ours}" if ours else f"packages[{index}]"


def field_path(wire_name: str) -> str:
    """Our path for a Click & Drop ``fieldName`` (matched without regard to case).

    ``recipient.address.postcode`` becomes ``recipient.postcode``,
    ``packages[0].weightInGrams`` becomes ``packages[0].weight_grams``. A name we do not
    know maps to the nearest part we do, and to the name itself as a last resort.
    """
    parts = [p for p in wire_name.strip().lower().replace("/", ".").split(".") if p]
    # Validators sometimes prefix the request path: items[0].recipient..., order.recipient...
    while parts and (parts[0] in ("order", "request", "$") or parts[0].startswith("items[")):
        parts = parts[1:]
    if not parts:
        return wire_name
    head, rest = parts[0], parts[1:]
    if head in ("recipient", "billing", "sender"):
        return _party(head, rest)
    if (m := _INDEXED.match(head)) and m.group(1) == "packages":
        return _package_path(int(m.group(2)), rest)
    if (m := _INDEXED.match(head)) and m.group(1) == "tags":
        return f"tags[{m.group(2)}]"
    if head == "postagedetails":
        return _POSTAGE_FIELDS.get(rest[0], "service_code") if rest else "service_code"
    return _ORDER_FIELDS.get(head, wire_name)


def problems_from_errors(errors: Iterable[wire.CreateOrderErrorResponse]) -> list[FieldProblem]:
    """Every field an order's errors name, in our paths; an error naming none is whole-order."""
    problems: list[FieldProblem] = []
    for error in errors:
        rule = f"click_and_drop_{error.error_code}" if error.error_code is not None else "rejected"
        message = error.error_message or "refused by Click & Drop"
        named = [f.field_name for f in error.fields if f.field_name]
        for name in named or ["order"]:
            problems.append(FieldProblem(field_path(name) if named else "order", rule, message))
    return problems


# --- responses -> our types -----------------------------------------------------------------


def _package_numbers(packages: Sequence[wire.CreatePackagesResponse]) -> tuple[str, ...]:
    return tuple(p.tracking_number for p in packages if p.tracking_number)


def carrier_order_from_created(created: wire.CreateOrderResponse, reference: str) -> CarrierOrder:
    return CarrierOrder(
        carrier_order_id=str(created.order_identifier),
        reference=created.order_reference or reference,
        tracking_number=created.tracking_number,
        label_printed_at=created.printed_on,
        despatched_at=created.shipped_on,
        manifested_at=created.manifested_on,
        package_tracking_numbers=_package_numbers(created.packages),
    )


def carrier_order_from_info(info: wire.GetOrderInfoResource) -> CarrierOrder:
    return CarrierOrder(
        carrier_order_id=str(info.order_identifier),
        reference=info.order_reference or "",
        tracking_number=info.tracking_number,
        label_printed_at=info.printed_on,
        despatched_at=info.shipped_on,
        manifested_at=info.manifested_on,
        package_tracking_numbers=_package_numbers(info.packages),
    )


def create_results(
    references: Sequence[str], response: wire.CreateOrdersResponse
) -> dict[str, CreateResult]:
    """Each sent reference's outcome, matched by reference; a reference missing is absent."""
    results: dict[str, CreateResult] = {}
    for created in response.created_orders:
        ref = created.order_reference
        if ref is not None and ref in references:
            results[ref] = CreateResult(ref, created=carrier_order_from_created(created, ref))
    for failed in response.failed_orders:
        ref = failed.order.order_reference if failed.order else None
        if ref is not None and ref in references and ref not in results:
            problems = problems_from_errors(failed.errors)
            message = "; ".join(e.error_message for e in failed.errors if e.error_message)
            results[ref] = CreateResult(
                ref, problems=problems, message=message or "refused by Click & Drop"
            )
    return results


def manifest_from_response(
    response: wire.ManifestOrdersResponse | wire.ManifestDetailsResponse,
) -> Manifest:
    status = getattr(response, "status", None)
    pdf = response.document_pdf
    return Manifest(
        number=int(response.manifest_number),
        status=status,
        document=LabelDocument(base64.b64decode(pdf)) if pdf else None,
    )


# --- {orderIdentifiers} ---------------------------------------------------------------------


def identifier_segment(identifiers: Sequence[int | str]) -> str:
    """The ``{orderIdentifiers}`` path segment, byte for byte as the Python client sends it.

    An int is an order identifier; a str is a reference, percent-encoded and put in
    double quotes. The parts are joined by ``;`` and the whole segment is encoded once
    more with nothing safe, so ``/`` in a reference cannot split the path (research §1.1).
    """
    if not identifiers:
        raise ValueError("at least one order identifier is needed")
    if len(identifiers) > MAX_IDENTIFIERS:
        raise ValueError(f"at most {MAX_IDENTIFIERS} order identifiers per call")
    parts = [
        str(i) if isinstance(i, int) else '"' + urllib.parse.quote(i) + '"' for i in identifiers
    ]
    return urllib.parse.quote(";".join(parts), safe="")


def chunks(values: Sequence[T], size: int = MAX_IDENTIFIERS) -> list[Sequence[T]]:
    """``values`` in runs of at most ``size``: one call each."""
    return [values[i : i + size] for i in range(0, len(values), size)]


def _page_owner(page: PageObject, orders: Sequence[CarrierOrder]) -> str | None:
    """The one order whose tracking number the page prints, if exactly one does."""
    text = page.get_contents()
    data = text.get_data() if text is not None else b""
    owners = [
        o.carrier_order_id
        for o in orders
        if o.tracking_number and o.tracking_number.encode() in data
    ]
    return owners[0] if len(owners) == 1 else None


def pages_by_order(content: bytes, orders: Sequence[CarrierOrder]) -> dict[str, tuple[int, ...]]:
    """Each order's 0-based pages of a many-order label PDF; only pages proven to be theirs.

    A page belongs to the order whose tracking number it prints (the customs pages
    of an order print it too). If any page cannot be given to exactly one order the
    answer is empty: nothing in the PDF is proven. Only the pages' content streams are
    read; no PDF is written here (a shipment's own pages are cut when it is downloaded).
    """
    owned: dict[str, list[int]] = {}
    for number, page in enumerate(PdfReader(io.BytesIO(content)).pages):
        owner = _page_owner(page, orders)
        if owner is None:
            return {}
        owned.setdefault(owner, []).append(number)
    return {order_id: tuple(numbers) for order_id, numbers in owned.items()}
