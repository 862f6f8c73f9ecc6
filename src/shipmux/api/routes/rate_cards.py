"""Rate cards of carrier accounts: replace one whole (CSV or JSON), read it back."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from shipmux.api.deps import Admin, Ctx, Reader
from shipmux.api.errors import PROBLEM_MEDIA_TYPE, ProblemException
from shipmux.api.payloads import parse_json
from shipmux.api.schemas.common import problem_responses
from shipmux.api.schemas.rate_cards import RateCardOut, RateCardRowIn
from shipmux.domain.errors import FieldProblem, ValidationFailed
from shipmux.domain.rate_cards import COLUMNS, RateCardLine, parse_lines, read_csv, write_csv
from shipmux.services.rate_cards import read_rate_card, replace_rate_card, require_account

__all__ = ["router"]

router = APIRouter(prefix="/v1/carrier-accounts/{account_id}/rate-card", tags=["rate cards"])

AccountId = Annotated[str, Path(min_length=1, max_length=40)]

CSV_MEDIA_TYPE = "text/csv"
_CSV_TYPES = frozenset({"text/csv", "application/csv"})
_JSON_TYPES = frozenset({"application/json"})

# The route reads its body itself, so FastAPI cannot list the JSON shape: it is inlined.
_ROW_SCHEMA = {
    "type": "object",
    "required": ["rows"],
    "properties": {
        "rows": {"type": "array", "maxItems": 5000, "items": RateCardRowIn.model_json_schema()}
    },
}
_PUT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The whole card: CSV with the header "
        f'`{",".join(COLUMNS)}`, or JSON `{{"rows": [...]}}` with the same fields.',
        "content": {
            CSV_MEDIA_TYPE: {"schema": {"type": "string"}},
            "application/json": {"schema": _ROW_SCHEMA},
        },
    }
}
_CARD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The card, as JSON or (with `Accept: text/csv`) as CSV",
        "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}},
    },
}
_UNSUPPORTED: dict[int | str, dict[str, Any]] = {
    415: {
        "description": "Neither `text/csv` nor `application/json` (`unsupported_media_type`)",
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
}


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _csv_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")  # spreadsheets often start UTF-8 with a BOM
    except UnicodeDecodeError as exc:
        raise ProblemException(
            400, "malformed_csv", f"the CSV is not UTF-8 text (byte {exc.start})"
        ) from exc


def _json_rows(raw: bytes) -> list[Any]:
    body = parse_json(raw)
    rows = body.get("rows") if isinstance(body, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ValidationFailed(
            [FieldProblem("rows", "type", 'send {"rows": [{...}, ...]} with one object per line')]
        )
    extra = [name for name in body if name != "rows"]
    if extra:
        raise ValidationFailed(
            [FieldProblem(name, "extra_forbidden", "a card holds only 'rows'") for name in extra]
        )
    return rows


def _lines(raw: bytes, media_type: str) -> list[RateCardLine]:
    if media_type in _CSV_TYPES:
        return read_csv(_csv_text(raw))
    if media_type in _JSON_TYPES:
        return parse_lines(_json_rows(raw))
    raise ProblemException(
        415,
        "unsupported_media_type",
        f"send the card as {CSV_MEDIA_TYPE} or application/json (got '{media_type or 'none'}')",
    )


def _wants_csv(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return any(part.split(";")[0].strip() in _CSV_TYPES for part in accept.split(","))


def _answer(request: Request, account_id: str, lines: list[RateCardLine]) -> Response:
    if _wants_csv(request):
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", account_id)
        return Response(
            write_csv(lines),
            media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="rate-card-{safe}.csv"'},
        )
    card = RateCardOut.of(account_id, lines)
    return Response(card.model_dump_json(), media_type="application/json")


@router.put(
    "",
    name="replace_rate_card",
    operation_id="replaceRateCard",
    response_model=RateCardOut,
    responses={
        **_CARD_RESPONSES,
        **problem_responses(400, 401, 403, 404, 413, 422),
        **_UNSUPPORTED,
    },
    openapi_extra=_PUT_BODY,
)
async def replace(request: Request, ctx: Ctx, principal: Admin, account_id: AccountId) -> Response:
    raw = await request.body()
    media_type = _media_type(request)

    def store() -> list[RateCardLine]:
        # Parsing a few thousand lines and the write both run off the event loop.
        require_account(ctx.db, principal.tenant_id, account_id)
        lines = _lines(raw, media_type)
        return replace_rate_card(ctx.db, principal.tenant_id, account_id, lines)

    return _answer(request, account_id, await run_in_threadpool(store))


@router.get(
    "",
    name="get_rate_card",
    operation_id="getRateCard",
    response_model=RateCardOut,
    responses={**_CARD_RESPONSES, **problem_responses(401, 403, 404, 422)},
)
def get(request: Request, ctx: Ctx, principal: Reader, account_id: AccountId) -> Response:
    return _answer(request, account_id, read_rate_card(ctx.db, principal.tenant_id, account_id))
