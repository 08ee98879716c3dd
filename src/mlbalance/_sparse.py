"""scipy.sparse on first use, so that ``import mlbalance`` does not import SciPy.

Importing ``scipy.sparse`` takes about half a second, more than the rest of
``import mlbalance`` together. Modules test inputs with :func:`issparse` and call
:func:`scipy_sparse` inside the functions that build sparse matrices.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any


def issparse(x: Any) -> bool:
    """Whether ``x`` is a scipy.sparse matrix or array, without importing SciPy for dense input.

    An object can be a scipy.sparse matrix only once ``scipy.sparse`` has been imported,
    so while it is not in ``sys.modules`` the answer is False; otherwise this is
    ``scipy.sparse.issparse(x)``.

    Parameters
    ----------
    x : object
        Anything.

    Returns
    -------
    bool

    Examples
    --------
    >>> import scipy.sparse
    >>> from mlbalance._sparse import issparse
    >>> issparse([[1, 0]]), issparse(scipy.sparse.csr_matrix([[1, 0]]))
    (False, True)
    """
    if "scipy.sparse" not in sys.modules:
        return False
    return scipy_sparse().issparse(x)


def scipy_sparse() -> ModuleType:
    """The ``scipy.sparse`` module, imported on the first call.

    Returns
    -------
    module

    Examples
    --------
    >>> from mlbalance._sparse import scipy_sparse
    >>> scipy_sparse().csr_matrix([[0, 1]]).nnz
    1
    """
    import scipy.sparse

    return scipy.sparse
