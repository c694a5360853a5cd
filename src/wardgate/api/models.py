"""``GET /v1/models``: only the models the caller may use."""

from __future__ import annotations

from wardgate.context import RequestContext
from wardgate.http import send_json
from wardgate.proxy.forward import get_json
from wardgate.services import Services
from wardgate.types import JSONObject, Receive, Send


async def list_models(svc: Services, ctx: RequestContext, receive: Receive, send: Send) -> None:
    principal = ctx.require_principal()
    seen: dict[str, JSONObject] = {
        name: {"id": name, "object": "model", "created": 0, "owned_by": "wardgate"}
        for name in svc.upstreams.alias_names()
    }
    passthrough = svc.upstreams.passthrough
    if passthrough is not None:
        answer = await get_json(passthrough, "/models", ctx.request_id)
        data = answer.body.get("data")
        for item in data if isinstance(data, list) else ():
            if isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"] not in seen:
                seen[item["id"]] = {
                    "id": item["id"],
                    "object": "model",
                    "created": item.get("created", 0) if isinstance(item.get("created"), int) else 0,
                    "owned_by": str(item.get("owned_by", passthrough.name))[:64],
                }
    allowed = [entry for name, entry in seen.items() if principal.may_use_model(name)]
    await send_json(send, 200, {"object": "list", "data": allowed})
