"""Stored orders rendered as the spec's response resources."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shipmux.sandboxes.click_and_drop.store import Account, Order
from shipmux.sandboxes.kit.clock import format_timestamp, parse_timestamp


def _packages(order: Order) -> list[dict[str, Any]]:
    return [
        {"packageNumber": p.number, "trackingNumber": p.tracking_number} for p in order.packages
    ]


def order_info(order: Order) -> dict[str, Any]:
    """``GetOrderInfoResource`` (it has no status field: the spec gives only timestamps)."""
    return {
        "orderIdentifier": order.identifier,
        "orderReference": order.reference,
        "createdOn": format_timestamp(order.created_on),
        "orderDate": format_timestamp(order.order_date),
        "printedOn": format_timestamp(order.printed_on),
        "manifestedOn": format_timestamp(order.manifested_on),
        "shippedOn": format_timestamp(order.shipped_on),
        "trackingNumber": order.tracking_number,
        "packages": _packages(order),
    }


def created_order(
    order: Order,
    *,
    label: str | None = None,
    label_errors: list[dict[str, Any]] | None = None,
    generated_documents: list[str] | None = None,
) -> dict[str, Any]:
    """``CreateOrderResponse``."""
    return {
        **order_info(order),
        "label": label,
        "labelErrors": label_errors or [],
        "generatedDocuments": generated_documents or [],
    }


def _normalized_timestamp(value: str | None) -> str | None:
    return format_timestamp(parse_timestamp(value)) if value else None


def _money(value: Any) -> Decimal:
    return Decimal(value) if value is not None else Decimal(0)


def _postal(source: dict[str, Any] | None) -> dict[str, Any]:
    """``GetPostalDetailsResult`` from a recipient/billing block (address + phone + email)."""
    source = source or {}
    address = source.get("address") or {}
    first, _, last = (address.get("fullName") or "").partition(" ")
    return {
        "title": None,
        "firstName": first or None,
        "lastName": last or None,
        "companyName": address.get("companyName"),
        "addressLine1": address.get("addressLine1"),
        "addressLine2": address.get("addressLine2"),
        "addressLine3": address.get("addressLine3"),
        "city": address.get("city"),
        "county": address.get("county"),
        "postcode": address.get("postcode"),
        "countryCode": address.get("countryCode"),
        "phoneNumber": source.get("phoneNumber"),
        "emailAddress": source.get("emailAddress"),
    }


def _order_lines(order: Order) -> list[dict[str, Any]]:
    return [
        {
            "SKU": line.get("SKU"),
            "name": line.get("name"),
            "quantity": line.get("quantity"),
            "unitValue": line.get("unitValue"),
            "lineTotal": _money(line.get("unitValue")) * int(line.get("quantity") or 0),
            "customsCode": line.get("customsCode"),
        }
        for line in order.lines
    ]


def _shipping_details(order: Order) -> dict[str, Any]:
    postage = order.request.get("postageDetails") or {}
    return {
        "shippingCost": _money(order.request.get("shippingCostCharged")),
        "trackingNumber": order.tracking_number,
        "shippingTrackingStatus": None,
        "serviceCode": order.service_code,
        "shippingService": order.shipping_service or order.service_code,
        "shippingCarrier": order.shipping_carrier or "Royal Mail",
        "receiveEmailNotification": bool(postage.get("receiveEmailNotification")),
        "receiveSmsNotification": bool(postage.get("receiveSmsNotification")),
        "guaranteedSaturdayDelivery": bool(postage.get("guaranteedSaturdayDelivery")),
        "requestSignatureUponDelivery": bool(postage.get("requestSignatureUponDelivery")),
        "isLocalCollect": bool(postage.get("isLocalCollect")),
        "shippingUpdateSuccessDate": format_timestamp(order.status_changed_on),
        "packages": _packages(order),
    }


def order_details(order: Order, account: Account) -> dict[str, Any]:
    """``GetOrderDetailsResource`` (ChannelShipper ``/full`` endpoints)."""
    request = order.request
    postage = request.get("postageDetails") or {}
    sender = request.get("sender") or {}
    return {
        "orderIdentifier": order.identifier,
        "orderStatus": order.status.value,
        "createdOn": format_timestamp(order.created_on),
        "printedOn": format_timestamp(order.printed_on),
        "shippedOn": format_timestamp(order.shipped_on),
        "postageAppliedOn": format_timestamp(order.postage_applied_on),
        "manifestedOn": format_timestamp(order.manifested_on),
        "orderDate": format_timestamp(order.order_date),
        "despatchedByOtherCourierOn": format_timestamp(order.despatched_by_other_courier_on),
        "tradingName": sender.get("tradingName"),
        "channel": "Click & Drop API",
        "marketplaceTypeName": "API",
        "department": postage.get("department"),
        "AIRNumber": postage.get("AIRNumber"),
        "requiresExportLicense": bool(postage.get("requiresExportLicense")),
        "commercialInvoiceNumber": postage.get("commercialInvoiceNumber"),
        "commercialInvoiceDate": _normalized_timestamp(postage.get("commercialInvoiceDate")),
        "orderReference": order.reference,
        "channelShippingMethod": order.service_code,
        "specialInstructions": request.get("specialInstructions"),
        "pickerSpecialInstructions": None,
        "subtotal": _money(request.get("subtotal")),
        "shippingCostCharged": _money(request.get("shippingCostCharged")),
        "orderDiscount": Decimal(0),
        "total": _money(request.get("total")),
        "weightInGrams": order.weight_in_grams,
        "packageSize": order.package_format,
        "accountBatchNumber": str(order.batch_number) if order.batch_number else None,
        "currencyCode": request.get("currencyCode"),
        "shippingDetails": _shipping_details(order),
        "shippingInfo": _postal(order.recipient),
        "billingInfo": _postal(request.get("billing") or order.recipient),
        "orderLines": _order_lines(order),
        "tags": [dict(tag) for tag in request.get("tags") or []],
    }
