"""Fixtures and helpers shared by several test folders, registered in ``tests/conftest.py`` (``pytest_plugins``).

- :mod:`tests.support.server` the REAL cohort server as a subprocess on a free port, its stores and helpers;
- :mod:`tests.support.postgres` a throwaway PostgreSQL server on loopback, once per session;
- :mod:`tests.support.client` the learner's side against that server (``live``, ``learner_store``, ``wait_for``…);
- :mod:`tests.support.figures` ``close_figures`` for the modules that draw with matplotlib.

Helpers only (imported, no fixtures):

- :mod:`tests.support.browser` the browser tests' server pages, phone and axe-core (their fixtures are in
  ``tests/browser/conftest.py``);
- :mod:`tests.support.exercises` small exercise definitions of each kind, for ``add_exercise``;
- :mod:`tests.support.imports` reading peerkit's imports and finding cycles, for the import tests;
- :mod:`tests.support.store` ``store_locked()``, a store whose writes fail as a locked one's do;
- :mod:`tests.support.threads` ``in_a_plain_thread(make)``, code run where no event loop runs.
"""
