"""The cohort server (``peerkit serve``): the only owner of the cohort store, reached over HTTP.

See ``docs/server-api.md`` for the API. Modules: :mod:`.settings` (configuration),
:mod:`.db` (tables, transactions, migrations), :mod:`.auth` (the authenticators, who may
do what), :mod:`.tokens` (what a bearer token stands for), :mod:`.browser_sessions` (a
trainer's browser sessions and sign-in codes), :mod:`.same_origin` (whether a request came
from the server's own pages), :mod:`.hub` (hub users, the hub's authenticator), :mod:`.app` (the
FastAPI application), :mod:`.routes` (the HTTP routes, one module per area),
:mod:`.web` (the pages' URL and rendering helpers), :mod:`.joining` (joining with a
code), :mod:`.checking` (checking shared answers), :mod:`.learner_data` (storing and
withdrawing a learner's answers), :mod:`.cohorts` and :mod:`.trainer_data` (a trainer's
cohorts and their data), :mod:`.aggregates` (the incrementally kept counts, read for the
API and the projector), :mod:`.projector` (what the projector page shows),
:mod:`.revisions` (revision bumps and the broker that wakes live streams),
:mod:`.live_tools` (polls, wall, session state, report), :mod:`.problems` (error
responses), :mod:`.commands` (``peerkit serve``, ``peerkit trainer``).
"""
