"""Request schemas of the Click & Drop spec, transcribed as data for ``validation``.

Each definition mirrors ``click-and-drop-api-v1-original.yaml`` (names, ``required``,
``maxLength``, minimum/maximum, ``multipleOf: 0.01`` money, enums). Enums that the spec
only states in prose (``packageFormatIdentifier``, ``deliveryTerm``) are enforced too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Str:
    max_length: int | None = None
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Int:
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True, slots=True)
class Money:
    """``type: number, format: decimal, multipleOf: 0.01`` with the spec's bounds."""

    maximum: Decimal
    minimum: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class Number:
    """A plain JSON number (``dangerousGoodsQuantity``)."""


@dataclass(frozen=True, slots=True)
class StrOrNumber:
    """``dangerousGoodsDescription``: typed ``number`` with a ``maxLength`` in the spec (a spec
    bug); the sandbox accepts either a number or a string of at most ``max_length``."""

    max_length: int


@dataclass(frozen=True, slots=True)
class Bool:
    pass


@dataclass(frozen=True, slots=True)
class DateTime:
    pass


@dataclass(frozen=True, slots=True)
class Obj:
    properties: Mapping[str, Schema]
    required: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Arr:
    items: Schema
    max_items: int | None = None


Schema = Str | Int | Money | Number | StrOrNumber | Bool | DateTime | Obj | Arr

MAX_MONEY = Decimal(999999)

PACKAGE_FORMATS = (
    "undefined", "letter", "largeLetter", "smallParcel", "mediumParcel", "largeParcel",
    "parcel", "documents",
)  # fmt: skip
DELIVERY_TERMS = ("DDP", "IOSS_DDP", "DDU_DAP", "IOSS_DDU", "DTP", "IOSS_DTP")
CUSTOMS_CATEGORIES = (
    "none", "gift", "commercialSample", "documents", "other", "returnedGoods",
    "commercialSaleOfGoods", "eCommerceSaleOfGoods",
)  # fmt: skip
ORDER_STATUS_VALUES = ("new", "despatchedByOtherCourier", "despatched")
DOCUMENT_TYPES = ("postageLabel", "despatchNote", "CN22", "CN23")

ADDRESS_REQUEST = Obj(
    {
        "fullName": Str(210),
        "companyName": Str(100),
        "addressLine1": Str(100),
        "addressLine2": Str(100),
        "addressLine3": Str(100),
        "city": Str(100),
        "county": Str(100),
        "postcode": Str(20),
        "countryCode": Str(3),
    },
    required=("addressLine1", "city", "countryCode"),
)

RECIPIENT_DETAILS_REQUEST = Obj(
    {
        "address": ADDRESS_REQUEST,
        "phoneNumber": Str(25),
        "emailAddress": Str(254),
        "addressBookReference": Str(100),
    }
)

BILLING_DETAILS_REQUEST = Obj(
    {"address": ADDRESS_REQUEST, "phoneNumber": Str(25), "emailAddress": Str(254)}
)

SENDER_DETAILS_REQUEST = Obj(
    {"tradingName": Str(250), "phoneNumber": Str(25), "emailAddress": Str(254)}
)

DIMENSIONS_REQUEST = Obj(
    {"heightInMms": Int(), "widthInMms": Int(), "depthInMms": Int()},
    required=("heightInMms", "widthInMms", "depthInMms"),
)

PRODUCT_ITEM_REQUEST = Obj(
    {
        "name": Str(800),
        "SKU": Str(100),
        "ReferenceId": Str(50),
        "ContentsPieceURL": Str(250),
        "quantity": Int(1, 999999),
        "unitValue": Money(MAX_MONEY),
        "unitWeightInGrams": Int(0, 999999),
        "customsDescription": Str(50),
        "extendedCustomsDescription": Str(300),
        "customsCode": Str(10),
        "originCountryCode": Str(3),
        "customsDeclarationCategory": Str(enum=CUSTOMS_CATEGORIES),
        "requiresExportLicence": Bool(),
        "stockLocation": Str(50),
        "useOriginPreference": Bool(),
        "supplementaryUnits": Str(17),
        "licenseNumber": Str(41),
        "certificateNumber": Str(41),
    },
    required=("quantity",),
)

SHIPMENT_PACKAGE_REQUEST = Obj(
    {
        "weightInGrams": Int(1, 30000),
        "packageFormatIdentifier": Str(),
        "customPackageFormatIdentifier": Str(),
        "dimensions": DIMENSIONS_REQUEST,
        "contents": Arr(PRODUCT_ITEM_REQUEST),
    },
    required=("weightInGrams", "packageFormatIdentifier"),
)

