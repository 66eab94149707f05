"""Matplotlib in the tests: ``close_figures`` closes every figure a test left open (registered in
``tests/conftest.py``; a module that draws asks for it with ``pytestmark = pytest.mark.usefixtures("close_figures")``)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture
def close_figures() -> Iterator[None]:
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
