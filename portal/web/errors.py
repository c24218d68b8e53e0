"""Chinese error pages. Bad input is a 4xx with a clear message, never a 500."""

from __future__ import annotations

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("请求有误", "提交的内容无法处理，请检查后重试。"),
    403: ("无权访问", "您没有访问此页面的权限。"),
    404: ("页面不存在", "您访问的页面不存在或已被移除。"),
    405: ("请求方式不允许", "此页面不接受该请求方式。"),
    413: ("文件过大", "上传的内容超过了允许的大小。"),
    429: ("请求过于频繁", "您的操作过于频繁，请稍后再试。"),
    500: ("服务器错误", "服务器暂时无法处理您的请求，请稍后再试。"),
}


def render_error(code: int, detail: str | None = None) -> tuple[str, int]:
    title, message = MESSAGES.get(code, (f"错误 {code}", "请求未能完成。"))
    return render_template("errors/error.html", code=code, title=title, message=detail or message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> HTTPException | tuple[str, int]:
        if exc.code is None or exc.code < 400:
            return exc
        # An area that answers in JSON (the API) also for URLs no route of it matched (404, 405).
        for prefix, handler in app.extensions.get("error_handlers_by_prefix", {}).items():
            if request.path.startswith(prefix):
                return handler(exc)
        detail = exc.description if getattr(exc, "chinese", False) else None
        return render_error(exc.code, detail)
