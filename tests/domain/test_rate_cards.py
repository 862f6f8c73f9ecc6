"""Rate cards: the CSV format, its rules named by line and column, and pricing an order."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from shipmux.domain.errors import ValidationFailed
from shipmux.domain.rate_cards import (
    estimated_delivery,
    parse_lines,
    price_order,
    read_csv,
    write_csv,
)
from tests.factories import make_address, make_order

EXAMPLE = Path(__file__).parents[2] / "examples" / "rate-cards" / "click-and-drop.csv"
HEADER = (
    "service_code,service_name,destinations,max_weight_grams,price,price_ex_vat,currency,"
    "transit_days,collection,extras\n"
)


def _problems(text: str) -> set[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as caught:
        read_csv(text)
    return {(p.field, p.rule) for p in caught.value.problems}


def test_the_example_card_reads_and_writes_back_unchanged() -> None:
    lines = read_csv(EXAMPLE.read_text())
    assert len(lines) == 23
    assert read_csv(write_csv(lines)) == lines
    sd1 = next(line for line in lines if line.service_code == "SD1")
    assert (sd1.price, sd1.price_ex_vat, sd1.extras) == (
        Decimal("8.25"),
        Decimal("6.88"),
        ("Signature",),
    )


def test_an_order_gets_the_cheapest_fitting_band_of_each_service() -> None:
    lines = read_csv(EXAMPLE.read_text())
    light = price_order(lines, make_order(packages=[{"weight_grams": 500}]))
    by_code = {r.service_code: r.price for r in light}
    assert by_code == {
        "CRL48": Decimal("2.15"),
        "CRL24": Decimal("2.75"),
        "TPS48": Decimal("3.55"),
        "TPN24": Decimal("4.45"),
        "SD1": Decimal("8.25"),
    }
    assert light[0].service_code == "CRL48"  # cheapest first


def test_the_total_weight_of_every_package_picks_the_band() -> None:
    lines = read_csv(EXAMPLE.read_text())
    order = make_order(packages=[{"weight_grams": 1500}, {"weight_grams": 1500}])
    by_code = {r.service_code: r.price for r in price_order(lines, order)}
    assert by_code["TPN24"] == Decimal("7.75")  # 3 kg: the 10 kg band
    too_heavy = make_order(packages=[{"weight_grams": 15_000}, {"weight_grams": 6_000}])
    assert price_order(lines, too_heavy) == []


def test_destinations_decide_which_lines_apply() -> None:
    lines = read_csv(EXAMPLE.read_text())
    german = make_order(recipient=make_address(country="DE", postcode="10117"))
    assert {r.service_code for r in price_order(lines, german)} == {"OLA", "MTC", "OTC"}
    nowhere = make_order(recipient=make_address(country="BR", postcode="01000-000"))
    assert price_order(lines, nowhere) == []
    everywhere = read_csv(HEADER + "X,Anywhere,*,1000,1.00,0.83,GBP,,drop_off,\n")
    assert [r.service_code for r in price_order(everywhere, nowhere)] == ["X"]


def test_every_bad_cell_is_named_by_line_column_and_rule() -> None:
    text = (
        HEADER
        + "TPN24,Tracked 24,GB,2000,4.45,3.71,GBP,1,drop_off,\n"
        + "TPN24,,GB XX,-5,abc,3.71,GBX,one,van,Sms!\n"
        + "\n"  # blank lines are skipped, and do not shift the numbers
        + "TPS48,Tracked 48,GB,2000,3.00,3.50,GBP,2,drop_off,\n"
    )
    assert _problems(text) == {
        ("line[3].service_name", "required"),
        ("line[3].destinations", "country"),
        ("line[3].max_weight_grams", "range"),
        ("line[3].price", "decimal"),
        ("line[3].currency", "currency"),
        ("line[3].transit_days", "integer"),
        ("line[3].collection", "enum"),
        ("line[3].extras", "pattern"),
        ("line[5].price_ex_vat", "le_price"),
    }


def test_header_and_shape_problems_are_named() -> None:
    assert _problems("service_code,price,colour\nA,1,red\n") >= {
        ("header", "required"),
        ("header", "extra_forbidden"),
    }
    assert _problems(HEADER + "A,B,GB,1,1,1,GBP,1,drop_off,,surplus\n") == {("line[2]", "columns")}


def test_a_duplicate_band_is_refused() -> None:
    row = "TPN24,Tracked 24,GB,2000,4.45,3.71,GBP,1,drop_off,\n"
    assert _problems(HEADER + row + row) == {("line[3].service_code", "unique")}


def test_money_keeps_two_places_and_no_more() -> None:
    assert _problems(HEADER + "A,B,GB,1,1.005,1,GBP,,drop_off,\n") == {
        ("line[2].price", "decimal_places")
    }
    [line] = read_csv(HEADER + "A,B,gb,1,4,3.5,gbp,,collection,\n")
    assert (line.price, line.price_ex_vat, line.currency, line.destinations) == (
        Decimal("4.00"),
        Decimal("3.50"),
        "GBP",
        ("GB",),
    )
    assert line.collection == "collection"


def test_json_rows_take_lists_and_numbers() -> None:
    [line] = parse_lines(
        [
            {
                "service_code": "OTC",
                "service_name": "International Tracked & Signed",
                "destinations": ["de", "FR"],
                "max_weight_grams": 2000,
                "price": Decimal("16.10"),
                "price_ex_vat": 13.42,
                "currency": "GBP",
                "collection": "drop_off",
                "extras": ["Signature"],
            }
        ]
    )
    assert (line.destinations, line.extras, line.transit_days) == (
        ("DE", "FR"),
        ("Signature",),
        None,
    )
    with pytest.raises(ValidationFailed) as caught:
        parse_lines([{"service_code": "A", "colour": "red"}])
    fields = {p.field for p in caught.value.problems}
    assert {"rows[0].colour", "rows[0].price", "rows[0].destinations"} <= fields


def test_delivery_counts_working_days() -> None:
    friday = date(2026, 3, 6)
    assert estimated_delivery(friday, 1) == date(2026, 3, 9)  # Monday
    assert estimated_delivery(friday, 0) == friday
    assert estimated_delivery(date(2026, 3, 2), 2) == date(2026, 3, 4)
