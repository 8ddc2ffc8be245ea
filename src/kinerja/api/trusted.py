"""Trusted (persisted) documents: the operations frontend teams register.

Two sources, both needing no code:
- ``schema/operations/*.graphql``: every document there is known by its printed form and by the id
  ``sha256:<hex>`` of that printed form;
- persisted-documents manifests as graphql-codegen's client preset writes them
  (``persistedDocuments``: ``{"<sha256 hex of the document>": "<document>"}``): the bundled
  ``schema/persisted-documents.json`` (the manifest of ``schema/operations/``) and the files named by
  ``KINERJA_PERSISTED_DOCUMENTS``. Each key must be the SHA-256 of its document, as codegen computes it.

A client sends the id as ``documentId`` (``<hex>`` or ``sha256:<hex>``) or in Apollo's form,
``extensions.persistedQuery.sha256Hash``; the document is then answered like any other (reads by the
compiler). An unknown id is PERSISTED_QUERY_NOT_FOUND. A document sent as text is trusted when its
printed form is registered (a tenant restricted to persisted documents accepts only those).

"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from graphql import GraphQLError, OperationDefinitionNode, parse, print_ast

from kinerja.core.paths import operations_dir, persisted_manifest

PREFIX = "sha256:"
MAX_DOCUMENT_CHARS = 10_000


@dataclass(frozen=True)
class TrustedOperation:
    name: str
    document: str

    @property
    def document_id(self) -> str:
        return PREFIX + hashlib.sha256(self.document.encode()).hexdigest()


def canonical(document: str) -> str | None:
    try:
        return print_ast(parse(document, no_location=True))
    except GraphQLError:
        return None


def requested_id(payload: dict) -> str | None:
    """The persisted document a request body names, without the ``sha256:`` prefix: ``documentId``,
    else Apollo's ``extensions.persistedQuery.sha256Hash``; None when it names none."""
    document_id = payload.get("documentId")
    if document_id is None:
        extensions = payload.get("extensions")
        persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
        document_id = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    if not isinstance(document_id, str):
        return None
    return document_id.removeprefix(PREFIX).lower()


def _operation_name(text: str) -> str:
    names = [d.name.value for d in parse(text, no_location=True).definitions
             if isinstance(d, OperationDefinitionNode) and d.name is not None]
    return names[0] if len(names) == 1 else ""


def read_manifest(path: Path) -> dict[str, str]:
    """A persisted-documents manifest (codegen's client preset): ``{sha256 hex: document}``. Refused,
    naming the file and the id, when it is not one or an id is not its document's SHA-256."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a persisted-documents manifest ({exc})") from None
    if not isinstance(manifest, dict):
        raise ValueError(f"{path}: a persisted-documents manifest is a JSON object {{id: document}}")
    for document_id, document in manifest.items():
        if not isinstance(document, str) or hashlib.sha256(document.encode()).hexdigest() != document_id.lower():
            raise ValueError(f"{path}: {document_id!r} is not the SHA-256 of its document "
                             "(generate the manifest with hashAlgorithm: 'sha256')")
        if canonical(document) is None:
            raise ValueError(f"{path}: the document of {document_id!r} is not a GraphQL document")
    return {document_id.lower(): document for document_id, document in manifest.items()}


class TrustedDocuments:
    def __init__(self, directory: Path | None = None, manifests: Iterable[Path] | None = None):
        self.by_canonical: dict[str, TrustedOperation] = {}
        self.by_id: dict[str, TrustedOperation] = {}  # hex digests, without the prefix
        for path in sorted((directory or operations_dir()).glob("*.graphql")):
            text = canonical(path.read_text())
            if text is None:
                raise ValueError(f"{path}: not a GraphQL document")
            operation = TrustedOperation(path.stem, text)
            self.by_canonical[text] = operation
            self.by_id[operation.document_id.removeprefix(PREFIX)] = operation
        if manifests is None:
            manifests = [persisted_manifest()] if directory is None and persisted_manifest().exists() else []
        for path in manifests:
            for document_id, document in read_manifest(Path(path)).items():
                text = canonical(document)
                # The manifest's document as sent (codegen sorts selections), answered by the schema.
                operation = TrustedOperation(_operation_name(document), document)
                self.by_id.setdefault(document_id, operation)
                if text is not None:  # (None: not a document; never asked for by its text)
                    self.by_canonical.setdefault(text, operation)
        self._match = functools.lru_cache(maxsize=256)(self._match_text)

    def _match_text(self, document: str) -> TrustedOperation | None:
        text = canonical(document)
        return self.by_canonical.get(text) if text is not None else None

    def knows(self, document: object) -> bool:
        """Whether a document sent as text is a registered one (by its printed form)."""
        return isinstance(document, str) and len(document) <= MAX_DOCUMENT_CHARS and self._match(document) is not None

    def match(self, payload: dict) -> TrustedOperation | None:
        """The trusted operation a request body asks for, by document text or by its id."""
        document, document_id = payload.get("query"), requested_id(payload)
        if isinstance(document, str) and len(document) <= MAX_DOCUMENT_CHARS:
            found = self._match(document)
        elif document is None and document_id is not None:
            found = self.by_id.get(document_id)
        else:
            return None
        name = payload.get("operationName")
        if found is None or (name is not None and found.name and name != found.name):
            return None
        return found
