"""Tests of :mod:`peerkit.server.routes`."""