POSTAGE_DETAILS_REQUEST = Obj(
    {
        "sendNotificationsTo": Str(enum=("sender", "recipient", "billing")),
        "serviceCode": Str(10),
        "carrierName": Str(50),
        "serviceRegisterCode": Str(2),
        "consequentialLoss": Int(0, 10000),
        "receiveEmailNotification": Bool(),
        "receiveSmsNotification": Bool(),
        "guaranteedSaturdayDelivery": Bool(),
        "requestSignatureUponDelivery": Bool(),
        "isLocalCollect": Bool(),
        "safePlace": Str(90),
        "department": Str(150),
        "AIRNumber": Str(50),
        "IOSSNumber": Str(50),
        "requiresExportLicense": Bool(),
        "commercialInvoiceNumber": Str(35),
        "commercialInvoiceDate": DateTime(),
        "recipientEoriNumber": Str(),
    }
)

TAG_REQUEST = Obj({"key": Str(100), "value": Str(100)})

LABEL_GENERATION_REQUEST = Obj(
    {"includeLabelInResponse": Bool(), "includeCN": Bool(), "includeReturnsLabel": Bool()},
    required=("includeLabelInResponse",),
)

IMPORTER = Obj(
    {
        "companyName": Str(100),
        "addressLine1": Str(100),
        "addressLine2": Str(100),
        "addressLine3": Str(100),
        "city": Str(100),
        "postcode": Str(20),
        "country": Str(100),
        "businessName": Str(100),
        "contactName": Str(100),
        "phoneNumber": Str(25),
        "emailAddress": Str(254),
        "vatNumber": Str(15),
        "taxCode": Str(25),
        "eoriNumber": Str(18),
        "isABusiness": Bool(),
    }
)

CREATE_ORDER_REQUEST = Obj(
    {
        "orderReference": Str(40),
        "isRecipientABusiness": Bool(),
        "recipient": RECIPIENT_DETAILS_REQUEST,
        "sender": SENDER_DETAILS_REQUEST,
        "billing": BILLING_DETAILS_REQUEST,
        "packages": Arr(SHIPMENT_PACKAGE_REQUEST),
        "orderDate": DateTime(),
        "plannedDespatchDate": DateTime(),
        "specialInstructions": Str(500),
        "subtotal": Money(MAX_MONEY),
        "shippingCostCharged": Money(MAX_MONEY),
        "otherCosts": Money(MAX_MONEY),
        "customsDutyCosts": Money(Decimal("99999.99")),
        "total": Money(MAX_MONEY),
        "currencyCode": Str(3),
        "deliveryTerm": Str(20, enum=DELIVERY_TERMS),
        "postageDetails": POSTAGE_DETAILS_REQUEST,
        "tags": Arr(TAG_REQUEST),
        "label": LABEL_GENERATION_REQUEST,
        "orderTax": Money(MAX_MONEY),
        "containsDangerousGoods": Bool(),
        "dangerousGoodsUnCode": Str(4),
        "dangerousGoodsDescription": StrOrNumber(500),
        "dangerousGoodsQuantity": Number(),
        "importer": IMPORTER,
    },
    required=("recipient", "orderDate", "subtotal", "shippingCostCharged", "total"),
)

UPDATE_ORDER_STATUS_REQUEST = Obj(
    {
        "orderIdentifier": Int(-(2**31), 2**31 - 1),
        "orderReference": Str(),
        "status": Str(enum=ORDER_STATUS_VALUES),
        "trackingNumber": Str(),
        "despatchDate": DateTime(),
        "shippingCarrier": Str(),
        "shippingService": Str(),
    }
)

RETURN_ADDRESS = Obj(
    {
        "title": Str(25),
        "firstName": Str(150),
        "lastName": Str(150),
        "companyName": Str(250),
        "addressLine1": Str(250),
        "addressLine2": Str(250),
        "addressLine3": Str(250),
        "city": Str(100),
        "county": Str(250),
        "postcode": Str(25),
        "country": Str(50),
        "countryIsoCode": Str(3),
    },
    required=("firstName", "lastName", "addressLine1", "city", "postcode", "country",
              "countryIsoCode"),
)  # fmt: skip

CREATE_RETURN_REQUEST = Obj(
    {
        "service": Obj({"serviceCode": Str(), "serviceRegisterCode": Str()},
                       required=("serviceCode",)),
        "shipment": Obj(
            {
                "shippingAddress": RETURN_ADDRESS,
                "returnAddress": RETURN_ADDRESS,
                "customerReference": Obj({"reference": Str(50)}, required=("reference",)),
            },
            required=("shippingAddress", "returnAddress"),
        ),
    },
    required=("service", "shipment"),
)  # fmt: skip
