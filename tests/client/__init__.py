"""Tests of peerkit.client (one file per module: test_<module>.py)."""
