"""The cohort server (``peerkit serve``): the only owner of the cohort store, reached over HTTP.

See ``docs/server-api.md`` for the API. Modules: :mod:`.settings` (configuration),
:mod:`.db` (tables, transactions, migrations), :mod:`.auth` (tokens and who may do
what), :mod:`.app` (the FastAPI application), :mod:`.learners` and :mod:`.trainers`
(the routes), :mod:`.answers` (checking and storing answers), :mod:`.aggregates`
(the incrementally kept counts), :mod:`.events` (revision bumps and live updates).
"""
