"""PERSON and LOCATION through Presidio's analyzer and a spaCy model: an optional extra, imported lazily.

Names and places have no format to check, so this recognizer delegates to ``presidio_analyzer`` (which runs a
spaCy pipeline). Neither is a dependency of wardgate: when either the package or the spaCy model is missing,
:meth:`NerRecognizer.available` is false, :attr:`NerRecognizer.install_hint` says what to install, and the scanner
skips the recognizer. Nothing heavy happens at import or construction: the analyzer (and its model) is loaded on
the first :meth:`NerRecognizer.find`, once per recognizer instance, under a lock.

Written by hand: only the lazy loading and the mapping of Presidio's results onto findings.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Iterator
from typing import Any

from wardgate.scanners.base import Finding

ENTITIES = ("PERSON", "LOCATION")
DEFAULT_MODEL = "en_core_web_lg"
INSTALL_HINT = (
    "PERSON/LOCATION need the NER extra: pip install presidio-analyzer spacy && python -m spacy download {model}"
)


class NerUnavailableError(RuntimeError):
    """Raised by :meth:`NerRecognizer.find` when the extra is not installed (callers check ``available()``)."""


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


class NerRecognizer:
    """PERSON and LOCATION via ``presidio_analyzer.AnalyzerEngine`` on spaCy model ``model`` (English)."""

    name = "ner"
    entities = frozenset(ENTITIES)

    def __init__(self, model: str = DEFAULT_MODEL, language: str = "en") -> None:
        self.model = model
        self.language = language
        self.install_hint = INSTALL_HINT.format(model=model)
        self._engine: Any = None
        self._lock = threading.Lock()

    def available(self) -> bool:
        """True when both ``presidio_analyzer`` and the spaCy model package can be imported (nothing is loaded)."""
        return _installed("presidio_analyzer") and _installed("spacy") and _installed(self.model)

    def _analyzer(self) -> Any:
        with self._lock:
            if self._engine is None:
                if not self.available():
                    raise NerUnavailableError(self.install_hint)
                analyzer = importlib.import_module("presidio_analyzer")
                nlp_engine = importlib.import_module("presidio_analyzer.nlp_engine")
                configuration = {
                    "nlp_engine_name": "spacy",
                    "models": [{"lang_code": self.language, "model_name": self.model}],
                }
                provider = nlp_engine.NlpEngineProvider(nlp_configuration=configuration)
                self._engine = analyzer.AnalyzerEngine(
                    nlp_engine=provider.create_engine(), supported_languages=[self.language]
                )
            return self._engine

    def find(self, text: str) -> Iterator[Finding]:
        results = self._analyzer().analyze(text=text, language=self.language, entities=list(ENTITIES))
        for result in results:
            score = min(1.0, max(0.0, float(result.score)))
            yield Finding(f"pii.{result.entity_type}", int(result.start), int(result.end), score)
