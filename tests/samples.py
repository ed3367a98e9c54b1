"""Routine texts more than one test file uses."""

# A routine with exactly three mistakes: a misspelt key, a zero duration, an unknown pressure.
THREE_MISTAKES = """\
title: Three mistakes
strokes:
  - area: crown
    duraton: 30
  - area: temples
    duration: 0
  - area: nape
    duration: 10
    pressure: hard
"""
