"""Segmentation with POS, extended with the rules' generic vocabulary.

Tokenizes with rjieba (jieba-rs: jieba's dictionary, user-word format and tag set,
compiled) when it is installed, else with jieba's own posseg. jieba's dictionary is
also loaded for look-ups (a word's dictionary tag and frequency).
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from types import ModuleType

import jieba
import jieba.posseg

from .model import Token

jieba.setLogLevel(logging.WARNING)
_lock = threading.Lock()
# The tokens of at most this many characters of text are cached (about 100 bytes a character:
# a Token and its word); past it the cache starts afresh. A document is tokenized in three
# passes (mentions, known names, relations): one of up to this size is tokenized once.
CACHE_CHARS = 300_000

rjieba: ModuleType | None
try:  # the compiled engine
    import rjieba
except ImportError:  # pragma: no cover - exercised where rjieba is missing
    rjieba = None


@lru_cache(maxsize=1)
def _base() -> jieba.posseg.POSTokenizer:
    tk = jieba.Tokenizer()
    tk.initialize()
    return jieba.posseg.POSTokenizer(tk)


def word_tag(word: str) -> str | None:
    return _base().word_tag_tab.get(word)


def word_freq(word: str) -> int:
    return _base().tokenizer.FREQ.get(word, 0) or 0


def engine_name(use_rjieba: bool | None = None) -> str:
    return "rjieba" if (rjieba is not None and use_rjieba is not False) else "jieba"


class Lexicon:
    """A POS tokenizer with domain words added; one per rule set."""

    def __init__(
        self, words: dict[str, str], use_rjieba: bool | None = None, splits: list[tuple[str, str]] | None = None
    ):
        tk = jieba.Tokenizer()
        tk.initialize()
        self.fast = None
        if rjieba is not None and use_rjieba is not False:
            self.fast = rjieba.Jieba()
        for w, tag in sorted(words.items()):
            if len(w) >= 2:
                tk.add_word(w, tag=tag)
                if self.fast is not None:
                    self.fast.add_word(w, None, tag)
        self.pos = jieba.posseg.POSTokenizer(tk)
        self.engine = "rjieba" if self.fast is not None else "jieba"
        self._cache: dict[str, list[Token]] = {}
        self._cached_chars = 0

    def _pairs(self, text: str) -> list[tuple[str, str]]:
        if self.fast is not None:
            return self.fast.tag(text, True)
        with _lock:
            return [(p.word, p.flag) for p in self.pos.lcut(text, HMM=True)]

    def tokens(self, text: str) -> list[Token]:
        """Tokens with offsets into ``text``; repeated texts are served from a small cache."""
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        out, pos = [], 0
        for w, flag in self._pairs(text):
            out.append(Token(w, flag, pos, pos + len(w)))
            pos += len(w)
        if len(self._cache) > 20000 or self._cached_chars + len(text) > CACHE_CHARS:
            self._cache.clear()
            self._cached_chars = 0
        self._cache[text] = out
        self._cached_chars += len(text)
        return out

    def in_dictionary(self, word: str) -> bool:
        return bool(self.pos.tokenizer.FREQ.get(word))
