"""Dependencies for the routes, as named Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from askcouncil.settings import Settings
from bot.admin.auth import require_session
from bot.chat import Bot


def _bot(request: Request) -> Bot:
    return request.app.state.bot


def _settings(request: Request) -> Settings:
    return request.app.state.settings


BotDep = Annotated[Bot, Depends(_bot)]
SettingsDep = Annotated[Settings, Depends(_settings)]
# A dashboard page: the signed-in session's nonce, else a redirect to /admin/login.
AdminSession = Annotated[str, Depends(require_session)]
