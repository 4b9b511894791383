"""The REST API under /api/v1/: one NinjaAPI, its routers, and how errors become answers.

Errors a client can act on get their own status: 403 no permission, 404 not found (or not
visible), 409 someone changed the record first, 422 the input does not make sense (with the
model's own Chinese message).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import NinjaAPI

from planwatch.api import assessment, catalogue, data, documents
from planwatch.api.auth import AUTH

api = NinjaAPI(
    title="planwatch API",
    version="1",
    description="计划执行监测接口:计划、指标、目标、任务、数据、任务进展、文档抽取、评估和报告。"
                "认证:`Authorization: Bearer <token>`(`planwatch manage create_token 用户名`)或浏览器登录会话。",
    urls_namespace="api-v1",
    auth=AUTH,
)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "没有权限"}, status=403)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    text = ";".join(f"{'' if k == '__all__' else k + ':'}{' '.join(v)}" for k, v in errors.items())
    return api.create_response(request, {"detail": text, "errors": errors}, status=422)


api.add_router("", catalogue.router)
api.add_router("", data.router)
api.add_router("", documents.router)
api.add_router("", assessment.router)
