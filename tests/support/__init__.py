"""Fixtures and helpers shared by several test folders, registered in ``tests/conftest.py`` (``pytest_plugins``).

- :mod:`tests.support.server` the REAL cohort server as a subprocess on a free port, its stores and helpers;
- :mod:`tests.support.postgres` a throwaway PostgreSQL server on loopback, once per session;
- :mod:`tests.support.client` the learner's side against that server (``live``, ``learner_store``, ``wait_for``…).
"""
