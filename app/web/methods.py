"""HTTP methods across the routes (RFC 9110 section 9): HEAD wherever GET is, OPTIONS on every resource, and
an `Allow` header that names every method the resource takes.

FastAPI, unlike Starlette, does not answer HEAD on a GET route, and Starlette's 405 names the methods of the
first route whose path matches only (so `/sparql`, served by a GET and a POST route, said `Allow: HEAD`).
"""

from __future__ import annotations

import copy

from fastapi import FastAPI
from fastapi.routing import APIRoute, APIRouter
from starlette.routing import Match, Mount
from starlette.types import Scope

METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH")  # the order `Allow` lists them in, OPTIONS last


def add_head_routes(router: APIRouter) -> None:
    """A HEAD twin (left out of OpenAPI) for every GET route of `router`: the same handler, whose body the server
    drops. Call it before the router is included; the twins keep the routes' order, so HEAD reaches the route GET
    does. Calling it again adds nothing."""
    heads = {route.path for route in router.routes if isinstance(route, APIRoute) and "HEAD" in (route.methods or ())}
    for route in list(router.routes):
        if isinstance(route, APIRoute) and "GET" in (route.methods or ()) and route.path not in heads:
            # A copy shares what FastAPI built for the GET route (its parameters, response field and handler) rather
            # than building it all again: 0.12 s of every start for the service's routes.
            twin = copy.copy(route)
            twin.methods = {"HEAD"}
            twin.include_in_schema = False
            router.routes.append(twin)


def allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """The methods some route of `app` takes at the request's path, OPTIONS included; empty when no route has the path."""
    found: set[str] = set()
    # Inside a mount (static files) the scope's root_path has grown by the mount's path; match from the app's own.
    scope = {**scope, "root_path": scope.get("app_root_path", scope.get("root_path", ""))}
    for route in app.router.routes:
        if isinstance(route, Mount):  # static files: GET and HEAD only
            if route.matches(scope)[0] is not Match.NONE:
                found |= {"GET", "HEAD"}
            continue
        found |= {method for method in METHODS if route.matches({**scope, "method": method})[0] is Match.FULL}
    return [*(m for m in METHODS if m in found), "OPTIONS"] if found else []
