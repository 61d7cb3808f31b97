"""Server-side conversation memory: the last few turns of each conversation, bounded in size.

Held in the process (least recently used conversations are dropped first). Several bot replicas
need sticky sessions for follow-ups until this moves to a shared store.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from bot.pipeline.context import PastTurn


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
