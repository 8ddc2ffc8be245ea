"""Browser origins (scheme://host[:port]) as CORS and WebSocket checks compare them."""

from __future__ import annotations

import re
from collections.abc import Mapping

_ORIGIN = re.compile(r"^(https?)://([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)(:(\d{1,5}))?$")
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_LOCAL = re.compile(r"^https?://(localhost|127\.0\.0\.1)(:\d{1,5})?$")


def origin_problem(origin: object) -> str | None:
    """Why ``origin`` is not an allowed-origin entry, or None when it is one."""
    if not isinstance(origin, str):
        return "origins must be strings like 'https://kinerja.example.go.id'"
    match = _ORIGIN.fullmatch(origin)
    if match is None:
        return (f"{origin!r} is not an origin: write scheme://host[:port] in lowercase, http or https, "
                "without path, query, wildcard or trailing slash")
    port = match.group(7)
    if port is not None and not 0 < int(port) <= 65535:
        return f"{origin!r} has an invalid port"
    return None


def normalize_origin(header: str) -> str:
    """The ``Origin`` header as configured origins are written: lowercase, default port left out."""
    origin = header.strip().lower()
    for scheme, port in _DEFAULT_PORTS.items():
        suffix = f":{port}"
        if origin.startswith(f"{scheme}://") and origin.endswith(suffix):
            return origin[: -len(suffix)]
    return origin


def cross_origin(headers: Mapping[str, str]) -> str | None:
    """The normalized ``Origin`` of a request made from another site's page; None for requests
    without one (server to server, curl) and for pages of the API's own host (compared by host and
    port only, like a TLS-terminating proxy in front of the app would leave them)."""
    raw = headers.get("origin")
    if not raw:
        return None
    origin = normalize_origin(raw)
    host = (headers.get("host") or "").strip().lower()
    if host and origin.split("://", 1)[-1] in _host_variants(host, origin):
        return None
    return origin


def _host_variants(host: str, origin: str) -> set[str]:
    scheme = origin.split("://", 1)[0]
    default = _DEFAULT_PORTS.get(scheme)
    variants = {host}
    if default and host.endswith(f":{default}"):
        variants.add(host[: -len(default) - 1])
    return variants


def is_local_origin(origin: str) -> bool:
    """A page served from this machine (``localhost`` or ``127.0.0.1``, any port): a frontend's
    development server next to the demo."""
    return _LOCAL.fullmatch(origin) is not None
