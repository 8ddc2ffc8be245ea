"""The read compiler: any validated read operation to one SQL statement returning the whole ``data``.

The types' descriptions are in ``graph/sql.py``; ``install`` reads them from a built schema.
"""

from kinerja.graph.compiler.runtime import QUERY_KEY, Compiler, install

__all__ = ["Compiler", "QUERY_KEY", "install"]
