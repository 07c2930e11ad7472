"""The web workbench's application: ``create_app(workbench)``.

Every page needs a login (:func:`need`); ``/login`` and the package's own static files
(CSS, htmx, the keyboard script) are the only exceptions. A page a user may not see answers
401 (or sends a browser to the login page); an action their role does not allow answers
403; a form without this session's CSRF token, or posted from another origin, answers 403
and changes nothing. Every response carries a Content-Security-Policy that allows scripts,
styles and images from this server only, so nothing is loaded from outside and text from
the leak cannot run as script even if it reached a page unescaped (templates autoescape).

The pages live in ``web.pages``, one module per part of the workbench, each calling the
same library functions the command line uses.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import jinja2
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from scrutiny import __version__
from scrutiny.core import ScrutinyError
from scrutiny.store import catalog
from scrutiny.web.accounts import allowed, list_users
from scrutiny.web.sessions import COOKIE, Session, Sessions, same
from scrutiny.web.workbench import Workbench

T = TypeVar("T")
CACHE_ENTRIES = 1024
HERE = Path(__file__).parent
HTMX = "htmx-2.0.11.min.js"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY"),
           (b"cross-origin-opener-policy", b"same-origin"),
           (b"cross-origin-resource-policy", b"same-origin")]
PUBLIC = ("/login", "/static/")
NAV = (("/", "Overview", "overview"), ("/evidence", "Evidence", "evidence"),
       ("/records", "Records", "records"), ("/review", "Review", "review"),
       ("/ledger", "Ledger", "ledger"), ("/report", "Report & exports", "report"))


@dataclass(frozen=True)
class Who:
    """The logged-in user of a request."""

    user: str
    role: str
    session: Session

    def may(self, action: str) -> bool:
        return allowed(self.role, action)

    @property
    def csrf(self) -> str:
        return self.session.csrf


class LoginRequired(Exception):
    pass


class SecurityHeaders:
    """ASGI middleware adding :data:`HEADERS` (and no-store for case pages)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in HEADERS if k not in present]
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def templates() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        auto_reload=False)
    env.filters["num"] = lambda n: f"{int(n):,}" if n is not None else "–"
    env.filters["size"] = _size
    env.filters["short"] = lambda s, n=12: (s or "")[:n]
    env.filters["url"] = lambda s: quote(str(s), safe="")
    env.globals.update(version=__version__, htmx=HTMX, nav=NAV)
    return env


def _size(n: int | None) -> str:
    if n is None:
        return "–"
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def bench(request: Request) -> Workbench:
    return request.app.state.bench  # type: ignore[no-any-return]


class Cache:
    """Values kept until the case changes: case-wide counts take a scan of a million rows,
    and the first pages of a list are asked for again and again, yet both change only with
    a custody event, whose sequence number is part of each entry. The least recently used
    entries go first beyond :data:`CACHE_ENTRIES`."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, name: str, seq: int) -> tuple[bool, Any]:
        with self._lock:
            hit = self._entries.get(name)
            if hit is None or hit[0] != seq:
                return False, None
            self._entries.move_to_end(name)
            return True, hit[1]

    def put(self, name: str, seq: int, value: Any) -> None:
        with self._lock:
            self._entries[name] = (seq, value)
            self._entries.move_to_end(name)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


def cached(request: Request, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, kept under ``name`` until the next custody event (see :class:`Cache`;
    the custody head is read once per request)."""
    seq: int | None = getattr(request.state, "head_seq", None)
    if seq is None:
        seq = catalog.get_head(bench(request).reader().db).seq
        request.state.head_seq = seq
    cache: Cache = request.app.state.cache
    found, value = cache.get(name, seq)
    if found:
        return value  # type: ignore[no-any-return]
    value = compute()
    cache.put(name, seq, value)
    return value


