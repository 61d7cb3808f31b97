"""Conversations: who may continue one, and the last few turns of each.

Ids are issued by the server only, and each reply carries two tokens that only the browser that
received it holds: ``conversation_token`` (HMAC of the conversation id) continues the
conversation; ``message_token`` (HMAC of the answer's id) gives feedback on that answer or
reports a handoff used. An id without its token (guessed, copied from the dashboard or a log, or
made up) starts a new conversation, or is a 404 for feedback. Tokens are signed with
``ASKCOUNCIL_CONVERSATION_SECRET``, which every replica must share.

Memory is held in the process (least recently used conversations are dropped first); another
replica reads the earlier turns from the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict

from bot.pipeline.context import PastTurn


class Tokens:
    """Signs and checks conversation and message tokens."""

    def __init__(self, secret: str | None) -> None:
        # Without a configured secret, one for this process (and, via its settings, for the
        # workers `askcouncil serve` starts): follow-ups then work within one replica only.
        self._key = (secret or secrets.token_hex(32)).encode()

    def sign(self, kind: str, value: str) -> str:
        digest = hmac.new(self._key, f"{kind}:{value}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def vouches(self, kind: str, value: str | None, token: str | None) -> bool:
        if not value or not token:
            return False
        return hmac.compare_digest(self.sign(kind, value), token)


class ConversationMemory:
    def __init__(self, max_conversations: int, turns_kept: int) -> None:
        self._data: OrderedDict[str, list[PastTurn]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_conversations = max_conversations
        self.turns_kept = turns_kept

    def history(self, conversation_id: str) -> list[PastTurn]:
        with self._lock:
            turns = self._data.get(conversation_id)
            if turns is None:
                return []
            self._data.move_to_end(conversation_id)
            return list(turns)

    def add(self, conversation_id: str, turn: PastTurn) -> None:
        if self.turns_kept == 0:
            return
        with self._lock:
            turns = self._data.setdefault(conversation_id, [])
            turns.append(turn)
            del turns[: -self.turns_kept]
            self._data.move_to_end(conversation_id)
            while len(self._data) > self.max_conversations:
                self._data.popitem(last=False)
