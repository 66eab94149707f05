"""The learner's (and the trainer notebook's) side of the cohort server, over HTTP only.

One concept per module:

- :mod:`~peerkit.client.http` – :class:`~peerkit.client.http.ServerClient`, the API of ``docs/server-api.md`` with short timeouts;
- :mod:`~peerkit.client.address` – where the server is (``PEERKIT_SERVER``, or the hub's ``peerkit`` service);
- :mod:`~peerkit.client.outbox` – the durable queue of answers to send, a small table in the learner's store;
- :mod:`~peerkit.client.sender` – the background thread that empties the outbox, with retries and backoff;
- :mod:`~peerkit.client.aggregates` – the learner's own cohort's suppressed counts, for the charts.

Nothing here holds a database address: a learner holds a server address and a learner token.
Nothing here is imported by ``import peerkit``.
"""
