"""Security headers on every response.

The Content-Security-Policy allows scripts, styles, images and fetches from this app only:
no inline script or style, so site text that slipped into markup could not run. An online
tile layer, when configured, adds its one origin to ``img-src``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response


def init_app(app: Flask) -> None:
    headers = list(security_headers(tile_url=app.config.get("TILE_URL", "")).items())

    @app.after_request
    def _add_headers(response: Response) -> Response:
        # No view sets these itself, so they are appended without a lookup each (a
        # per-header setdefault cost ~20 µs per response on the API's hot path).
        response.headers.extend(headers)
        return response


def security_headers(*, tile_url: str = "") -> dict[str, str]:
    img_src = "'self' data:"
    if tile_url:
        parts = urlsplit(tile_url)
        # Leaflet's {s} placeholder spreads tiles over subdomains: allow them all.
        img_src += f" {parts.scheme}://{parts.netloc.replace('{s}', '*')}"
    policy = "; ".join((
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src {img_src}",
        "connect-src 'self'",
        "font-src 'none'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "geolocation=(self), camera=(), microphone=(), payment=(), usb=()",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    }
