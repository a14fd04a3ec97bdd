"""The data layer: importers, cleaning, the SQLite catalogue, the vector index and retrieval.

Import ``store.api.Store`` for the whole thing; the submodules are usable on their own.
"""
