"""Enumerate the project's URL patterns, so that access rules apply to views not yet written."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"
    route: str
    kwargs: frozenset[str]

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")


def routes(resolver: URLResolver | None = None, prefix="", namespace="", kwargs=frozenset()):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        names = kwargs | frozenset(entry.pattern.converters)
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from routes(entry, route, ns, names)
        elif isinstance(entry, URLPattern) and entry.name:
            yield Route(f"{namespace}:{entry.name}" if namespace else entry.name, route, names)