def render(request: Request, who: Who | None, template: str, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    """A page from ``templates/`` with what every page needs (user, CSRF token, nav)."""
    env: jinja2.Environment = request.app.state.templates
    html = env.get_template(template).render(
        who=who, csrf=who.csrf if who else "", path=request.url.path,
        case_id=bench(request).case_id, encrypted=bench(request).encrypted,
        query=dict(request.query_params), **context)
    return HTMLResponse(html, status_code=status_code)


def _origin_ok(request: Request) -> bool:
    """Whether a change comes from a page of this server. Browsers send ``Origin`` with
    every POST; the pages' referrer policy (same-origin) keeps it real for this server's own
    forms, so an opaque ``null`` origin (a sandboxed frame, a privacy context) is refused.
    A client that sends neither Origin nor Referer (a script) still needs the CSRF token."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


async def _posted_token(request: Request) -> str | None:
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get("csrf")
        return value if isinstance(value, str) else None
    return None


def need(action: str) -> Callable[[Request], Awaitable[Who]]:
    """A dependency: the logged-in user, allowed to do ``action`` (see
    ``accounts.allowed``); a change (any method but GET/HEAD) also needs this session's
    CSRF token (form field ``csrf`` or header ``X-CSRF-Token``) and a same-origin request."""

    async def dependency(request: Request) -> Who:
        sessions: Sessions = request.app.state.sessions
        session = sessions.get(request.cookies.get(COOKIE))
        if session is None:
            raise LoginRequired()
        # accounts change only with a custody event (user-changed): kept until the next one
        users = cached(request, "users", lambda: {u.name: u for u in
                                                  list_users(bench(request).reader().db)})
        user = users.get(session.user)
        if user is None or user.disabled:
            sessions.end_user(session.user)
            raise LoginRequired()
        who = Who(user.name, user.role, session)
        if request.method not in ("GET", "HEAD"):
            if not _origin_ok(request):
                raise HTTPException(403, "this form was sent from another site")
            if not same(await _posted_token(request), session.csrf):
                raise HTTPException(403, "this form has expired or did not come from this "
                                         "workbench: reload the page and try again")
        if not who.may(action):
            raise HTTPException(403, f"your role ({who.role}) may not {action.replace('-', ' ')}")
        return who

    return dependency


def local_path(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this server (no scheme, no host), else ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


def _wants_page(request: Request) -> bool:
    """Whether a browser asks for a page (not htmx, not a script asking for data)."""
    return ("hx-request" not in request.headers
            and "text/html" in request.headers.get("accept", "text/html"))


def create_app(workbench: Workbench, *, secure_cookies: bool = False) -> FastAPI:
    """The workbench over ``workbench`` (``secure_cookies``: behind HTTPS)."""
    from scrutiny.web.pages import ROUTERS

    app = FastAPI(title="scrutiny", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.bench = workbench
    app.state.sessions = Sessions()
    app.state.templates = templates()
    app.state.cache = Cache(CACHE_ENTRIES)
    app.state.secure_cookies = secure_cookies
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if request.method in ("GET", "HEAD") and _wants_page(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        return Response("log in first", status_code=401, media_type="text/plain",
                        headers={"hx-redirect": "/login"})

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_input(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'input'}: {e.get('msg', '')}"
            for e in exc.errors()[:5])
        return _error(request, 422, f"this request has a value the page cannot use: "
                                    f"{problems}")

    @app.exception_handler(ScrutinyError)
    async def scrutiny_error(request: Request, exc: ScrutinyError) -> Response:
        busy = "another scrutiny process is writing" in str(exc)
        return _error(request, 409 if busy else 400, str(exc))

    return app


def _error(request: Request, status: int, message: str,
           headers: Mapping[str, str] | None = None) -> Response:
    if not _wants_page(request):
        return Response(message, status_code=status, media_type="text/plain",
                        headers=dict(headers or {}))
    response = render(request, None, "error.html.j2", status_code=status, status=status,
                      message=message)
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response

