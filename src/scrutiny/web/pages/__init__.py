"""The workbench's pages, one module per part (each an ``APIRouter``)."""

from __future__ import annotations

from fastapi import APIRouter

from scrutiny.web.pages import admin, evidence, ledger, login, overview, records, reports, review

ROUTERS: list[APIRouter] = [login.router, overview.router, evidence.router, records.router,
                            review.router, ledger.router, reports.router, admin.router]
