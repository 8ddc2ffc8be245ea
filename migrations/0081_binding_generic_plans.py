"""The binding's checks run on plans made once per connection.

Connections plan each statement for its parameters (``plan_cache_mode = force_custom_plan``, see
docs/architecture.md): a generic plan made for one tenant can be many times slower for another. That
setting reaches the queries inside ``kinerja_bind`` too, which then planned their key lookups (the
account, the session's tokens) again at every binding, the larger part of the binding's time. Those
lookups are by unique keys and indexes whatever the tenant, so the functions keep one generic plan.
"""

from tortoise import migrations
from tortoise.migrations.operations import RunPython

FUNCTIONS = ("kinerja_bind(text, uuid)", "kinerja_bind(text, uuid, uuid)")


async def generic(_apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script("; ".join(
            f"ALTER FUNCTION {function} SET plan_cache_mode = 'force_generic_plan'" for function in FUNCTIONS))


async def as_connection(_apps, schema_editor) -> None:
    client = schema_editor.client
    if client.capabilities.dialect == "postgres":
        await client.execute_script("; ".join(f"ALTER FUNCTION {function} RESET plan_cache_mode"
                                              for function in FUNCTIONS))


class Migration(migrations.Migration):
    dependencies = [("kinerja", "0080_live_sessions_index")]

    operations = [RunPython(generic, as_connection)]
