"""Small exercise definitions for tests, one of each kind the learner answers: ``add_exercise(RATING)`` (the
fixture in ``tests/conftest.py``) makes one loadable. A test that needs another chapter or more items changes a
copy (``{**RATING, "chapter": ...}``); what a test reads of these (titles, labels, texts) is asserted there.
"""
from __future__ import annotations

REFLECTION = {
    "id": "test_reflection",
    "kind": "reflection",
    "title": "A test reflection",
    "chapter": "00_welcome",
    "instructions": "Write something.",
    "items": [{"id": "R1", "text": "What did you notice?"}, {"id": "R2", "text": "What next?"}],
}
RATING = {
    "id": "test_rating",
    "kind": "rating",
    "title": "A test rating",
    "chapter": "01_what_is_peer_support",
    "instructions": "Rate each.",
    "scale": [{"value": 1, "label": "1 low"}, {"value": 2, "label": "2 middle"}, {"value": 3, "label": "3 high"}],
    "items": [{"id": "A", "text": "Listening"}, {"id": "B", "text": "Hope"}],
}
SMART = {
    "id": "test_smart",
    "kind": "smart_goal",
    "title": "A test goal",
    "chapter": "03_empowerment_and_recovery",
    "instructions": "Build a goal.",
    "items": [
        {"id": "SPECIFIC", "text": "Specific", "prompt": "What?"},
        {"id": "MEANINGFUL", "text": "Meaningful", "prompt": "Why?"},
        {"id": "ACHIEVABLE", "text": "Achievable", "prompt": "How?"},
        {"id": "REALISTIC", "text": "Realistic", "prompt": "Within reach?"},
        {"id": "TIME_LIMITED", "text": "Time-limited", "prompt": "By when?"},
    ],
}
CHECK = {
    "id": "test_check",
    "kind": "knowledge_check",
    "title": "A test check",
    "chapter": "02_boundaries",
    "instructions": "Answer.",
    "items": [
        {"id": "Q1", "text": "Which one?", "options": [{"value": "a", "label": "Option A", "explanation": "Why."},
                                                       {"value": "b", "label": "Option B", "explanation": "Why."}],
         "correct": ["a"], "explanation": "Because."},
    ],
}
REFRAME = {
    "id": "test_reframe",
    "kind": "reframe",
    "title": "A test reframe",
    "chapter": "05_language_and_sharing",
    "instructions": "Rewrite.",
    "items": [{"id": "L1", "text": "He is a depressive.", "examples": ["He lives with depression."]}],
}
