"""Reading the POST /v1/orders body ourselves: JSON with exact decimals, then its envelope.

FastAPI would answer one 422 for the whole body; intake instead answers per order,
so the route takes raw bytes and only the envelope (one order or ``{"orders": [...]}``)
is checked here.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from shipmux.api.errors import ProblemException
from shipmux.domain.errors import FieldProblem, ValidationFailed

__all__ = ["parse_json", "split_orders"]


class _NotJson(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON value")


def _malformed(detail: str, line: int | None = None, column: int | None = None) -> ProblemException:
    where: dict[str, Any] = {"line": line, "column": column} if line is not None else {}
    return ProblemException(400, "malformed_json", detail, **where)


def parse_json(raw: bytes) -> Any:
    """The body as JSON; money keeps the digits the client sent (``Decimal``, not float)."""
    try:
        return json.loads(raw, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise _malformed(
            f"the body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            exc.lineno,
            exc.colno,
        ) from exc
    except UnicodeDecodeError as exc:
        raise _malformed(f"the body is not UTF-8 text (byte {exc.start})") from exc
    except _NotJson as exc:
        raise _malformed(f"the body is not valid JSON: {exc}") from exc
    except RecursionError as exc:
        raise _malformed("the body is not valid JSON: nested too deeply") from exc


def split_orders(body: Any, max_batch: int) -> tuple[list[Any], bool]:
    """The raw orders of the body, and whether it was a batch; raise if the envelope is wrong."""
    if not isinstance(body, dict):
        raise ValidationFailed(
            [FieldProblem("body", "type", 'must be an order object or {"orders": [...]}')]
        )
    if "orders" not in body:
        return [body], False
    orders = body["orders"]
    problems = [
        FieldProblem(name, "extra_forbidden", "a batch holds only 'orders'")
        for name in body
        if name != "orders"
    ]
    if not isinstance(orders, list):
        problems.append(FieldProblem("orders", "type", "must be a list of orders"))
    elif not orders:
        problems.append(FieldProblem("orders", "min_items", "must hold at least one order"))
    elif len(orders) > max_batch:
        problems.append(
            FieldProblem(
                "orders", "max_items", f"at most {max_batch} orders per request (got {len(orders)})"
            )
        )
    if problems:
        raise ValidationFailed(problems)
    return orders, True
