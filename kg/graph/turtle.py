"""The prefixes kg's Turtle exports use."""

PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "kg": "https://kg.example.org/ontology#",
    "ent": "https://kg.example.org/entity/",
    "doc": "https://kg.example.org/document/",
    "as": "https://kg.example.org/assertion/",
    "rule": "https://kg.example.org/rule/",
}


def header() -> bytes:
    """The @prefix lines every Turtle export starts with, in a fixed order."""
    return "".join(f"@prefix {k}: <{v}> .\n" for k, v in PREFIXES.items()).encode("utf-8") + b"\n"


def body(ntriples: bytes) -> bytes:
    """N-Triples as Turtle statements with kg's prefixes, without the @prefix lines (the
    export's header has them): chunks of one file."""
    import pyoxigraph as ox

    text = ox.serialize(
        ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES
    )
    assert text is not None  # no output given: serialize returns the bytes
    lines = text.splitlines(keepends=True)
    k = 0
    while k < len(lines) and (lines[k].startswith(b"@prefix") or not lines[k].strip()):
        k += 1
    return b"".join(lines[k:])
