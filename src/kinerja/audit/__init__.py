"""The audit trail as tenant admins read it."""
