"""kg: a knowledge-graph builder for Chinese regional news."""
from .graph import KnowledgeGraph, build, load

__all__ = ["KnowledgeGraph", "build", "load"]
__version__ = "0.1.0"
