from audit import context


class AccessContextMiddleware:
    """Gives each request an id (echoed in X-Request-ID) that ties its access events together."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = context.new_request_id()
        # REMOTE_ADDR is the peer; behind a reverse proxy, the proxy must set it (docs/).
        token = context.bind(
            context.AccessContext(
                request_id=request.request_id,
                client_address=request.META.get("REMOTE_ADDR") or None,
            )
        )
        try:
            response = self.get_response(request)
        finally:
            context.unbind(token)
        response["X-Request-ID"] = request.request_id
        return response
