"""The examples in docstrings run and give what they say."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["peerkit.exercises", "peerkit.answers", "peerkit.privacy", "peerkit.files",
           "peerkit.timestamps", "peerkit.kinds", "peerkit.kinds.choice_matrix", "peerkit.kinds.rating",
           "peerkit.kinds.knowledge_check", "peerkit.kinds.reflection", "peerkit.kinds.reframe",
           "peerkit.kinds.smart_goal",
           "peerkit.group_view", "peerkit.templating"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
