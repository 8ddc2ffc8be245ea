"""Official documents: the registry of issued (signed) documents and their public verification."""
