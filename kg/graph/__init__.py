"""The graph: RDF, its store, SPARQL, analytics, scoring, exports, the page, builds, the library API."""
