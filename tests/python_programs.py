"""Python programs as hypothesmith generates them, for the property tests of several files.

`hypothesmith.from_grammar()` builds an LALR parser of Python's grammar each time it is
called (one to two seconds); called at import time by each test file that used it, it was
paid at collection, once per file and per pytest-xdist worker, whether or not the worker ran
those tests. These strategies build it once per test process, when a test first draws.
"""

from __future__ import annotations

from hypothesis import strategies as st


def _from_grammar() -> st.SearchStrategy[str]:
    import hypothesmith

    return hypothesmith.from_grammar()


def _from_node() -> st.SearchStrategy[str]:
    import hypothesmith

    return hypothesmith.from_node()


# Any program the grammar allows (`file_input`), as hypothesmith.from_grammar() draws them.
FROM_GRAMMAR = st.deferred(_from_grammar)
# Programs built from libcst nodes, as hypothesmith.from_node() draws them.
FROM_NODE = st.deferred(_from_node)
