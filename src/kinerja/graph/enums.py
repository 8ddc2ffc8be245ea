"""GraphQL enums over the Python enums of the areas' pure rules.

``strawberry.enum_value(description=...)`` describes a value inside the enum's class body, which
would put the GraphQL framework into ``rules.py`` (pure, no framework imports). ``described`` gives
the same descriptions from the area's ``graphql.py`` instead, and refuses an enum with a value left
undescribed or a description for a value that does not exist."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition


def _definition(cls: type[Enum]) -> StrawberryEnumDefinition:
    if not has_enum_definition(cls):
        raise TypeError(f"{cls.__name__} is not a GraphQL enum")
    return cls.__strawberry_definition__


def described(cls: type[Enum], description: str, values: dict[str, str], *, name: str | None = None) -> type[Enum]:
    members = {member.name for member in cls}
    if set(values) != members:
        raise ValueError(f"{cls.__name__}: describe exactly its values; missing {sorted(members - set(values))}, "
                         f"unknown {sorted(set(values) - members)}")
    strawberry.enum(cls, name=name, description=description)
    for value in _definition(cls).values:
        value.description = values[value.name]
    return cls
