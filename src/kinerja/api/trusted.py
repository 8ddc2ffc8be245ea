"""Trusted (persisted) documents: the operations frontend teams register in ``schema/operations/``.

Registering needs no code: every document there is known by its printed form and by its
``documentId`` (``sha256:`` of the printed form), so a client may send only the id; the document is
then answered like any other (reads by the compiler).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from graphql import GraphQLError, parse, print_ast

from kinerja.core.paths import operations_dir


@dataclass(frozen=True)
class TrustedOperation:
    name: str
    document: str

    @property
    def document_id(self) -> str:
        return "sha256:" + hashlib.sha256(self.document.encode()).hexdigest()


def canonical(document: str) -> str | None:
    try:
        return print_ast(parse(document, no_location=True))
    except GraphQLError:
        return None


class TrustedDocuments:
    def __init__(self, directory: Path | None = None):
        self.by_canonical: dict[str, TrustedOperation] = {}
        self.by_id: dict[str, TrustedOperation] = {}
        for path in sorted((directory or operations_dir()).glob("*.graphql")):
            text = canonical(path.read_text())
            if text is None:
                raise ValueError(f"{path}: not a GraphQL document")
            operation = TrustedOperation(path.stem, text)
            self.by_canonical[text] = operation
            self.by_id[operation.document_id] = operation
        self._match = functools.lru_cache(maxsize=256)(self._match_text)

    def _match_text(self, document: str) -> TrustedOperation | None:
        text = canonical(document)
        return self.by_canonical.get(text) if text is not None else None

    def match(self, payload: dict) -> TrustedOperation | None:
        """The trusted operation a request body asks for, by document text or by ``documentId``."""
        document, document_id = payload.get("query"), payload.get("documentId")
        if isinstance(document, str) and len(document) <= 10_000:
            found = self._match(document)
        elif isinstance(document_id, str):
            found = self.by_id.get(document_id)
        else:
            return None
        name = payload.get("operationName")
        if found is None or (name is not None and name != found.name):
            return None
        return found
