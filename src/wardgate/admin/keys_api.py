"""``/admin/v1/keys``: create, list, show, revoke, rotate API keys."""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from wardgate.audit.request_event import admin_event
from wardgate.auth.key_admin import KeySpec, describe
from wardgate.config.models import Limits
from wardgate.context import RequestContext
from wardgate.errors import BadRequestError
from wardgate.http import parse_json_object, read_body, send_json
from wardgate.services import Services
from wardgate.storage.base import KeyRecord
from wardgate.types import JSONObject, Receive, Send

_MAX_ADMIN_BODY = 64 * 1024
M = TypeVar("M", bound=BaseModel)


class CreateKey(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    role: Literal["user", "admin", "auditor"] = "user"
    owner: str | None = Field(default=None, max_length=200)
    team: str | None = Field(default=None, max_length=200)
    allowed_models: tuple[str, ...] = Field(default=("*",), max_length=1000)
    allowed_tools: tuple[str, ...] = Field(default=(), max_length=1000)
    limits: Limits | None = None
    expires_at: AwareDatetime | None = None


class RotateKey(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    grace_seconds: int = Field(default=0, ge=0, le=30 * 86_400)


def _validate(model: type[M], body: bytes) -> M:
    data = parse_json_object(body) if body.strip() else {}
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or None
        raise BadRequestError(f"Invalid request: {first['msg']}.", code="invalid_request", param=where) from None


async def list_keys(svc: Services, ctx: RequestContext, receive: Receive, send: Send) -> None:
    await send_json(send, 200, {"object": "list", "data": [describe(r) for r in svc.keys.list()]})


async def create_key(svc: Services, ctx: RequestContext, receive: Receive, send: Send) -> None:
    req = _validate(CreateKey, await read_body(receive, ctx.request, _MAX_ADMIN_BODY))
    issued = svc.keys.create(KeySpec(**dict(req)))  # dict(): keep nested models (limits) as models
    await _record(svc, ctx, "key.create", issued.record)
    await send_json(send, 201, {**describe(issued.record), "key": issued.key})


async def show_key(svc: Services, ctx: RequestContext, receive: Receive, send: Send) -> None:
    await send_json(send, 200, describe(svc.keys.get(ctx.path_params["key_id"])))


async def revoke_key(svc: Services, ctx: RequestContext, receive: Receive, send: Send) -> None:
    record = svc.keys.revoke(ctx.path_params["key_id"])
    await _record(svc, ctx, "key.revoke", record)
    await send_json(send, 200, describe(record))


async def rotate_key(svc: Services, ctx: RequestContext, receive: Receive, send: Send) -> None:
    req = _validate(RotateKey, await read_body(receive, ctx.request, _MAX_ADMIN_BODY))
    issued = svc.keys.rotate(ctx.path_params["key_id"], grace_seconds=req.grace_seconds)
    await _record(svc, ctx, "key.rotate", issued.record, {"grace_seconds": req.grace_seconds})
    await send_json(send, 200, {**describe(issued.record), "key": issued.key})


async def _record(
    svc: Services, ctx: RequestContext, action: str, key: KeyRecord, extra: JSONObject | None = None
) -> None:
    """The admin action's own audit record (the request's record says who called; this one says what changed)."""
    if svc.audit is not None:
        details: JSONObject = {"name": key.name, "owner": key.owner, "team": key.team, "role": key.role}
        details.update(extra or {})
        await svc.audit.append(admin_event(ctx.require_principal(), action, key.key_id, details))
