"""The `kinerja` command: migrations, tenants, imports, the demo, the server, the schema file."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from kinerja.core.config import ConfigError, Settings
from kinerja.core.csvimport import ProgressFactory


def _settings(**overrides) -> Settings:
    try:
        return Settings.from_env(**overrides)
    except ConfigError as exc:
        sys.exit(f"kinerja: {exc}")


def _ops_settings() -> Settings:
    """Operator commands issue no tokens, so they need no secret key."""
    return _settings(require_secret=False)


async def _with_db(settings: Settings, work, *, owner: bool = False):
    from kinerja.core.db import close_db, init_db

    await init_db(settings, owner=owner)
    try:
        return await work()
    finally:
        await close_db()


async def migrate(settings: Settings) -> None:
    from tortoise import Tortoise
    from tortoise.migrations.api.migrate import migrate as run_migrations

    from kinerja.core.db import tortoise_config

    await run_migrations(config=tortoise_config(settings, owner=True))
    await Tortoise.close_connections()


def cmd_migrate(args) -> None:
    asyncio.run(migrate(_ops_settings()))
    print("migrations applied")


def cmd_db_init(args) -> None:
    from kinerja.core.dbadmin import create_database

    app_url, owner_url = asyncio.run(
        create_database(args.admin_url, args.database, app_password=args.app_password,
                        owner_password=args.owner_password)
    )
    print(f"DATABASE_URL={app_url}")
    print(f"MIGRATION_DATABASE_URL={owner_url}")


def cmd_tenants_apply(args) -> None:
    from kinerja.provisioning.apply import apply_spec
    from kinerja.tenancy.spec import SpecError, load_tenant_file

    try:
        specs = [load_tenant_file(Path(f)) for f in args.files]
    except SpecError as exc:
        sys.exit(f"error: {exc}")
    except OSError as exc:
        sys.exit(f"error: {exc}")

    async def work():
        for spec in specs:
            print((await apply_spec(spec)).summary())

    asyncio.run(_with_db(_ops_settings(), work))


@contextlib.contextmanager
def _progress_bars(enabled: bool = True) -> Iterator[tuple[ProgressFactory | None, Callable[[str], None]]]:
    """Progress bars on stderr (only on a terminal) and a log function that prints above them."""
    if not enabled or not sys.stderr.isatty():
        yield None, print
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True)) as bars:
        def start(label: str, total: int) -> Callable[[], None]:
            task = bars.add_task(label, total=max(total, 0))
            return lambda: bars.advance(task)

        yield start, bars.console.print


def _run_import(args, import_file) -> None:
    """An all-or-nothing CSV import: the summary, or the per-row report and exit status 1."""
    from kinerja.core.csvimport import ImportFailed
    from kinerja.core.errors import DomainError

    try:
        with _progress_bars(not args.quiet) as (progress, _log):
            async def work():
                return await import_file(args.tenant, Path(args.file), progress=progress)

            result = asyncio.run(_with_db(_ops_settings(), work))
    except ImportFailed as exc:
        print(exc.report(), file=sys.stderr)
        sys.exit(1)
    except DomainError as exc:  # the stored data changed while the file was written
        print(exc.message, file=sys.stderr)
        sys.exit(1)
    print(result.summary())


def cmd_import_employees(args) -> None:
    from kinerja.org.importer import import_employees_file

    _run_import(args, import_employees_file)


def cmd_import_training(args) -> None:
    from kinerja.training.importer import import_training_file

    _run_import(args, import_training_file)


def _new_password() -> str:
    password = os.environ.get("KINERJA_NEW_PASSWORD")
    if not password:
        import getpass

        password = getpass.getpass("Password: ")
    return password


def _operator_task(work) -> None:
    """Run an operator task on the database and print its answer; a refusal exits with status 1."""
    try:
        answer = asyncio.run(_with_db(_ops_settings(), work))
    except ValueError as exc:
        sys.exit(f"error: {exc}")
    if answer is not None:
        print(answer)


def cmd_users_create(args) -> None:
    from kinerja.auth.admin import create_user

    password = _new_password()
    _operator_task(lambda: create_user(args.tenant, args.username, password, args.role, args.employee_nip))


def cmd_users_list(args) -> None:
    from kinerja.auth.admin import list_users

    async def work():
        rows = [(u.username, "active" if u.active else "inactive", ",".join(u.roles) or "-", u.employee_nip or "-")
                for u in await list_users(args.tenant)]
        return _table(("USERNAME", "STATUS", "ROLES", "EMPLOYEE NIP"), rows)

    _operator_task(work)


def cmd_users_deactivate(args) -> None:
    from kinerja.auth.admin import deactivate_user

    _operator_task(lambda: deactivate_user(args.tenant, args.username))


def cmd_users_reset_password(args) -> None:
    from kinerja.auth.admin import reset_password

    password = _new_password()
    _operator_task(lambda: reset_password(args.tenant, args.username, password))


def cmd_tenants_list(args) -> None:
    from kinerja.provisioning.overview import list_tenants

    async def work():
        rows = [(t.slug, t.kind, str(t.org_units), str(t.employees), str(t.users), t.name)
                for t in await list_tenants()]
        return _table(("SLUG", "KIND", "UNITS", "EMPLOYEES", "USERS", "NAME"), rows)

    _operator_task(work)


def cmd_tenants_show(args) -> None:
    import json

    from kinerja.provisioning.overview import show_tenant

    async def work():
        tenant = await show_tenant(args.slug)
        t = tenant.summary
        lines = [f"slug: {t.slug}", f"name: {t.name}", f"kind: {t.kind}", f"id: {tenant.id}",
                 f"created: {tenant.created_at}", f"org units: {t.org_units}",
                 f"active employees: {t.employees}", f"active users: {t.users}", "settings:"]
        lines += [f"  {key}: {json.dumps(value)}" for key, value in sorted(tenant.settings.items())]
        return "\n".join(lines)

    _operator_task(work)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """Plain aligned columns: readable, and easy to cut or grep."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in [header, *rows])


