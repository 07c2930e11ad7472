"""Logging in and out. The login form carries a one-time token also set in a short-lived
cookie (a login CSRF guard: another site cannot log a browser into an account of its
choosing); a successful login starts a session (``web.sessions``) and is audited, as is a
failed one."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from scrutiny.web.accounts import audit, authenticate
from scrutiny.web.app import Who, bench, local_path, need, render
from scrutiny.web.sessions import COOKIE, LOGIN_COOKIE, Sessions, same

router = APIRouter()


def _cookie(request: Request, response: Response, name: str, value: str, max_age: int
            ) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict",
                        secure=bool(request.app.state.secure_cookies), path="/")


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    nonce = secrets.token_urlsafe(24)
    response = render(request, None, "login.html.j2", nonce=nonce, next=local_path(next),
                      failed=False)
    _cookie(request, response, LOGIN_COOKIE, nonce, 1800)
    return response


@router.post("/login")
def login(request: Request, name: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=1024)],
          csrf: Annotated[str, Form(max_length=100)] = "",
          next: Annotated[str, Form(max_length=2000)] = "/") -> Response:
    if not same(csrf, request.cookies.get(LOGIN_COOKIE)):
        raise HTTPException(403, "the login form has expired: reload the page and try again")
    sessions: Sessions = request.app.state.sessions
    db = bench(request).reader().db
    name = name.strip()
    user = None if sessions.locked(name) else authenticate(db, name, password)
    if user is None:
        sessions.failed(name)
        audit(db, name[:64], "login-failed", None, {"client": _client(request)})
        nonce = secrets.token_urlsafe(24)
        page = render(request, None, "login.html.j2", status_code=401, nonce=nonce,
                      next=local_path(next), failed=True)
        _cookie(request, page, LOGIN_COOKIE, nonce, 1800)
        return page
    session = sessions.start(user.name)
    audit(db, user.name, "login", None, {"client": _client(request)})
    response = RedirectResponse(local_path(next), status_code=303)
    _cookie(request, response, COOKIE, session.token, int(sessions.lifetime))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, who: Annotated[Who, Depends(need("read"))]) -> Response:
    request.app.state.sessions.end(who.session.token)
    audit(bench(request).reader().db, who.user, "logout")
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"
