"""ASGI entry point: websockets through Channels, plain HTTP through Django's WSGI handler.

Why not Django's ASGI handler for HTTP: every page here is a sync view, and the ASGI handler
hops threads several times per request (signals, each sync middleware, the view). Measured on
the lab page under uvicorn: 82 requests/s per process through the ASGI handler, 142 through
the WSGI handler on a thread pool (a2wsgi), which runs each request in one thread, start to end.
"""

from __future__ import annotations

import os

from a2wsgi import WSGIMiddleware
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.settings")
django_wsgi_app = get_wsgi_application()

# Imported after Django is set up: routing pulls in models.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import re_path  # noqa: E402

from web.env import envint  # noqa: E402
from web.routing import http_urlpatterns, websocket_urlpatterns  # noqa: E402

# Two threads a process measured best on 2 cores: more only contend for the GIL.
HTTP_THREADS = envint("HTTP_THREADS", "2")

application = ProtocolTypeRouter(
    {
        # Server-sent events stream for as long as a run lasts: served by a consumer on the
        # event loop, not by one of the few WSGI threads; everything else is Django's.
        "http": URLRouter(
            [
                *http_urlpatterns(AuthMiddlewareStack),
                re_path(r"", WSGIMiddleware(django_wsgi_app, workers=HTTP_THREADS)),
            ]
        ),
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
