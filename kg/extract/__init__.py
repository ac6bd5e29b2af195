"""Extraction: find mentions, resolve them into entities and relate them, document by document."""
