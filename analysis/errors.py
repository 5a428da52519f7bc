"""The one error type of the analysis layer: a result folder or table that cannot be used.

Analysis only reads what the experiments wrote; everything it refuses (a missing folder, an
unknown outcome or policy, a damaged file, a figures table without a column) is an
:class:`AnalysisError` whose message names the file or the name and what is allowed. The
command line shows it as one message with exit status 2.
"""

from __future__ import annotations


class AnalysisError(ValueError):
    """A result folder, table, figures file or request that the analysis cannot use."""
