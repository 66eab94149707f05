"""Tests of peerkit.cohort (one file per module: test_<module>.py)."""
