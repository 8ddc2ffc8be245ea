"""The `kinerja` command: migrations, tenants, imports, the demo, the server, the schema file."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from kinerja.core.config import ConfigError, Settings


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


def _run_import(args, import_file) -> None:
    """An all-or-nothing CSV import: the summary, or the per-row report and exit status 1."""
    from kinerja.core.csvimport import ImportFailed

    async def work():
        return await import_file(args.tenant, Path(args.file), progress=not args.quiet)

    try:
        result = asyncio.run(_with_db(_ops_settings(), work))
    except ImportFailed as exc:
        print(exc.report(), file=sys.stderr)
        sys.exit(1)
    print(result.summary())


def cmd_import_employees(args) -> None:
    from kinerja.org.importer import import_employees_file

    _run_import(args, import_employees_file)


def cmd_import_training(args) -> None:
    from kinerja.training.importer import import_training_file

    _run_import(args, import_training_file)


def cmd_users_create(args) -> None:
    from kinerja.auth.admin import create_user

    password = os.environ.get("KINERJA_NEW_PASSWORD") or args.password
    if not password:
        import getpass

        password = getpass.getpass("Password: ")

    async def work():
        return await create_user(args.tenant, args.username, password, args.role, args.employee_nip)

    try:
        print(asyncio.run(_with_db(_ops_settings(), work)))
    except ValueError as exc:
        sys.exit(f"error: {exc}")


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
        uvicorn.run("kinerja.app:create_app", factory=True, host=args.host, port=args.port,
                    workers=args.workers, access_log=False, log_config=None, timeout_keep_alive=75)
    finally:
        if created:
            shutil.rmtree(created, ignore_errors=True)


def cmd_demo(args) -> None:
    import uvicorn

    from kinerja.core.paths import tenants_dir
    from kinerja.demo.seed import seed_demo

    os.environ["KINERJA_MODE"] = "demo"
    settings = _settings(mode="demo")
    if args.reset and not settings.uses_postgres and Path(settings.sqlite_path).exists():
        Path(settings.sqlite_path).unlink()

    async def prepare():
        await migrate(settings)
        await _with_db(settings, lambda: seed_demo(sorted(tenants_dir().glob("*.toml"))))

    asyncio.run(prepare())
    url = f"http://{args.host}:{args.port}/graphql"
    print(f"\nKinerja demo: {url} (GraphiQL)\n"
          "Log in with mutation login(input: {tenant: \"bungo\", username: \"pegawai\", "
          "password: \"kinerja-demo\"}), then send the accessToken as 'Authorization: Bearer ...'.\n")
    uvicorn.run("kinerja.app:create_app", factory=True, host=args.host, port=args.port,
                access_log=False, log_config=None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kinerja", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("migrate", help="apply database migrations (as the owner role)")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("db-init", help="create the PostgreSQL roles and database (as a superuser)")
    p.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--database", default="kinerja")
    p.add_argument("--app-password", default="")
    p.add_argument("--owner-password", default="")
    p.set_defaults(func=cmd_db_init)

    p = sub.add_parser("tenants", help="manage tenants from their declarative files")
    tsub = p.add_subparsers(dest="tenants_command", required=True)
    a = tsub.add_parser("apply", help="create or update tenants from tenants/<slug>.toml (idempotent)")
    a.add_argument("files", nargs="+")
    a.set_defaults(func=cmd_tenants_apply)

    p = sub.add_parser("import-employees", help="import employees from a SIASN-style CSV (all or nothing)")
    p.add_argument("--tenant", required=True)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("file")
    p.set_defaults(func=cmd_import_employees)

    p = sub.add_parser("import-training", help="import SIASN 'kursus' training records from CSV (all or nothing)")
    p.add_argument("--tenant", required=True)
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("file")
    p.set_defaults(func=cmd_import_training)

    p = sub.add_parser("users", help="manage logins")
    usub = p.add_subparsers(dest="users_command", required=True)
    c = usub.add_parser("create", help="create a user (password from KINERJA_NEW_PASSWORD or a prompt)")
    c.add_argument("--tenant", required=True)
    c.add_argument("--username", required=True)
    c.add_argument("--role", action="append", default=[])
    c.add_argument("--employee-nip")
    c.add_argument("--password", help=argparse.SUPPRESS)
    c.set_defaults(func=cmd_users_create)

    p = sub.add_parser("export-schema", help="write schema/schema.graphql (or --check that it is current)")
    p.add_argument("--check", action="store_true")
    p.add_argument("--output")
    p.set_defaults(func=cmd_export_schema)

    p = sub.add_parser("serve", help="serve the API (production: needs DATABASE_URL and KINERJA_SECRET_KEY)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="migrate, seed the demo tenants and serve with GraphiQL (SQLite)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--reset", action="store_true", help="start from an empty demo database")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
