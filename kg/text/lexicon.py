"""Segmentation with POS, extended with the rules' generic vocabulary.

Tokenizes with rjieba (jieba-rs: jieba's dictionary, user-word format and tag set,
compiled) when it is installed, else with jieba's own posseg. Look-ups (a word's
dictionary tag and frequency) read jieba's ``dict.txt`` once per process into one
table (0.3 CPU-s), not jieba's prefix dictionary and tag table (1.9 CPU-s each time).
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import jieba

from ..model import Token

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
def _dictionary() -> dict[str, tuple[int, str]]:
    """jieba's main dictionary: word -> (frequency, tag)."""
    out: dict[str, tuple[int, str]] = {}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                out[parts[0]] = (int(parts[1]), parts[2])
    return out


def word_tag(word: str) -> str | None:
    entry = _dictionary().get(word)
    return entry[1] if entry else None


def word_freq(word: str) -> int:
    entry = _dictionary().get(word)
    return entry[0] if entry else 0


def engine_name(use_rjieba: bool | None = None) -> str:
    return "rjieba" if (rjieba is not None and use_rjieba is not False) else "jieba"


DATE_UNITS = "年月日号"
DATELINE_ENDS = "讯电"


class Lexicon:
    """A POS tokenizer with domain words added; one per rule set."""

    def __init__(
        self,
        words: dict[str, str],
        use_rjieba: bool | None = None,
        splits: list[str] | None = None,
        retag: dict[str, str] | None = None,
        detach: str = "",
        trailing: str = "",
        town_ends: str = "",
    ):
        self.retag = dict(retag or {})  # words whose tag the rules correct (零部件 is a noun, not a numeral)
        self.detach = frozenset(detach)  # 由|云栖: a preposition the tokenizer glued to a word it guessed
        self.trailing = frozenset(trailing)  # 康明|则: an adverb glued to the end of a name it guessed
        self.town_ends = frozenset(town_ends)  # 星禾镇|梅: a town glued to the next name's first character
        # words the rules cut in two (南屿|段长 → 南屿|段|长): each part tagged as the dictionary tags it
        self.splits = {s.replace("|", ""): s.split("|") for s in splits or ()}
        words = {**words, **self.retag}
        self.fast = None
        self.pos: jieba.posseg.POSTokenizer | None = None
        self._dict = _dictionary()
        # user words: their tag, and jieba's frequency for an added word (1 if it was new)
        self._user = {w: (self._dict.get(w, (0, ""))[0] or 1, tag) for w, tag in words.items() if len(w) >= 2}
        if rjieba is not None and use_rjieba is not False:
            self.fast = rjieba.Jieba()
            for w, (_, tag) in sorted(self._user.items()):
                self.fast.add_word(w, None, tag)
        else:
            import jieba.posseg

            tk = jieba.Tokenizer()
            tk.initialize()
            for w, (_, wtag) in sorted(self._user.items()):
                tk.add_word(w, tag=wtag)
            self.pos = jieba.posseg.POSTokenizer(tk)
        self.engine = "rjieba" if self.fast is not None else "jieba"
        self._cache: dict[str, list[Token]] = {}
        self._cached_chars = 0

    def _pairs(self, text: str) -> list[tuple[str, str]]:
        if self.fast is not None:
            return self.fast.tag(text, True)
        assert self.pos is not None
        with _lock:
            return [(p.word, p.flag) for p in self.pos.lcut(text, HMM=True)]

    def tokens(self, text: str) -> list[Token]:
        """Tokens with offsets into ``text``; repeated texts are served from a small cache."""
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        out: list[Token] = []
        pos = 0
        retag, splits = self.retag, self.splits
        for w, flag in self._pairs(text):
            if len(w) >= 3 or (len(w) == 2 and w[0] in DATE_UNITS):
                w, pos = self._unglue(w, pos, out)
                if flag == "nr" and len(w) == 3 and w[-1] in self.trailing and self._entry(w) is None:
                    out.append(Token(w[:-1], flag, pos, pos + 2))
                    w, flag, pos = w[-1], "d", pos + 2
            if len(w) >= 2 and not self.town_ends.isdisjoint(w) and (cut := self._town_cut(w)) >= 0:
                out.append(Token(w[: cut + 1], "ns" if cut else "n", pos, pos + cut + 1))
                w, pos = w[cut + 1 :], pos + cut + 1
                flag = self.tag(w) or flag
            if w in splits:
                for part in splits[w][:-1]:
                    out.append(Token(part, self.tag(part) or flag, pos, pos + len(part)))
                    pos += len(part)
                w = splits[w][-1]
                flag = self.tag(w) or flag
            out.append(Token(w, retag.get(w, flag) if retag else flag, pos, pos + len(w)))
            pos += len(w)
        if len(self._cache) > 20000 or self._cached_chars + len(text) > CACHE_CHARS:
            self._cache.clear()
            self._cached_chars = 0
        self._cache[text] = out
        self._cached_chars += len(text)
        return out

    def _unglue(self, w: str, pos: int, out: list[Token]) -> tuple[str, int]:
        """Split off what the tokenizer glued to the front of a word it guessed: a preposition
        (由|云栖), a date's unit after its number (5|日|瑞诚), a dateline (27|日讯|鑫信)."""
        head = w[0]
        if head in self.detach and self._entry(w) is None:
            out.append(Token(head, "p", pos, pos + 1))
            return w[1:], pos + 1
        if head in DATE_UNITS and out and out[-1].pos == "m" and self._entry(w) is None:
            n = 2 if w[1] in DATELINE_ENDS else 1
            if n >= len(w):
                return w, pos  # 日讯 alone: the dateline itself
            out.append(Token(w[:n], "m", pos, pos + n))
            return w[n:], pos + n
        return w, pos

    def _town_cut(self, w: str) -> int:
        """Where a town's last character ends a word the tokenizer guessed across two names
        (星禾镇柳 or 镇柳 of 星禾镇柳山村), not a word of its own there (乡村, 镇江): -1 when nowhere."""
        if self._entry(w) is not None:
            return -1
        for i in (0, *range(2, len(w) - 1)):
            if w[i] in self.town_ends and self._entry(w[i : i + 2]) is None:
                return i
        return -1

    def _entry(self, word: str) -> tuple[int, str] | None:
        return self._user.get(word) or self._dict.get(word)

    def in_dictionary(self, word: str) -> bool:
        """A word of jieba's dictionary (with a frequency) or of the rules' vocabulary."""
        entry = self._entry(word)
        return bool(entry and entry[0])

    def tag(self, word: str) -> str:
        """The word's dictionary tag (the vocabulary's for a rule word), "" if none."""
        entry = self._entry(word)
        return entry[1] if entry else ""

    def freq(self, word: str) -> int:
        """The word's frequency in jieba's dictionary (1 for a rule word it lacks), 0 if none."""
        entry = self._entry(word)
        return entry[0] if entry else 0
