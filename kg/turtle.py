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
