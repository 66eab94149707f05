"""Tests of peerkit.portfolio_io (one file per module: test_<module>.py)."""
