"""The ``yingji`` command (typer + rich): serve, migrate, demo data, users, tokens and imports.

Every command sets up Django (DJANGO_SETTINGS_MODULE=yingji.settings unless set), prints errors in Chinese and
English on stderr and exits non-zero on failure. Long work shows a progress bar.
"""

import functools
import os
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from yingji.demo.context import DEFAULT_SEED  # plain Python: importing it needs no Django set-up

app = typer.Typer(
    help="Yingji 应急 — 卫生应急管理平台命令行 / public-health emergency management platform CLI",
    no_args_is_help=True, add_completion=False, pretty_exceptions_show_locals=False,
)


def _console(stderr: bool = False) -> Console:
    # Piped output (make, CI, tests) gets a wide fixed width so Chinese tables are not folded at 80 columns.
    stream = sys.stderr if stderr else sys.stdout
    wide = None if stream.isatty() or os.environ.get("COLUMNS") else 120
    return Console(stderr=stderr, width=wide, highlight=False)


def fail(zh: str, en: str, code: int = 1):
    err = _console(stderr=True)
    err.print(f"[bold red]错误：[/]{escape(zh)}")
    err.print(f"[red]Error:[/] {escape(en)}")
    raise typer.Exit(code)


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=console, transient=False)


@app.callback()
def setup() -> None:
    """Set up Django before any command."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
    import django

    django.setup()


def _database_guard(exc: Exception):
    fail(f"数据库错误：{exc}（是否已运行 yingji migrate？）",
         f"Database error: {exc} (have you run `yingji migrate`?)")


def database_errors_explained(command):
    """A database that is missing or not migrated gets a two-language hint instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from django.db import DatabaseError

        try:
            return command(*args, **kwargs)
        except DatabaseError as exc:
            _database_guard(exc)

    return wrapper


# --- server and database ------------------------------------------------------------------------------------


