"""Extraction: Chinese report text in, quantity facts with spans, yoy and progress out.

``extract_facts(text)`` is the grammar; ``read_document(path)`` decodes the formats reports come
in; ``stream_facts(path)`` reads a large text file in sentence-aligned chunks in constant memory.
"""
from planwatch.extract.grammar import Fact, extract_facts

__all__ = ["Fact", "extract_facts"]
