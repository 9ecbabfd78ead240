"""Texts of analysis families, one module per family (``TEXTS = {"zh": {...}, "en": {...}}``).

A family's texts live here rather than in the big catalogues so that adding a family touches its own
files only. Keys follow the catalogue conventions (``col.*``, ``caption.*``, ``table.*``, ``figure.*``,
``cat.<family>.<code>``, ``methods.<family>.*``, ``conv.*``, ``meta.*``, ``value.*``); a key may not be
defined differently in two places. After adding Simplified Chinese texts, regenerate the Traditional
ones: ``python tools/make_zh_hant.py``.
"""