def cmd_export_schema(args) -> None:
    from kinerja.api.schema import schema
    from kinerja.core.paths import schema_file

    sdl = schema.as_str().rstrip() + "\n"
    target = Path(args.output) if args.output else schema_file()
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != sdl:
            sys.exit(f"{target} is stale: run `kinerja export-schema` and commit it")
        print(f"{target} is current")
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(sdl, encoding="utf-8")
    print(f"wrote {target}")


def _metrics_directory() -> str | None:
    """The workers' shared metric files (prometheus-client's multi-process mode): the operator's
    PROMETHEUS_MULTIPROC_DIR, emptied, or a new temporary directory (returned, to be removed at exit).
    Set before any worker imports prometheus-client."""
    import tempfile

    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if configured:
        directory = Path(configured)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
        return None
    created = tempfile.mkdtemp(prefix="kinerja-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = created
    return created


def cmd_serve(args) -> None:
    import shutil

    import uvicorn

    _settings()  # fail fast on a bad configuration, before workers start
    created = _metrics_directory()
    try:
        # Idle keep-alive connections live longer than a reverse proxy's (60 s for nginx): the server
        # closing first races the client's next request on that connection, which then fails.
        uvicorn.run("kinerja.app:create_served_app", factory=True, host=args.host, port=args.port,
                    workers=args.workers, access_log=False, log_config=None, timeout_keep_alive=75)
    finally:
        if created:
            shutil.rmtree(created, ignore_errors=True)


def cmd_worker(args) -> None:
    from kinerja.notifications import worker

    settings = _ops_settings()

    async def work():
        if args.once:
            print(await worker.run_once())
        else:
            await worker.run(args.interval)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_with_db(settings, work))


def cmd_demo(args) -> None:
    import uvicorn

    from kinerja.core.paths import tenants_dir
    from kinerja.demo.seed import seed_demo

    os.environ["KINERJA_MODE"] = "demo"
    settings = _settings(mode="demo")
    if args.reset and not settings.uses_postgres and Path(settings.sqlite_path).exists():
        Path(settings.sqlite_path).unlink()

    async def prepare(progress, log):
        await migrate(settings)
        await _with_db(settings, lambda: seed_demo(sorted(tenants_dir().glob("*.toml")), log=log, progress=progress))

    with _progress_bars() as (progress, log):
        asyncio.run(prepare(progress, log))
    url = f"http://{args.host}:{args.port}/graphql"
    print(f"\nKinerja demo: {url} (GraphiQL)\n"
          "Log in with mutation login(input: {tenant: \"bungo\", username: \"pegawai\", "
          "password: \"kinerja-demo\"}), then send the accessToken as 'Authorization: Bearer ...'.\n")
    uvicorn.run("kinerja.app:create_served_app", factory=True, host=args.host, port=args.port,
                access_log=False, log_config=None)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Every option's help ends with its default (or says it is required); descriptions and epilogs
    keep their line breaks."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if not action.option_strings or action.default is argparse.SUPPRESS:
            return text
        if action.required:
            return f"{text} (required)"
        default = action.default
        shown = {None: "none", False: "off", "": "empty"}.get(default, default) if not isinstance(
            default, list) else (", ".join(default) or "none")
        return f"{text} (default: {shown})"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kinerja")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _columns_epilog(columns: dict[str, tuple[str, ...]], required: tuple[str, ...], intro: str) -> str:
    from kinerja.core.csvimport import describe_columns

    return (f"{intro}\n\ncolumns (header names, any case; comma, semicolon or tab separated; UTF-8):\n"
            f"{describe_columns(columns, required)}")


