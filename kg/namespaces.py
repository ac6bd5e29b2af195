"""kg's IRIs: the namespaces of the ontology, entities, documents, assertions and rules,
and how a name becomes a readable IRI segment. Every stage may import this; it imports none."""

from __future__ import annotations

from functools import lru_cache

from rdflib import Namespace

from .model import RELATIONS

BASE = "https://kg.example.org/"
GRAPH_BASE = BASE + "graph/"
DOC_BASE = BASE + "document/"
ASSERTION_BASE = BASE + "assertion/"
KG = Namespace(BASE + "ontology#")
ENT = Namespace(BASE + "entity/")
DOC = Namespace(DOC_BASE)
STMT = Namespace(ASSERTION_BASE)
RULE = Namespace(BASE + "rule/")
SCHEMA = Namespace("https://schema.org/")
RELATION_IRIS = frozenset(f"{KG}{r}" for r in RELATIONS)

UCSCHAR = (
    (0xA0, 0xD7FF),
    (0xF900, 0xFDCF),
    (0xFDF0, 0xFFEF),
    (0x10000, 0x1FFFD),
    (0x20000, 0x2FFFD),
    (0x30000, 0x3FFFD),
)
PUNCT_ENCODED = set("（）【】《》“”、，。：；\u3000")


def _iri_char(ch: str) -> bool:
    o = ord(ch)
    if o < 128:
        return ch.isalnum() or ch in "-._~"
    return ch not in PUNCT_ENCODED and any(a <= o <= b for a, b in UCSCHAR)


@lru_cache(maxsize=200_000)
def iri_safe(text: str) -> str:
    """A readable IRI segment: letters (Chinese too) kept, everything else percent-encoded."""
    return "".join(
        ch if _iri_char(ch) else "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass")) for ch in text
    )
