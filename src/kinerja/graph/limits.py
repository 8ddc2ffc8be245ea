"""Document checks run before any resolver: directive limits, repeated fields, validation (without "Did you mean"
suggestions where introspection is off) and a static query cost.

Cost: every field costs 1 plus its selections; a connection field (one taking ``first``) multiplies
its selections by its page size (``first`` resolved from variables, default 20, at most 100), and the
lists inside a connection (``edges``, ``nodes``) are already counted by that; any other list field
multiplies its selections by LIST_ESTIMATE. Fragments are expanded; introspection fields count 1.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    validate,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from kinerja.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

MAX_DIRECTIVES = 10
MAX_FIELD_REPEATS = 5
LIST_ESTIMATE = 5
TOO_COMPLEX = "QUERY_TOO_COMPLEX"


def _directive_lists(document: DocumentNode) -> Iterator[tuple]:
    """The directives of every location in the document (a plain walk: graphql-core's visitor
    costs several times more)."""
    stack: list = list(document.definitions)
    while stack:
        node = stack.pop()
        yield node.directives or ()
        stack.extend(getattr(node, "variable_definitions", None) or ())
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)


def directive_errors(document: DocumentNode, max_directives: int = MAX_DIRECTIVES) -> list[GraphQLError]:
    count, duplicate = 0, None
    for directives in _directive_lists(document):
        count += len(directives)
        names = [d.name.value for d in directives]
        if duplicate is None and len(set(names)) != len(names):
            duplicate = next(n for n in names if names.count(n) > 1)
    if count > max_directives:
        return [GraphQLError(f"The document uses {count} directives; at most {max_directives} are allowed",
                             extensions={"code": TOO_COMPLEX})]
    if duplicate is not None:
        return [GraphQLError(f"The directive @{duplicate} is repeated on one location",
                             extensions={"code": "BAD_USER_INPUT"})]
    return []


def repeated_field_errors(document: DocumentNode, max_repeats: int = MAX_FIELD_REPEATS) -> list[GraphQLError]:
    """Refuse a selection set naming the same field many times (\"field duplication\"): it costs the
    server work per copy while the answer holds one."""
    stack: list = list(document.definitions)
    while stack:
        node = stack.pop()
        selection_set = getattr(node, "selection_set", None)
        if selection_set is None:
            continue
        keys = Counter((s.alias or s.name).value for s in selection_set.selections if isinstance(s, FieldNode))
        repeated = [key for key, n in keys.items() if n > max_repeats]
        if repeated:
            return [GraphQLError(f"The field {repeated[0]!r} is selected {keys[repeated[0]]} times in one place; "
                                 f"at most {max_repeats} are allowed", extensions={"code": TOO_COMPLEX})]
        stack.extend(selection_set.selections)
    return []


class _Cost:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: dict | None):
        self.schema = schema
        self.variables = variables or {}
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}

    def selection_set(self, selection_set: SelectionSetNode | None, parent_type, in_connection: bool = False) -> int:
        if selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent_type, in_connection)
            elif isinstance(selection, InlineFragmentNode):
                fragment_type = (self.schema.get_type(selection.type_condition.name.value)
                                 if selection.type_condition else parent_type)
                total += self.selection_set(selection.selection_set, fragment_type, in_connection)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    total += self.selection_set(fragment.selection_set,
                                                self.schema.get_type(fragment.type_condition.name.value),
                                                in_connection)
        return total

    def field(self, node: FieldNode, parent_type, in_connection: bool) -> int:
        name = node.name.value
        fields = getattr(parent_type, "fields", None) or {}
        definition = fields.get(name)
        if name.startswith("__") or definition is None:
            return 1
        field_type = get_nullable_type(definition.type)
        named = get_named_type(field_type)
        if "first" in definition.args:
            multiplier = self.page_size(node, definition.args["first"].default_value)
            return 1 + multiplier * self.selection_set(node.selection_set, named, in_connection=True)
        multiplier = LIST_ESTIMATE if is_list_type(field_type) and not in_connection else 1
        return 1 + multiplier * self.selection_set(node.selection_set, named)

    def page_size(self, node: FieldNode, default) -> int:
        value = default if isinstance(default, int) else DEFAULT_PAGE_SIZE
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                given = self.variables.get(argument.value.name.value)
                value = given if isinstance(given, int) and not isinstance(given, bool) else DEFAULT_PAGE_SIZE
        return max(0, min(value, MAX_PAGE_SIZE))


def query_cost(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
               variables: dict | None) -> int:
    """The cost of the operation that would run (the named one, or the only one)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    cost = _Cost(schema, document, variables)
    worst = 0
    for operation in operations:
        root = schema.get_root_type(operation.operation)
        worst = max(worst, cost.selection_set(operation.selection_set, root))
    return worst


def cost_error(cost: int, max_cost: int) -> GraphQLError:
    return GraphQLError(f"The query costs {cost}, more than the allowed {max_cost}: ask for smaller pages (first) or "
                        "fewer nested lists", extensions={"code": TOO_COMPLEX, "cost": cost, "maxCost": max_cost})


@functools.lru_cache(maxsize=512)
def _static_errors(schema: GraphQLSchema, document: DocumentNode, rules: tuple, hide_suggestions: bool,
                   max_directives: int) -> tuple[GraphQLError, ...]:
    """The errors of a document that do not depend on its variables, once per distinct document."""
    errors = directive_errors(document, max_directives) or repeated_field_errors(document)
    if not errors:
        rules = (*rules, MaybeNullValidationRule, OneOfInputValidationRule)
        errors = validate(schema, document, rules, hide_suggestions=hide_suggestions)
    return tuple(errors)


def _unnamed_choice(execution) -> bool:
    """Several operations in the document and no operationName to choose one."""
    if getattr(execution, "_provided_operation_name", None) is not None:
        return False
    return sum(isinstance(d, OperationDefinitionNode) for d in execution.graphql_document.definitions) > 1


class DocumentChecks(SchemaExtension):
    """Runs validation itself (strawberry then skips its own) so that cheap limits come first, one
    clear error replaces a flood, suggestions can be left out, and each distinct document is
    validated once per process."""

    def __init__(self, *, max_cost: int, hide_suggestions: bool, max_directives: int = MAX_DIRECTIVES):
        self.max_cost = max_cost
        self.hide_suggestions = hide_suggestions
        self.max_directives = max_directives

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        if document is not None and execution.pre_execution_errors is None and _unnamed_choice(execution):
            # strawberry would run the first operation; the client must say which one.
            execution.pre_execution_errors = [GraphQLError(
                "The document holds several operations: name the one to run in operationName",
                extensions={"code": "BAD_USER_INPUT"})]
        if document is not None and execution.pre_execution_errors is None:
            schema = execution.schema._schema
            errors = list(_static_errors(schema, document, tuple(execution.validation_rules),
                                         self.hide_suggestions, self.max_directives))
            if not errors:
                cost = query_cost(schema, document, execution.operation_name, execution.variables)
                if cost > self.max_cost:
                    errors = [GraphQLError(
                        f"The query costs {cost}, more than the allowed {self.max_cost}: ask for smaller "
                        "pages (first) or fewer nested lists",
                        extensions={"code": TOO_COMPLEX, "cost": cost, "maxCost": self.max_cost})]
            execution.pre_execution_errors = errors
        yield
