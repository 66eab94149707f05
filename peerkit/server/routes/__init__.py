"""The server's HTTP routes: one ``APIRouter`` per area, included by :func:`peerkit.server.app.create_app`.

Every route is thin: it reads the request, asks who is calling (:mod:`peerkit.server.auth`) and calls a
plain function that holds the rule.

- :mod:`.joining` ``POST /api/v1/join``;
- :mod:`.me` a learner's own ``/api/v1/me…`` (answers, aggregates, the session);
- :mod:`.cohorts` a trainer's cohorts: list, make, close, delete, new join code, lock joining, members;
- :mod:`.trainer_data` a cohort's aggregates, shared texts, hand-in files, room tally, responses;
- :mod:`.events` the trainer's server-sent events of a cohort's revisions;
- :mod:`.live_tools` polls, the wall, following the trainer, timers, the session report;
- :mod:`.sessions` a trainer's sign-in codes and browser sessions;
- :mod:`.hub_link` a hub trainer's sign-in link;
- :mod:`.pages` the sign-in, the projector page and the phone page.
"""
