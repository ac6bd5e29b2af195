"""Regular expressions that can backtrack catastrophically, found on Python's own parse tree.

Two forms are refused: a repeat inside a repeat ((a+)+, (\\w+\\s?)*), and a repeat whose
body can read a text in two ways ((a|a)+, ([^，]|中)+, (a|b|ab)+). Either lets a failing
match try exponentially many ways of splitting the text."""

from __future__ import annotations

import re
import sys
from collections import Counter, defaultdict

if sys.version_info >= (3, 11):
    from re import _parser as sre
else:  # pragma: no cover - Python 3.10
    import sre_parse as sre

REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT}
GUARDED = {getattr(sre, "POSSESSIVE_REPEAT", None), getattr(sre, "ATOMIC_GROUP", None), sre.ASSERT, sre.ASSERT_NOT} - {
    None
}  # they never give back what they matched
ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}
CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}
SAMPLES = "aZ0_9 \t\n-.,:;!?'\"()[]/\\中一。，、：（）《》\u3000é\u00a0"  # for classes such as \w
MAX_WORDS = 20_000  # ways of matching a repeat's body looked at, at most
MAX_PAIRS = 1_000_000  # pairs of them compared, at most


def problem(src: str) -> str | None:
    """Why ``src`` can backtrack catastrophically, or None."""
    return _problem(sre.parse(src))


def _problem(p) -> str | None:
    for op, av in p:
        if op in REPEATS and av[1] > 1:
            if _varies(av[2]):
                return "a repeat inside a repeat, as in (a+)+"
            words = _words(av[2])
            found = _twice(words) if words is not None else None
            if found:
                return found
        for child in _children(op, av):
            found = _problem(child)
            if found:
                return found
    return None


def _children(op, av) -> list:
    if op in REPEATS or op is getattr(sre, "POSSESSIVE_REPEAT", None):
        return [av[2]]
    if op is sre.SUBPATTERN:
        return [av[3]]
    if op is sre.BRANCH:
        return av[1]
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return [av[1]]
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return [av]
    if op is sre.GROUPREF_EXISTS:
        return [b for b in av[1:] if b]
    return []


def _varies(p) -> bool:
    """Whether ``p`` holds a repeat that can match a varying number of times (max > 1),
    outside possessive repeats, atomic groups and lookarounds."""
    return any(
        op in REPEATS
        and av[1] != av[0]
        and av[1] > 1
        or op not in GUARDED
        and any(_varies(c) for c in _children(op, av))
        for op, av in p
    )


class _Class:
    """A set of characters too large to list: \\w, [^，。], [\\u4e00-\\u9fff], ."""

    def __init__(self, test, chars: str = ""):
        self.test, self.chars = test, chars


def _words(p) -> list[tuple] | None:
    """Every text ``p`` can match, as tuples of characters (or _Class), one per way of
    matching it; None when there are too many or the form is not finite."""
    out: list[tuple] = [()]
    for op, av in p:
        alts = _item(op, av)
        if alts is None:
            return None
        out = [w + a for w in out for a in alts]
        if len(out) > MAX_WORDS:
            return None
    return out


def _item(op, av) -> list[tuple] | None:
    if op is sre.LITERAL:
        return [(chr(av),)]
    if op is sre.NOT_LITERAL:
        return [(_Class(lambda c: c != chr(av), chr(av)),)]
    if op is sre.ANY:
        return [(_Class(lambda c: c != "\n"),)]
    if op is sre.IN:
        return _charset(av)
    if op in ZERO_WIDTH:
        return [()]
    if op is sre.SUBPATTERN:
        return _words(av[3])
    if op is sre.BRANCH:
        words: list[tuple] = []
        for branch in [_words(b) for b in av[1]]:
            if branch is None:
                return None
            words += branch
        return words
    if op in REPEATS and av[1] <= 1:
        body = _words(av[2])
        return None if body is None else ([()] if av[0] == 0 else []) + (body if av[1] == 1 else [])
    return None


def _charset(items) -> list[tuple]:
    if all(op is sre.LITERAL or op is sre.RANGE and av[1] - av[0] < 32 for op, av in items):
        chars = "".join(
            chr(av) if op is sre.LITERAL else "".join(map(chr, range(av[0], av[1] + 1))) for op, av in items
        )
        return [(c,) for c in dict.fromkeys(chars)]
    ends = "".join(
        chr(av) if op is sre.LITERAL else chr(av[0]) + chr(av[1]) for op, av in items if op in (sre.LITERAL, sre.RANGE)
    )
    return [(_Class(lambda c: _member(items, c), ends),)]


def _member(items, c: str) -> bool:
    hit, negate = False, False
    for op, av in items:
        if op is sre.NEGATE:
            negate = True
        elif op is sre.LITERAL:
            hit |= c == chr(av)
        elif op is sre.RANGE:
            hit |= av[0] <= ord(c) <= av[1]
        elif op is sre.CATEGORY:
            hit |= re.match(CATEGORIES.get(av.name, r"(?!)"), c) is not None
    return hit != negate


def _twice(words: list[tuple]) -> str | None:
    """Why a repeat of these words (one per way of matching its body) can read a text in
    two ways: two words that can be the same text, or two sequences of them that spell it."""
    words = [w for w in words if w]  # a repeat stops at an empty match
    exact = Counter("".join(w) for w in words if all(isinstance(c, str) for c in w))
    same = next((w for w, n in exact.items() if n > 1), None)
    if same is not None:
        return f"a repeated group that can match {same!r} in two ways, as in (a|a)+"
    loose = [w for w in words if not all(isinstance(c, str) for c in w)]
    by_length = defaultdict(list)
    for w in words:
        by_length[len(w)].append(w)
    if len(loose) * len(words) <= MAX_PAIRS and any(
        u is not v and all(map(_meet, u, v)) for u in loose for v in by_length[len(u)]
    ):
        return "a repeated group whose alternatives can match the same text, as in ([^，]|中)+"
    split = _split_twice(set(exact))
    if split:
        one, other = split
        return (
            f"a repeated group that reads {''.join(one)!r} in two ways, {' + '.join(one)} or "
            f"{' + '.join(other)}, as in (a|b|ab)+"
        )
    return None


def _split_twice(words: set[str]) -> tuple[list[str], list[str]] | None:
    """Sardinas–Patterson: two different sequences of the words that spell one text."""
    longer = defaultdict(list)  # a proper prefix -> the words it begins
    for w in words:
        for i in range(1, len(w)):
            longer[w[:i]].append(w)
    todo = [(w[len(u) :], [u], [w]) for u in words for w in longer.get(u, ())]  # behind by the text
    seen = set()
    while todo:
        rest, behind, ahead = todo.pop()
        if not rest:
            return behind, ahead
        if rest in seen:
            continue
        seen.add(rest)
        todo += [(rest[i:], behind + [rest[:i]], ahead) for i in range(1, len(rest) + 1) if rest[:i] in words]
        todo += [(w[len(rest) :], ahead, behind + [w]) for w in longer.get(rest, ())]
    return None


def _meet(a, b) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, str):
        return b.test(a)
    if isinstance(b, str):
        return a.test(b)
    return any(a.test(c) and b.test(c) for c in set(a.chars + b.chars + SAMPLES))