def build_parser() -> argparse.ArgumentParser:
    from kinerja.core.paths import tenants_dir
    from kinerja.org import importer as employees
    from kinerja.training import importer as training

    parser = argparse.ArgumentParser(prog="kinerja", description=__doc__, formatter_class=_HelpFormatter)
    parser.add_argument("--version", action="version", version=f"kinerja {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(parent, name: str, help: str, **kwargs) -> argparse.ArgumentParser:
        return parent.add_parser(name, help=help, description=kwargs.pop("description", help),
                                 formatter_class=_HelpFormatter, **kwargs)

    p = command(sub, "migrate", "apply database migrations (as the owner role: MIGRATION_DATABASE_URL)")
    p.set_defaults(func=cmd_migrate)

    p = command(sub, "db-init", "create the PostgreSQL roles and database (as a superuser); prints both URLs")
    p.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                   help="URL of a PostgreSQL superuser")
    p.add_argument("--database", default="kinerja", help="name of the database to create")
    p.add_argument("--app-password", default="", help="password of the application role kinerja_app (empty: no password)")
    p.add_argument("--owner-password", default="", help="password of the owner role kinerja_owner (empty: no password)")
    p.set_defaults(func=cmd_db_init)

    p = command(sub, "tenants", "manage tenants (tenants apply|list|show)")
    tsub = p.add_subparsers(dest="tenants_command", required=True, metavar="COMMAND")
    a = command(tsub, "apply", "create or update tenants from their files, e.g. tenants/<slug>.toml (idempotent)",
                epilog=f"The example tenants' files ship with the package, in {tenants_dir()}")
    a.add_argument("files", nargs="+", help="tenant files (TOML)")
    a.set_defaults(func=cmd_tenants_apply)
    a = command(tsub, "list", "list the tenants with their org units, active employees and active users")
    a.set_defaults(func=cmd_tenants_list)
    a = command(tsub, "show", "show one tenant: name, kind, counts and settings")
    a.add_argument("slug", help="the tenant's slug")
    a.set_defaults(func=cmd_tenants_show)

    p = command(sub, "import-employees", "import employees from a SIASN-style CSV (all rows or none)",
                epilog=_columns_epilog(employees.COLUMNS, employees.REQUIRED,
                                       "Rows with a known NIP update that employee; the unit is an org unit "
                                       "code or name, the position a position name of the tenant;\n"
                                       "jenis_pegawai is PNS (default) or PPPK."))
    p.add_argument("--tenant", required=True, help="slug of the tenant to import into")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("file", help="the CSV file")
    p.set_defaults(func=cmd_import_employees)

    p = command(sub, "import-training", "import SIASN 'kursus' training records from CSV as verified (all or none)",
                epilog=_columns_epilog(training.COLUMNS, training.REQUIRED,
                                       "Dates as YYYY-MM-DD or DD-MM-YYYY; jp is the number of lesson hours "
                                       "(jam pelajaran);\nkind is one of "
                                       + ", ".join(k.value for k in training.TrainingKind) + "."))
    p.add_argument("--tenant", required=True, help="slug of the tenant to import into")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("file", help="the CSV file")
    p.set_defaults(func=cmd_import_training)

    p = command(sub, "users", "manage logins (users create|list|deactivate|reset-password)")
    usub = p.add_subparsers(dest="users_command", required=True, metavar="COMMAND")
    c = command(usub, "create", "create a user (password from KINERJA_NEW_PASSWORD, else a prompt)")
    c.add_argument("--tenant", required=True, help="slug of the user's tenant")
    c.add_argument("--username", required=True, help="login name (usually the NIP)")
    c.add_argument("--role", action="append", default=[], help="a role to grant (repeat for several)")
    c.add_argument("--employee-nip", help="NIP of the employee record this login belongs to")
    c.set_defaults(func=cmd_users_create)
    c = command(usub, "list", "list a tenant's users with status, roles and employee NIP")
    c.add_argument("--tenant", required=True, help="slug of the tenant")
    c.set_defaults(func=cmd_users_list)
    c = command(usub, "deactivate", "deactivate a user: no more logins, and every session ended")
    c.add_argument("--tenant", required=True, help="slug of the user's tenant")
    c.add_argument("--username", required=True, help="login name")
    c.set_defaults(func=cmd_users_deactivate)
    c = command(usub, "reset-password", "set a new password (from KINERJA_NEW_PASSWORD, else a prompt) and end "
                                        "every session of the user")
    c.add_argument("--tenant", required=True, help="slug of the user's tenant")
    c.add_argument("--username", required=True, help="login name")
    c.set_defaults(func=cmd_users_reset_password)

    p = command(sub, "export-schema", "write schema/schema.graphql (or --check that it is current)")
    p.add_argument("--check", action="store_true", help="only check that the file is current (exit 1 if not)")
    p.add_argument("--output", help="write here instead of schema/schema.graphql")
    p.set_defaults(func=cmd_export_schema)

    p = command(sub, "serve", "serve the API (production: needs DATABASE_URL and KINERJA_SECRET_KEY)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8000, help="port to listen on")
    p.add_argument("--workers", type=int, default=1, help="worker processes")
    p.set_defaults(func=cmd_serve)

    p = command(sub, "worker", "run the scheduled jobs: reminders, escalations, notification mail and digests")
    p.add_argument("--interval", type=float, default=60.0, help="seconds between rounds")
    p.add_argument("--once", action="store_true", help="run one round and exit")
    p.set_defaults(func=cmd_worker)

    p = command(sub, "demo", "migrate, seed the demo tenants and serve with GraphiQL (SQLite)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8000, help="port to listen on")
    p.add_argument("--reset", action="store_true", help="start from an empty demo database")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
