"""The GraphQL kit every area builds on: Relay types, error codes, document limits, loaders."""
