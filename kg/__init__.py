"""kg: a knowledge-graph builder for Chinese regional news."""
from .graph import KnowledgeGraph, build

__all__ = ["KnowledgeGraph", "build"]
__version__ = "0.1.0"
