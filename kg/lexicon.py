"""jieba segmentation with POS, extended with the rules' generic vocabulary."""
from __future__ import annotations

import logging
import threading
from functools import lru_cache

import jieba
import jieba.posseg

from .model import Token

jieba.setLogLevel(logging.WARNING)
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _base() -> jieba.posseg.POSTokenizer:
    tk = jieba.Tokenizer()
    tk.initialize()
    return jieba.posseg.POSTokenizer(tk)


def word_tag(word: str) -> str | None:
    return _base().word_tag_tab.get(word)


def word_freq(word: str) -> int:
    return _base().tokenizer.FREQ.get(word, 0) or 0


class Lexicon:
    """A POS tokenizer with domain words added; one per rule set."""

    def __init__(self, words: dict[str, str]):
        tk = jieba.Tokenizer()
        tk.initialize()
        for w, tag in sorted(words.items()):
            if len(w) >= 2:
                tk.add_word(w, tag=tag)
        self.pos = jieba.posseg.POSTokenizer(tk)
        self.known = set(words)

    def tokens(self, text: str) -> list[Token]:
        out, pos = [], 0
        with _lock:
            pairs = self.pos.lcut(text, HMM=True)
        for p in pairs:
            w = p.word
            out.append(Token(w, p.flag, pos, pos + len(w)))
            pos += len(w)
        return out

    def in_dictionary(self, word: str) -> bool:
        return bool(self.pos.tokenizer.FREQ.get(word))
