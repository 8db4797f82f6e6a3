from audit import context
from audit.services import record_denied


class AccessContextMiddleware:
    """Ties a request's access events together by its id (config.middleware.RequestIdMiddleware),
    and writes the attempt it was refused, if any: after the view, outside the request's
    transaction, which a refusal rolls back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # REMOTE_ADDR is the peer; behind a reverse proxy, the proxy must set it (docs/).
        ctx = context.AccessContext(
            request_id=request.request_id,
            client_address=request.META.get("REMOTE_ADDR") or None,
        )
        token = context.bind(ctx)
        try:
            response = self.get_response(request)
            if ctx.denied is not None and response.status_code in (403, 404):
                record_denied(actor=getattr(request, "user", None), denied=ctx.denied)
        finally:
            context.unbind(token)
        return response