@app.command()
def migrate() -> None:
    """迁移数据库 / Apply database migrations."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


def _collectstatic(console: Console) -> int:
    from django.conf import settings
    from django.core.management import call_command

    with console.status("收集静态文件 / Collecting static files…"):
        call_command("collectstatic", interactive=False, verbosity=0)
    count = sum(1 for p in Path(settings.STATIC_ROOT).rglob("*") if p.is_file())
    return count


@app.command()
def collectstatic() -> None:
    """收集静态文件到 STATIC_ROOT（由 WhiteNoise 提供）/ Collect static files into STATIC_ROOT (served by WhiteNoise)."""
    from django.conf import settings

    console = _console()
    count = _collectstatic(console)
    console.print(f"静态文件 / static files: {count} → {settings.STATIC_ROOT}")


def _static_is_collected() -> bool:
    from django.conf import settings

    root = Path(settings.STATIC_ROOT)
    return root.is_dir() and (root / "admin").is_dir()


def _pending_migrations() -> list[str]:
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections["default"])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{m.app_label}.{m.name}" for m, _ in plan]


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="监听地址 / address to bind"),
    port: int = typer.Option(8000, min=1, max=65535, help="端口 / port"),
    workers: int = typer.Option(2, min=1, max=64, help="gunicorn 工作进程数 / gunicorn worker processes"),
    collect: bool = typer.Option(
        False, "--collectstatic", help="启动前重新收集静态文件 / collect static files before starting"
    ),
) -> None:
    """用 gunicorn 运行网站 / Serve the web application with gunicorn."""
    console = _console()
    if collect or not _static_is_collected():
        _collectstatic(console)
    try:
        pending = _pending_migrations()
    except Exception as exc:  # no database yet: say so, the server would fail on every page
        _database_guard(exc)
    if pending:
        console.print(f"[yellow]警告：有 {len(pending)} 个数据库迁移未执行，请先运行 yingji migrate[/]\n"
                      f"[yellow]Warning: {len(pending)} migrations are not applied; run `yingji migrate` first[/]")
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(f"应急平台已启动 / Yingji is serving at [bold]http://{shown}:{port}/[/]  (Ctrl+C 停止 / to stop)")
    sys.stdout.flush()
    argv = [sys.executable, "-m", "gunicorn", "yingji.wsgi:application", "--bind", f"{host}:{port}",
            "--workers", str(workers), "--access-logfile", "-", "--error-logfile", "-", "--timeout", "120"]
    os.execv(sys.executable, argv)


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def manage(ctx: typer.Context) -> None:
    """运行任意 Django 管理命令 / Run any Django management command, e.g. `yingji manage check --deploy`."""
    from django.core.management import execute_from_command_line

    execute_from_command_line(["yingji manage", *ctx.args])


# --- demo city ------------------------------------------------------------------------------------------------


def _print_logins(console: Console) -> None:
    from yingji.demo.users import DEMO_LOGINS, DEMO_PASSWORD

    table = Table(title="示范市演示账号 / Demo logins", title_justify="left")
    table.add_column("用户名 Username", no_wrap=True, style="bold")
    table.add_column("角色 Role")
    table.add_column("机构 Organisation")
    table.add_column("密码 Password", no_wrap=True)
    for login in DEMO_LOGINS:
        table.add_row(login.username, login.label, login.org_name, DEMO_PASSWORD)
    console.print(table)
    console.print("演示密码对所有演示账号相同，仅用于示范数据，切勿用于生产环境。\n"
                  "The demo password is the same for every demo login and serves the demo only; never use it in "
                  "production.")


class _RichSink:
    def __init__(self, progress: Progress):
        self.progress = progress
        self.tasks = {}

    def start(self, key, description, total):
        self.tasks[key] = self.progress.add_task(description, total=total)

    def advance(self, key, amount=1):
        self.progress.advance(self.tasks[key], amount)


KIND_LABELS = {
    "health_commission": "卫健委/卫健局", "cdc": "疾控中心", "hospital": "医院", "community_health_centre": "社区卫生服务中心",
    "township_hospital": "乡镇卫生院", "clinic": "诊所", "ems_centre": "120急救中心", "ems_station": "120急救站",
    "laboratory": "实验室", "government": "政府部门", "other": "其他",
}
LEVEL_LABELS = {1: ("省", "provinces"), 2: ("地市", "prefectures"), 3: ("区县", "districts/counties"),
                4: ("乡镇街道", "streets/towns")}


@app.command("demo-data")
def demo_data(
    seed: int = typer.Option(DEFAULT_SEED, help="随机种子 / random seed"),
    reset: bool = typer.Option(False, "--reset", help="先删除已有示范市 / delete the existing demo city first"),
    years: int = typer.Option(None, "--years", min=1, max=10,
                              help="传染病报告历史年数（默认 3）/ years of case-report history (default 3)"),
) -> None:
    """构建示范市（确定性，可重复运行；演示账号密码会被重置）/ Build the demo city 示范市 (deterministic, safe to
    re-run; demo logins get the demo password back)."""
    from django.db import DatabaseError

    from yingji.core.errors import YingjiError
    from yingji.demo.build import build
    from yingji.demo.users import DemoUserClash

    console = _console()
    console.print(f"构建示范市 / Building 示范市 (seed {seed}{', reset' if reset else ''})")
    try:
        with _progress(console) as progress:
            options = {"surveillance": {"years": years}} if years else None
            summary = build(seed, reset_first=reset, progress=_RichSink(progress), options=options)
    except DemoUserClash as exc:
        fail(exc.message, exc.message_en)
    except YingjiError as exc:
        fail(f"示范数据未能保存：{exc.message} {exc.fields or ''}（可加 --reset 重建）",
             f"The demo data was not saved: {exc.message_en} {exc.fields or ''} (try --reset)")
    except DatabaseError as exc:
        _database_guard(exc)
    table = Table(title=f"示范市 / Demo city — {summary.seconds:.1f} s", title_justify="left")
    table.add_column("项目 Item")
    table.add_column("数量 Count", justify="right")
    for level, count in summary.regions.items():
        zh, en = LEVEL_LABELS[level]
        table.add_row(f"行政区划·{zh} / {en}", str(count))
    for year, people in summary.population.items():
        table.add_row(f"常住人口 {year} / population {year}", f"{people:,}")
    for kind, count in summary.organisations.items():
        table.add_row(f"{KIND_LABELS.get(kind, kind)} / {kind}", str(count))
    table.add_row("机构合计 / organisations", str(sum(summary.organisations.values())))
    table.add_row("演示账号 / demo users", str(summary.users))
    table.add_row("传染病报告卡 / case report cards", f"{sum(summary.cards.values()):,}")
    console.print(table)
    _print_logins(console)


@app.command("demo-logins")
def demo_logins() -> None:
    """打印演示账号（不重建数据）/ Print the demo logins (without rebuilding anything)."""
    _print_logins(_console())


# --- users and tokens ----------------------------------------------------------------------------------------


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return typer.prompt("密码 / Password", hide_input=True, confirmation_prompt="再次输入密码 / Repeat the password")


def _print_field_errors(fields: dict) -> None:
    err = _console(stderr=True)
    table = Table(title="请修改以下内容 / Please correct", title_justify="left")
    table.add_column("字段 Field", no_wrap=True)
    table.add_column("问题", overflow="fold")
    table.add_column("Problem", overflow="fold")
    for name, messages in fields.items():
        for m in messages:
            table.add_row(name, m["message"], m["message_en"])
    err.print(table)


@app.command()
@database_errors_explained
def createuser(
    username: str = typer.Option(..., "--username", help="用户名 / username"),
    role: str = typer.Option(..., "--role", help="角色 / role: admin, health_commission, cdc, reporter, "
                                               "dispatcher, leader"),
    org: str = typer.Option(None, "--org", help="所属机构代码 / organisation code (not needed for admin)"),
    full_name: str = typer.Option("", "--full-name", help="姓名 / full name"),
    phone: str = typer.Option("", "--phone", help="手机 / mobile phone"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="从标准输入读取密码（一行）/ read the password from stdin (one line)"
    ),
) -> None:
    """新建用户（密码须通过强度校验）/ Create a user (the password must pass the strength checks)."""
    from yingji.core.accounts import create_user
    from yingji.core.errors import InvalidInput
    from yingji.core.roles import Role

    password = _read_password(password_stdin)
    try:
        user = create_user(username=username, role=role, password=password, org_code=org, full_name=full_name,
                           phone=phone)
    except InvalidInput as exc:
        _print_field_errors(exc.fields)
        fail("用户未创建", "The user was not created")
    org_name = user.organisation.name if user.organisation else "—"
    _console().print(f"已创建用户 / Created user [bold]{escape(user.username)}[/] "
                     f"({Role(user.role).label} · {escape(org_name)})")


@app.command("create-token")
@database_errors_explained
def create_token(
    username: str = typer.Argument(..., help="用户名 / username"),
    name: str = typer.Argument(..., help="令牌名称，如对接系统名 / token name, e.g. the client system"),
    days: int = typer.Option(None, min=1, help="有效天数（默认不过期）/ days until it expires (default: never)"),
    raw: bool = typer.Option(False, "--raw", help="只输出令牌本身（供脚本使用）/ print only the key (for scripts)"),
) -> None:
    """为用户签发 API 令牌，令牌只显示这一次 / Issue an API token for a user; the key is shown only once."""
    from datetime import timedelta

    from django.utils import timezone

    from yingji.core.models import ApiToken, User

    name = name.strip()
    if not name or len(name) > 64:
        fail("令牌名称须为1–64个字符", "The token name must be 1–64 characters")
    user = User.objects.filter(username=username).first()
    if user is None:
        fail(f"用户“{username}”不存在", f"No user named '{username}'")
    if not user.is_active:
        fail(f"用户“{username}”已停用", f"The user '{username}' is deactivated")
    expires = timezone.now() + timedelta(days=days) if days else None
    token, key = ApiToken.issue(user, name, expires_at=expires)
    if raw:
        typer.echo(key)
        return
    console = _console()
    console.print(f"已为 {escape(user.username)} 签发令牌“{escape(token.name)}” / Issued token '{escape(token.name)}' "
                  f"for {escape(user.username)}" + (f"（{days} 天后过期 / expires in {days} days）" if days else ""))
    console.print("令牌只显示这一次，请立即妥善保存 / The key is shown only this once; store it now:")
    console.print(key, style="bold", soft_wrap=True)
    console.print("用法 / usage: Authorization: Bearer <key>")


# --- imports --------------------------------------------------------------------------------------------------


def _acting_user(username: str | None):
    from django.db.models import Q

    from yingji.core.models import User
    from yingji.core.roles import Role

    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            fail(f"用户“{username}”不存在", f"No user named '{username}'")
        if not user.is_active:
            fail(f"用户“{username}”已停用", f"The user '{username}' is deactivated")
        return user
    user = (User.objects.filter(Q(is_superuser=True) | Q(role=Role.ADMIN), is_active=True).order_by("pk").first())
    if user is None:
        fail("没有可用的系统管理员；请用 --as 指定用户，或先运行 yingji createuser --role admin",
             "No active system administrator; name a user with --as, or run `yingji createuser --role admin` first")
    return user


def _run_import(kind: str, path: Path, valid_only: bool, as_user: str | None) -> None:
    from yingji.core import importing
    from yingji.core.errors import YingjiError

    if not path.is_file():
        fail(f"文件“{path}”不存在", f"The file '{path}' does not exist")
    user = _acting_user(as_user)
    content = path.read_bytes()
    importer, columns = {
        "regions": (importing.import_regions, importing.REGION_COLUMNS),
        "organisations": (importing.import_organisations, importing.ORGANISATION_COLUMNS),
    }[kind]
    console = _console()
    try:
        total = len(importing.read_table(path.name, content, columns))
        with _progress(console) as progress:
            task = progress.add_task(f"导入 / importing {escape(path.name)}", total=total)
            report = importer(user, path.name, content, valid_only=valid_only,
                              progress=lambda i: progress.update(task, completed=i))
    except YingjiError as exc:
        fail(exc.message, exc.message_en)
    if report.errors:
        table = Table(title=f"有问题的行 / Rows with errors ({len(report.errors)})", title_justify="left")
        table.add_column("行 Row", justify="right", no_wrap=True)
        table.add_column("字段 Field", no_wrap=True)
        table.add_column("问题", overflow="fold")
        table.add_column("Problem", overflow="fold")
        for e in report.errors:
            table.add_row(str(e.row), e.field or "—", e.message, e.message_en)
        console.print(table)
    if not report.committed or (report.saved == 0 and report.total > 0):
        why_zh = "文件中有错误的行，未导入任何数据（可用 --valid-only 只导入正确的行）" if report.errors else "没有可导入的行"
        why_en = ("The file has rows with errors; nothing was imported (use --valid-only to import the valid rows)"
                  if report.errors else "There were no rows to import")
        fail(why_zh, why_en)
    console.print(f"[green]已导入 {report.saved}/{report.total} 行[/] / imported {report.saved} of {report.total} rows"
                  + (f"，跳过 {report.total - report.saved} 行有错误的行 / skipped {report.total - report.saved} bad rows"
                     if report.saved < report.total else ""))


FILE_ARG = typer.Argument(..., help="CSV 或 XLSX 文件 / CSV or XLSX file")
VALID_ONLY = typer.Option(False, "--valid-only", help="只导入正确的行 / import only the valid rows")
AS_USER = typer.Option(None, "--as", help="以该用户身份导入（默认第一个系统管理员）/ import as this user (default: "
                                          "the first administrator)")


@app.command("import-regions")
@database_errors_explained
def import_regions(
    file: Path = FILE_ARG,
    valid_only: bool = VALID_ONLY,
    as_user: str = AS_USER,
) -> None:
    """导入行政区划及人口 / Import regions (and population) from CSV or Excel."""
    _run_import("regions", file, valid_only, as_user)


@app.command("import-orgs")
@database_errors_explained
def import_orgs(
    file: Path = FILE_ARG,
    valid_only: bool = VALID_ONLY,
    as_user: str = AS_USER,
) -> None:
    """导入机构 / Import organisations from CSV or Excel."""
    _run_import("organisations", file, valid_only, as_user)

import yingji.detection.evaluation.cli  # noqa: E402, F401  (registers `yingji evaluate`)

if __name__ == "__main__":  # pragma: no cover
    app()
