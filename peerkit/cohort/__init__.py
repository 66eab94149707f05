"""The rules both sides of a cohort use, each defined once: the bottom layer, with nothing that talks HTTP.

- :mod:`~peerkit.cohort.ids` – what a cohort id looks like (the server makes them);
- :mod:`~peerkit.cohort.codes` – join codes: the alphabet without look-alikes, and normalising what a learner types;
- :mod:`~peerkit.cohort.pseudonym` – what a cohort pseudonym looks like (``PSEUDONYM_PATTERN``);
- :mod:`~peerkit.cohort.handin` – the hand-in file format, written and checked (the route for a room
  where learners cannot reach the server);
- :mod:`~peerkit.cohort.tally` – a room tally of raised hands, parsed and checked (the server stores it);
- :mod:`~peerkit.cohort.errors` – the errors a learner or trainer is shown.

The learner's side (joining, sharing, sending) is :mod:`peerkit.client`; the store of every
cohort is the server (:mod:`peerkit.server`). Nothing here is imported by ``import peerkit``.
"""
