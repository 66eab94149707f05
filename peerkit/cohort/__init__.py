"""Cohorts: a trainer's group of learners who share some answers during a live session.

One concept per module:

- :mod:`~peerkit.cohort.codes` – join codes (short, readable, random; stored only as a salted hash);
- :mod:`~peerkit.cohort.pseudonym` – the per-cohort pseudonym of a learner (a keyed hash);
- :mod:`~peerkit.cohort.store` – :class:`CohortStore`, the shared store (SQLite file or PostgreSQL, one implementation);
- :mod:`~peerkit.cohort.membership` – joining, sharing choices and leaving, kept in the learner's own store;
- :mod:`~peerkit.cohort.sharing` – exactly which answers a learner's choices let out;
- :mod:`~peerkit.cohort.sync` – sending shared answers to the cohort store (an outbox computed from the local store);
- :mod:`~peerkit.cohort.submission` – the file route for Binder, where learners share no disk;
- :mod:`~peerkit.cohort.tally` and :mod:`~peerkit.cohort.tally_form` – counts of raised hands in a room.

Nothing here is imported by ``import peerkit``; SQLAlchemy is only loaded by learners who join a cohort.
"""
