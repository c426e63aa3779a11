"""Creating user accounts (用户账号): the rules the CLI (and any later page or endpoint) applies.

A user has a unique username, a role and — unless a system administrator — an organisation whose kind suits the
role (a CDC user works at a CDC, a 120 dispatcher at the 120 centre or a station …). The password must pass
Django's password validators (settings.AUTH_PASSWORD_VALIDATORS). Every message comes in Chinese and English.
"""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from .errors import InvalidInput
from .i18n import both
from .models import Organisation, User
from .roles import Role
from .services import acting_as

K = Organisation.Kind
MEDICAL_KINDS = (K.HOSPITAL, K.COMMUNITY_HEALTH_CENTRE, K.TOWNSHIP_HOSPITAL, K.CLINIC, K.LABORATORY)
# Which kinds of organisation each role may belong to; None: any (a leader may sit in any unit).
ROLE_ORG_KINDS: dict[str, tuple[str, ...] | None] = {
    Role.ADMIN: None,
    Role.HEALTH_COMMISSION: (K.HEALTH_COMMISSION,),
    Role.CDC: (K.CDC,),
    Role.REPORTER: MEDICAL_KINDS,
    Role.DISPATCHER: (K.EMS_CENTRE, K.EMS_STATION),
    Role.LEADER: None,
}


def _msg(zh: str, en: str) -> list[dict[str, str]]:
    return [{"message": zh, "message_en": en}]


def role_choices_text() -> tuple[str, str]:
    zh = "、".join(f"{value}（{both(label)[0]}）" for value, label in Role.choices)
    en = ", ".join(f"{value} ({both(label)[1]})" for value, label in Role.choices)
    return zh, en


# Django's validators build their messages when they fail, in the active language, and some lack a Chinese
# translation; these say the same in Chinese, keyed by the validator's error code.
_PASSWORD_ZH = {
    "password_too_short": "密码太短，至少需要 {min_length} 个字符",
    "password_too_common": "密码过于常见，容易被猜中",
    "password_entirely_numeric": "密码不能全是数字",
    "password_too_similar": "密码与用户名、姓名等个人信息过于相似",
}


def password_problems(password: str, user: User | None = None) -> list[dict[str, str]]:
    """What Django's password validators say about ``password``, in both languages (empty when it passes)."""
    rendered = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            try:
                validate_password(password, user)
            except ValidationError as exc:
                rendered[language] = [(e.code, e.params or {}, " ".join(e.messages)) for e in exc.error_list]
            else:
                return []
    problems = []
    for (code, params, en), (_, _, zh) in zip(rendered["en"], rendered["zh-hans"], strict=True):
        if code in _PASSWORD_ZH:
            zh = _PASSWORD_ZH[code].format(**params)
        problems.append({"message": zh, "message_en": en})
    return problems


def create_user(*, username: str, role: str, password: str, org_code: str | None = None, full_name: str = "",
                phone: str = "", actor=None) -> User:
    """Validate and create a user; InvalidInput lists every problem by field (username, role, organisation,
    password …)."""
    errors: dict[str, list[dict[str, str]]] = {}
    username = (username or "").strip()
    org_code = (org_code or "").strip().upper()
    if role not in Role.values:
        zh, en = role_choices_text()
        errors["role"] = _msg(f"角色“{role}”无效，可选：{zh}", f"Unknown role '{role}'; choose one of: {en}")
    organisation = None
    if org_code:
        organisation = Organisation.objects.filter(code=org_code).first()
        if organisation is None:
            errors["organisation"] = _msg(f"机构代码“{org_code}”不存在", f"No organisation with code '{org_code}'")
        elif not organisation.is_active:
            errors["organisation"] = _msg(f"机构“{organisation.name}”已停用",
                                          f"The organisation '{organisation.name}' is deactivated")
    elif role in Role.values and role != Role.ADMIN:
        errors["organisation"] = _msg("除系统管理员外，用户须属于一个机构（请提供机构代码）",
                                      "Every user except a system administrator belongs to an organisation; "
                                      "give its code")
    if organisation is not None and role in Role.values and "organisation" not in errors:
        kinds = ROLE_ORG_KINDS[role]
        if kinds is not None and organisation.kind not in kinds:
            role_zh, role_en = both(Role(role).label)
            kind_zh, kind_en = both(K(organisation.kind).label)
            errors["organisation"] = _msg(
                f"角色“{role_zh}”不能属于{kind_zh}类机构（{organisation.name}）",
                f"The role '{role_en}' cannot belong to a unit of kind '{kind_en}' ({organisation.name})",
            )
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = _msg(f"用户名“{username}”已存在", f"The username '{username}' is taken")

    user = User(username=username, role=role if role in Role.values else Role.LEADER, organisation=organisation,
                full_name=full_name.strip(), phone=phone.strip())
    user.is_staff = user.is_superuser = role == Role.ADMIN
    try:
        user.full_clean(exclude=["password", "organisation"], validate_unique=False)
    except ValidationError as exc:
        for name, error_list in exc.error_dict.items():
            if name == "username" and "username" in errors:
                continue
            for error in error_list:
                zh, en = both(error.message)
                if error.params:
                    zh, en = zh % error.params, en % error.params
                errors.setdefault(name, []).append({"message": zh, "message_en": en})
    problems = password_problems(password, user)
    if problems:
        errors["password"] = problems
    if errors:
        raise InvalidInput(errors)
    user.set_password(password)
    with transaction.atomic(), acting_as(actor):
        user.save()
    return user
