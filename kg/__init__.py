"""kg: a knowledge-graph builder for Chinese regional news.

The library API (``kg.build``, ``kg.load``, ``kg.KnowledgeGraph``) is imported on first use,
so that reading a graph (``kg query``, ``kg serve``, ``kg show``) never loads the extraction.
"""

__all__ = ["KnowledgeGraph", "build", "load"]
__version__ = "0.1.0"


def __getattr__(name: str):
    if name in __all__:
        from .graph import api as graph

        return getattr(graph, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
