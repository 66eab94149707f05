"""Tests of :mod:`peerkit.server`, one module per server module (a package: names such as test_live_tools recur)."""
