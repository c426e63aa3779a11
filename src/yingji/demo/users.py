"""The demo logins: one user per role, all with the demo password below.

This module is the single place the demo credentials are written down; ``yingji demo-logins`` prints them and the
Makefile and README refer to that command. The password is public by design: it serves the demo city only.
Never run ``yingji demo-data`` on a production database.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from yingji.core import services
from yingji.core.models import ApiToken, User
from yingji.core.roles import Role

from .context import DemoContext
from .regions import DEMO_PREFIX

DEMO_PASSWORD = "Yingji-Demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    label: str  # the role as the demo presents it, in Chinese
    label_en: str
    org_key: str  # key of the unit in demo.organisations
    org_name: str
    full_name: str
    phone: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("admin", Role.ADMIN, "系统管理员", "System administrator", "city.commission",
              "示范市卫生健康委员会", "周立新", "0990-66000001"),
    DemoLogin("wjw_city", Role.HEALTH_COMMISSION, "卫健委应急办·市级", "Health commission emergency office (city)",
              "city.commission", "示范市卫生健康委员会", "陈卫东", "0990-66000002"),
    DemoLogin("wjw_district", Role.HEALTH_COMMISSION, "卫健委应急办·区级（明湖区）",
              "Health commission emergency office (明湖区 district)", "990102.commission", "明湖区卫生健康局",
              "李海燕", "0990-66000003"),
    DemoLogin("cdc_city", Role.CDC, "疾控中心·市级", "CDC (city)", "city.cdc", "示范市疾病预防控制中心",
              "王建华", "0990-66000004"),
    DemoLogin("cdc_district", Role.CDC, "疾控中心·区级（明湖区）", "CDC (明湖区 district)", "990102.cdc",
              "明湖区疾病预防控制中心", "张晓梅", "0990-66000005"),
    DemoLogin("reporter", Role.REPORTER, "医疗机构报告员", "Medical institution reporter", "hospital.first",
              "示范市第一人民医院", "刘静", "0990-66000006"),
    DemoLogin("dispatcher", Role.DISPATCHER, "120调度员", "120 dispatcher", "city.ems", "示范市急救中心",
              "赵强", "0990-66000007"),
    DemoLogin("leader", Role.LEADER, "领导·只读（市级）", "Leader, read-only (city)", "city.commission",
              "示范市卫生健康委员会", "孙国庆", "0990-66000008"),
)
USERNAMES = frozenset(login.username for login in DEMO_LOGINS)
ADMIN = DEMO_LOGINS[0]


class DemoUserClash(Exception):
    """A demo username already belongs to someone outside the demo city; the build refuses to take it over."""

    def __init__(self, username: str):
        self.username = username
        self.message = f"用户名“{username}”已被示范市以外的用户使用，请勿在生产数据库上生成示范数据"
        self.message_en = (f"The username '{username}' belongs to a user outside the demo city; "
                           "do not build the demo on a production database")
        super().__init__(f"{self.message} / {self.message_en}")


def _check_not_taken(user: User | None) -> None:
    if user is not None and user.organisation_id and not user.organisation.region_id.startswith(DEMO_PREFIX):
        raise DemoUserClash(user.username)


def ensure_actor(ctx: DemoContext) -> User:
    """The demo administrator, created (without a unit yet) if missing: the audit trail names it for the build."""
    user = User.objects.select_related("organisation").filter(username=ADMIN.username).first()
    _check_not_taken(user)
    if user is None:
        user = User(username=ADMIN.username, role=Role.ADMIN, full_name=ADMIN.full_name, is_staff=True,
                    is_superuser=True)
        user.set_password(DEMO_PASSWORD)
        user.save()
    ctx.actor = user
    return user


def build(ctx: DemoContext) -> None:
    existing = {u.username: u for u in User.objects.select_related("organisation").filter(username__in=USERNAMES)}
    advance = ctx.track("users", "示范用户 Demo users", len(DEMO_LOGINS))
    with services.acting_as(ctx.actor):
        for login in DEMO_LOGINS:
            user = existing.get(login.username) or User(username=login.username)
            _check_not_taken(user if user.pk else None)
            user.organisation = ctx.organisations[login.org_key]
            user.role = login.role
            user.full_name = login.full_name
            user.phone = login.phone
            user.is_active = True
            user.is_staff = user.is_superuser = login.role == Role.ADMIN
            if not user.pk or not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
            try:
                user.full_clean(exclude=["password", "last_login"], validate_unique=False)
            except ValidationError as exc:  # a bug in DEMO_LOGINS, not user input
                raise RuntimeError(f"demo user {login.username}: {exc}") from exc
            user.save()
            ctx.users[login.username] = user
            advance()
    _unlock(USERNAMES)


def _unlock(usernames) -> None:
    """Clear failed-login lockouts of the demo users, so a re-run always gives working logins."""
    from axes.utils import reset

    for username in usernames:
        reset(username=username)


def reset(ctx: DemoContext) -> None:
    """Detach users from demo units so the units can go.

    The audit log is append-only and refers to the users who acted, so a user who ever changed anything is never
    deleted: demo users are detached (and re-attached by the next build), others are detached and deactivated.
    Users who never acted are deleted. API tokens of all of them are revoked by deletion.
    """
    from auditlog.models import LogEntry

    users = list(User.objects.filter(organisation__region__code__startswith=DEMO_PREFIX))
    actors = set(LogEntry.objects.filter(actor__in=users).values_list("actor_id", flat=True))
    with transaction.atomic(), services.acting_as(ctx.actor):
        ApiToken.objects.filter(user__in=users).delete()
        for user in users:
            if user.username in USERNAMES or user.pk in actors:
                user.organisation = None
                user.is_active = user.username in USERNAMES
                user.save()
            else:
                user.delete()
