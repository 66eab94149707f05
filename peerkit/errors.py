"""Errors peerkit raises on purpose.

Every message says what went wrong, which file or value it concerns, and what the
person can do about it. None of them is raised after silently dropping data.
"""
from __future__ import annotations


class PeerkitError(Exception):
    """Base class: catch this to handle any problem peerkit reports on purpose."""


class ContentError(PeerkitError):
    """An exercise definition (a data file shipped with the course) is malformed."""


class StoreError(PeerkitError):
    """The answer store cannot be opened, read or written."""


class StoreCorruptError(StoreError):
    """The store file is damaged or is not a peerkit store."""


class StoreLockedError(StoreError):
    """Another program held the store for longer than we were willing to wait."""


class StoreReadOnlyError(StoreError):
    """The store, or the folder it lives in, cannot be written."""


class StoreVersionError(StoreError):
    """The store was written by a newer peerkit than this one."""


class AnswerError(PeerkitError, ValueError):
    """A value given for an exercise item is not one the exercise accepts."""


class ImportFileError(PeerkitError):
    """A file given to peerkit to import (a portfolio, a submission) is not valid."""
