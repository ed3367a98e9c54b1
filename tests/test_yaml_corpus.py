"""Every document of the YAML test suite gives a Routine or a located error — never anything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from headrub import loader
from headrub.errors import RoutineFileError
from headrub.routine import Routine

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "yaml-test-suite"
DOCUMENTS = sorted(CORPUS.glob("*.yaml")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not DOCUMENTS, reason=f"the YAML test suite corpus is not at {CORPUS}")
@pytest.mark.parametrize("document", DOCUMENTS, ids=[p.name for p in DOCUMENTS])
def test_corpus_document_loads_or_is_located(document: Path) -> None:
    """This test-suite document loads as a routine or raises RoutineFileError with every problem located."""
    try:
        outcome = loader.load_file(document)
    except RoutineFileError as err:
        assert err.problems
        for problem in err.problems:
            assert problem.path == str(document)
            assert problem.line >= 1 and problem.column >= 1, problem
            assert "cannot load this file" not in problem.message, problem  # the last-resort guard never fires
        return
    assert isinstance(outcome, Routine)


def test_corpus_is_complete_when_present() -> None:
    """When the corpus is present, all of its 402 documents are collected (a moved folder is noticed)."""
    if not CORPUS.is_dir():
        pytest.skip(f"the YAML test suite corpus is not at {CORPUS}")
    assert len(DOCUMENTS) >= 400
