"""Tests of peerkit.kinds (one file per module: test_<module>.py)."""
