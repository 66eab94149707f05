"""Tests of peerkit.widgets (one file per module: test_<module>.py)."""
