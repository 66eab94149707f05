"""Cohorts: a trainer's group of learners who share some answers during a live session.

One concept per module:

- :mod:`~peerkit.cohort.codes` – join codes (short, readable, random; stored only as a salted hash);
- :mod:`~peerkit.cohort.pseudonym` – the per-cohort pseudonym of a learner (a keyed hash);
- :mod:`~peerkit.cohort.membership` – joining (over the cohort server's HTTP API), sharing choices and leaving,
  kept in the learner's own store;
- :mod:`~peerkit.cohort.sharing` – exactly which answers a learner's choices let out;
- :mod:`~peerkit.cohort.sync` – the hook widgets call after a save: queue shared answers, wake the sender
  (:mod:`peerkit.client`);
- :mod:`~peerkit.cohort.submission` – the file route for Binder, where learners share no disk;
- :mod:`~peerkit.cohort.tally` – counts of raised hands in a room (checked and parsed; the server stores them).

Nothing here is imported by ``import peerkit``; a learner never loads SQLAlchemy (they reach the server over HTTP).
"""
