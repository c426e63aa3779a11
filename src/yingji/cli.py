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

# --- early warning ----------------------------------------------------------------------------------------------


def _parse_day(text: str, option: str):
    from datetime import date

    try:
        return date.fromisoformat(text.strip())
    except (ValueError, AttributeError):
        fail(f"{option} 日期“{text}”格式错误，应为 YYYY-MM-DD（如 2026-03-10）",
             f"{option}: '{text}' is not a date; use YYYY-MM-DD (e.g. 2026-03-10)")


def _runs_table(runs, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column, justify in (("日期 Date", "left"), ("状态 Status", "left"), ("序列 Series", "right"),
                            ("信号 Signals", "right"), ("新信号 New", "right"), ("问题 Problems", "right")):
        table.add_column(column, justify=justify, no_wrap=True)
    for run in runs:
        table.add_row(f"{run.run_date:%Y-%m-%d}", f"{run.get_status_display()} / {run.status}", str(run.series_count),
                      str(run.signal_count), str(run.new_signal_count), str(len(run.problems)))
    return table


def _problems_table(runs, limit: int = 20) -> Table | None:
    rows = [(run.run_date, p) for run in runs for p in run.problems]
    if not rows:
        return None
    table = Table(title=f"未能判断的序列 / Series not judged ({len(rows)}，显示前 {min(limit, len(rows))} 条 / "
                        f"first {min(limit, len(rows))} shown)", title_justify="left")
    table.add_column("日期 Date", no_wrap=True)
    table.add_column("序列 Series", no_wrap=True)
    table.add_column("方法 Method", no_wrap=True)
    table.add_column("原因", overflow="fold")
    table.add_column("Reason", overflow="fold")
    for day, p in rows[:limit]:
        table.add_row(f"{day:%Y-%m-%d}", escape(p.get("series", "")), p.get("method", ""), escape(p.get("message", "")),
                      escape(p.get("message_en", "")))
    return table


@app.command()
@database_errors_explained
def detect(
    day: str = typer.Option(None, "--date", help="判断的日期 YYYY-MM-DD（默认今天，北京时间）/ the date to judge "
                                                 "(default today, Asia/Shanghai)"),
    date_from: str = typer.Option(None, "--from", help="回溯起始日期 / backfill from this date (with --to)"),
    date_to: str = typer.Option(None, "--to", help="回溯结束日期 / backfill to this date (with --from)"),
    notify: bool = typer.Option(None, "--notify/--no-notify",
                                help="通知负责的疾控中心（单日默认通知，回溯默认不通知）/ notify the responsible CDCs "
                                     "(default: yes for one date, no for a backfill)"),
    as_user: str = typer.Option(None, "--as", help="记录为该用户触发 / record the run as started by this user"),
) -> None:
    """运行预警探测：单日或回溯一段日期，可重复运行（不会产生重复信号）/ Run outbreak detection for one date or
    backfill a range; safe to re-run (never duplicates a signal)."""
    from yingji.core.errors import YingjiError
    from yingji.core.models import User

    if day and (date_from or date_to):
        fail("--date 不能与 --from/--to 同时使用", "--date cannot be combined with --from/--to")
    if bool(date_from) != bool(date_to):
        fail("回溯须同时给出 --from 和 --to", "A backfill needs both --from and --to")
    user = None
    if as_user:
        user = User.objects.filter(username=as_user, is_active=True).first()
        if user is None:
            fail(f"用户“{as_user}”不存在或已停用", f"No active user named '{as_user}'")
    console = _console()
    try:
        _detect(console, day, date_from, date_to, notify, user)
    except YingjiError as exc:
        details = "；".join(m["message"] for ms in exc.fields.values() for m in ms)
        details_en = "; ".join(m["message_en"] for ms in exc.fields.values() for m in ms)
        fail(f"{exc.message}：{details}" if details else exc.message,
             f"{exc.message_en}: {details_en}" if details_en else exc.message_en)


def _detect(console: Console, day, date_from, date_to, notify, user) -> None:
    from yingji.detection.services.runs import backfill, local_today, run_detection

    if date_from:
        start, end = _parse_day(date_from, "--from"), _parse_day(date_to, "--to")
        if end < start:
            fail(f"结束日期 {end} 早于开始日期 {start}", f"The end date {end} is before the start date {start}")
        if (end - start).days > 366 * 11:
            fail("回溯范围最长 11 年", "A backfill covers at most 11 years")
        with _progress(console) as progress:
            task = progress.add_task(f"预警回溯 / backfill {start} – {end}", total=(end - start).days + 1)
            runs = backfill(start, end, user=user, send_notifications=bool(notify),
                            progress=lambda done, total, run: progress.update(task, completed=done))
        title = f"预警回溯 / Detection backfill {start} – {end}"
        shown = [r for r in runs if r.signal_count or r.problems] or runs[-1:]
        console.print(_runs_table(shown if len(runs) > 31 else runs, title))
        console.print(f"共 {len(runs)} 天，信号 {sum(r.signal_count for r in runs)} 个（新 "
                      f"{sum(r.new_signal_count for r in runs)} 个）/ {len(runs)} days, "
                      f"{sum(r.signal_count for r in runs)} signals ({sum(r.new_signal_count for r in runs)} new)")
    else:
        target = _parse_day(day, "--date") if day else local_today()
        with console.status(f"预警探测 / detecting {target}…"):
            run = run_detection(target, user=user, send_notifications=notify)
        runs = [run]
        console.print(_runs_table(runs, f"预警探测 / Detection run {target}"))
        _signals_table(console, run)
    problems = _problems_table(runs)
    if problems is not None:
        console.print(problems)


def _signals_table(console: Console, run) -> None:
    from yingji.detection.models import Signal

    signals = list(Signal.objects.filter(signal_date=run.run_date).select_related("region", "disease", "assigned_org")
                   .order_by("region_id", "disease__code", "method"))
    if not signals:
        console.print("无预警信号 / no signals")
        return
    table = Table(title=f"预警信号 / Signals {run.run_date}", title_justify="left")
    for column in ("区域 Region", "病种 Disease", "方法 Method", "观察 Obs.", "阈值 Threshold", "状态 Status",
                   "负责单位 Assigned to"):
        table.add_column(column, no_wrap=True)
    for s in signals:
        table.add_row(escape(s.region.name), escape(s.disease.name if s.disease_id else s.get_measure_display()),
                      s.method, f"{s.observed:g}", "—" if s.upper is None else f"{s.upper:g}",
                      str(s.get_status_display()), escape(s.assigned_org.name if s.assigned_org_id else "—"))
    console.print(table)


if __name__ == "__main__":  # pragma: no cover
    app()
