"""Dependencies for the routes, as named Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from askcouncil.settings import Settings
from bot.admin.auth import require_session
from bot.admin.reports import GapReports
from bot.chat import Bot


def _bot(request: Request) -> Bot:
    return request.app.state.bot


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _gap_reports(request: Request) -> GapReports:
    return request.app.state.gap_reports


BotDep = Annotated[Bot, Depends(_bot)]
SettingsDep = Annotated[Settings, Depends(_settings)]
# A dashboard page: the signed-in session's nonce, else a redirect to /admin/login.
AdminSession = Annotated[str, Depends(require_session)]
GapReportsDep = Annotated[GapReports, Depends(_gap_reports)]  # the app's gap reports, kept a while
