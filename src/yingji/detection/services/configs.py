"""Detection configurations (预警配置): reading, validating and saving them.

Who changes what: a platform administrator every configuration; a city-level (or higher) CDC only configurations
that override the general ones inside its own region (``region`` set, within its jurisdiction); district CDCs and
other roles read only. Methods and parameters are checked against the registry of
``yingji.detection.algorithms`` before anything is saved; a bad value is a field error naming the field
(``methods.0.params.percentile``) in Chinese and English, and nothing is saved.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
from django.db import transaction
from django.db.models import Q, QuerySet

from yingji.core import regioncodes, scoping
from yingji.core.errors import InvalidInput, NotPermitted, field_message
from yingji.core.models import Region
from yingji.core.services import acting_as
from yingji.surveillance.models import Disease

from ..algorithms import METHODS, ParameterError, run
from ..choices import REGION_LEVEL_NUMBER, CountBasis, Frequency, HolidayMode, Measure, RegionLevel, Source
from ..models import DetectionConfig

Errors = dict[str, list[dict[str, str]]]

EDITABLE = ("disease", "source", "measure", "region_level", "region", "profile", "methods", "min_cases", "frequency",
            "count_basis", "holiday_mode", "history_days", "response_hours", "active", "notes")
MAX_HISTORY_DAYS = 11 * 366
TRIAL_DAYS = 60


def configs(user, *, source: str | None = None, disease: str | None = None, active: bool | None = None,
            profile: str | None = None, region: str | None = None) -> QuerySet:
    qs = scoping.scope(user, DetectionConfig.objects.select_related("disease", "region"))
    if not (user and user.is_authenticated and user.is_platform_admin):
        # general configurations are read by everyone; overrides only within the user's jurisdiction
        org_region = user.organisation.region_id if user and user.is_authenticated and user.organisation else None
        inside = Q(region__code__startswith=regioncodes.subtree_prefix(org_region)) if org_region else Q(pk__in=[])
        qs = qs.filter(Q(region__isnull=True) | inside)
    if source:
        qs = qs.filter(source=source)
    if disease:
        qs = qs.filter(disease__code=disease)
    if active is not None:
        qs = qs.filter(active=active)
    if profile:
        qs = qs.filter(profile=profile)
    if region:
        qs = qs.filter(region_id=region)
    return qs


def may_edit(user, config: DetectionConfig | None = None, *, region_code: str | None = None) -> bool:
    """Administrators edit everything; a CDC at city level or above edits overrides within its own region (both
    the configuration's current region and ``region_code``, the one it is given, must be inside it)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_platform_admin:
        return True
    if user.role != "cdc" or user.organisation is None:
        return False
    org_region = user.organisation.region_id
    try:
        if regioncodes.level_of(org_region) > regioncodes.Level.PREFECTURE:
            return False
    except regioncodes.CodeError:
        return False
    targets = [region_code] + ([config.region_id] if config is not None else [])
    return all(code and regioncodes.is_within(code, org_region) for code in targets)


def _add(errors: Errors, name: str, zh: str, en: str) -> None:
    errors.setdefault(name, []).append(field_message(zh, en))


def _parameter_names(method) -> tuple[set[str], bool]:
    """Keyword parameters a method accepts (besides the counts), and whether it takes any (**kwargs)."""
    signature = inspect.signature(method)
    names, open_ended = set(), False
    for i, parameter in enumerate(signature.parameters.values()):
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            open_ended = True
        elif i > 0 and parameter.kind in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD):
            names.add(parameter.name)
    return names, open_ended


def _trial(name: str, params: dict) -> tuple[str, str] | None:
    """Run the method on a small all-zero series; its ParameterError (or a type error) is the message."""
    try:
        run(name, np.zeros((1, TRIAL_DAYS)), **params)
    except ParameterError as exc:
        return exc.message, exc.message_en
    except Exception as exc:  # a wrong type (text for a number, a list …) or an out-of-range value
        return f"参数取值无效：{exc}", f"invalid parameter value: {exc}"
    return None


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def check_methods(methods, errors: Errors) -> list[dict]:
    """Validate ``methods`` (a list of {method, params}); errors go under ``methods.<i>…``. Returns the clean list."""
    if not isinstance(methods, list) or not methods:
        _add(errors, "methods", "须至少配置一种预警方法（列表：{method, params}）",
             "At least one detection method is needed (a list of {method, params})")
        return []
    clean, seen = [], set()
    for i, entry in enumerate(methods):
        where = f"methods.{i}"
        if not isinstance(entry, dict) or not isinstance(entry.get("method"), str):
            _add(errors, where, "每项须为 {method: 方法名, params: {参数}}", "Each item must be {method: name, params: {…}}")
            continue
        name = entry["method"]
        params = entry.get("params") or {}
        unknown_keys = set(entry) - {"method", "params"}
        if unknown_keys:
            _add(errors, where, f"不允许的键：{'、'.join(sorted(unknown_keys))}",
                 f"Keys not allowed: {', '.join(sorted(unknown_keys))}")
        if name not in METHODS:
            known = "、".join(sorted(METHODS))
            _add(errors, f"{where}.method", f"未知的预警方法“{name}”，可选：{known}",
                 f"Unknown detection method '{name}'; available: {', '.join(sorted(METHODS))}")
            continue
        if name in seen:
            _add(errors, f"{where}.method", f"方法“{name}”重复配置", f"The method '{name}' is configured twice")
            continue
        seen.add(name)
        if not isinstance(params, dict):
            _add(errors, f"{where}.params", "参数须为 JSON 对象", "params must be a JSON object")
            continue
        if _has_nul(params):
            _add(errors, f"{where}.params", "参数中不能含有 NUL 字符", "params must not contain NUL characters")
            continue
        accepted, open_ended = _parameter_names(METHODS[name])
        bad = False
        for key, value in params.items():
            field = f"{where}.params.{key}"
            if key == "last":
                _add(errors, field, "参数“last”由预警运行设定，不能配置", "The parameter 'last' is set by the run")
                bad = True
                continue
            if not open_ended and key not in accepted:
                _add(errors, field, f"方法“{name}”没有参数“{key}”，可用参数：{'、'.join(sorted(accepted)) or '无'}",
                     f"The method '{name}' has no parameter '{key}'; its parameters: {', '.join(sorted(accepted)) or 'none'}")
                bad = True
                continue
            if isinstance(value, float) and not math.isfinite(value):
                _add(errors, field, "须为有限的数字", "must be a finite number")
                bad = True
                continue
            problem = _trial(name, {key: value})
            if problem:
                _add(errors, field, f"参数“{key}”：{problem[0]}", f"parameter '{key}': {problem[1]}")
                bad = True
        if not bad:
            problem = _trial(name, params)
            if problem:
                _add(errors, f"{where}.params", problem[0], problem[1])
                bad = True
        if not bad:
            clean.append({"method": name, "params": params})
    return clean


def _choice(values: dict, errors: Errors, name: str, choices) -> None:
    if name in values and values[name] not in choices.values:
        _add(errors, name, f"须为以下之一：{'、'.join(choices.values)}", f"must be one of: {', '.join(choices.values)}")


def _positive_int(values: dict, errors: Errors, name: str, *, low: int, high: int, nullable: bool = False) -> None:
    if name not in values:
        return
    value = values[name]
    if value is None and nullable:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        _add(errors, name, f"须为 {low}–{high} 之间的整数", f"must be a whole number from {low} to {high}")


def validate(values: dict, instance: DetectionConfig | None = None) -> tuple[dict, Errors]:
    """Field values (disease and region given as codes) → (clean values for the model, errors)."""
    errors: Errors = {}
    clean = dict(values)
    unknown = set(values) - set(EDITABLE)
    for name in sorted(unknown):
        _add(errors, name, "不允许的字段", "field not allowed")
    for name, choices in (("source", Source), ("measure", Measure), ("region_level", RegionLevel),
                          ("frequency", Frequency), ("count_basis", CountBasis), ("holiday_mode", HolidayMode)):
        _choice(values, errors, name, choices)
    _positive_int(values, errors, "min_cases", low=1, high=100000)
    _positive_int(values, errors, "history_days", low=7, high=MAX_HISTORY_DAYS)
    _positive_int(values, errors, "response_hours", low=1, high=720, nullable=True)
    if "active" in values and not isinstance(values["active"], bool):
        _add(errors, "active", "须为 true 或 false", "must be true or false")
    for name, limit in (("profile", 64),):
        if name in values and (not isinstance(values[name], str) or not values[name].strip()
                               or len(values[name]) > limit):
            _add(errors, name, f"须为 1–{limit} 个字符", f"must be 1–{limit} characters")
    if "notes" in values and not isinstance(values["notes"], str):
        _add(errors, "notes", "须为文本", "must be text")
    if "disease" in values:
        code = values["disease"]
        if code in (None, ""):
            clean["disease"] = None
        else:
            disease = Disease.objects.filter(code=str(code)).first()
            if disease is None:
                _add(errors, "disease", f"病种代码“{code}”不存在", f"No disease with code '{code}'")
            clean["disease"] = disease
    if "region" in values:
        code = values["region"]
        if code in (None, ""):
            clean["region"] = None
        else:
            region = Region.objects.filter(code=str(code)).first()
            if region is None:
                _add(errors, "region", f"行政区划“{code}”不存在", f"No region with code '{code}'")
            clean["region"] = region
    if "methods" in values:
        clean["methods"] = check_methods(values["methods"], errors)
    # cross-field rules on the merged result
    merged = {name: getattr(instance, name) for name in EDITABLE} if instance is not None else {}
    merged.update({k: v for k, v in clean.items() if k in EDITABLE})
    source = merged.get("source") or Source.CARDS
    measure = merged.get("measure") or (Measure.CASES if source == Source.CARDS else None)
    disease = merged.get("disease")
    if source == Source.CARDS:
        if disease is None and "disease" not in errors:
            _add(errors, "disease", "报告卡来源的配置须指定病种", "A case-card configuration needs a disease")
        if measure != Measure.CASES and "measure" not in errors:
            _add(errors, "measure", "报告卡来源只能按病例数计", "Case-card series count cases")
    elif source == Source.FEVER_CLINIC:
        if disease is not None:
            _add(errors, "disease", "发热门诊来源的配置不指定病种", "A fever-clinic configuration has no disease")
        if measure not in (Measure.VISITS, Measure.POSITIVE) and "measure" not in errors:
            _add(errors, "measure", "发热门诊来源须按就诊人数（visits）或阳性数（positive）计",
                 "A fever-clinic series counts visits or positive tests")
    methods = merged.get("methods") or []
    if (merged.get("holiday_mode") == HolidayMode.SHIFT and "holiday_mode" not in errors
            and any(isinstance(m, dict) and m.get("method") == "fixed_threshold" for m in methods)):
        _add(errors, "holiday_mode", "固定阈值法（单病例预警）不能把节假日病例移到下一工作日：同一病例会在节假日和工作日各报一次",
             "The fixed threshold (single-case alert) cannot move holiday counts to the next workday: the same case "
             "would signal on the holiday and again on the workday")
    region, level = merged.get("region"), merged.get("region_level") or RegionLevel.COUNTY
    if region is not None and "region" not in errors and "region_level" not in errors:
        if region.level > REGION_LEVEL_NUMBER[RegionLevel(level)]:
            _add(errors, "region", "限定区域须在所选层级或其上级（如区县级配置可限定到某市或某区县）",
                 "The region must be at the chosen level or above it (a county-level configuration may be limited "
                 "to a city or a county)")
    if not errors and merged.get("active", True):
        clash = DetectionConfig.objects.filter(
            disease=disease, source=source, measure=measure, region_level=level, region=region, active=True,
            frequency=merged.get("frequency") or Frequency.DAILY)
        if instance is not None and instance.pk:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            _add(errors, "active", "同一病种、来源、层级、区域和频率已有一个启用的配置（可能属于另一方案），请先停用它",
                 "Another active configuration exists for this disease, source, level, region and frequency "
                 "(perhaps another profile); deactivate it first")
    return clean, errors


def save_config(user, data: dict, instance: DetectionConfig | None = None) -> DetectionConfig:
    """Create a configuration, or change one (``data`` then holds only what changes)."""
    region_code = data.get("region", instance.region_id if instance else None) or None
    if not may_edit(user, instance, region_code=region_code):
        raise NotPermitted("只有系统管理员可修改全局预警配置；市级疾控中心可修改本辖区内的区域配置",
                           "Only platform administrators change the general configuration; a city CDC changes "
                           "overrides within its own region")
    clean, errors = validate(data, instance)
    if errors:
        raise InvalidInput(errors)
    config = instance or DetectionConfig()
    for name, value in clean.items():
        setattr(config, name, value)
    if instance is None and config.source == Source.FEVER_CLINIC and "measure" not in data:
        config.measure = Measure.VISITS
    config.updated_by = user
    with transaction.atomic(), acting_as(user):
        config.save()
    return config


def activate_profile(user, profile: str) -> int:
    """Switch every series that has a configuration in ``profile`` to it (others of the same series deactivated).
    Administrators only. Returns how many configurations are now active in the profile."""
    if not (user and user.is_authenticated and user.is_platform_admin):
        raise NotPermitted()
    chosen = list(DetectionConfig.objects.filter(profile=profile))
    if not chosen:
        raise InvalidInput({"profile": [field_message(f"没有名为“{profile}”的方案", f"No profile named '{profile}'")]})
    with transaction.atomic(), acting_as(user):
        for config in chosen:
            others = DetectionConfig.objects.filter(
                Q(disease=config.disease) if config.disease_id else Q(disease__isnull=True),
                source=config.source, measure=config.measure, region_level=config.region_level,
                region=config.region, frequency=config.frequency, active=True).exclude(pk=config.pk)
            for other in others:
                other.active = False
                other.save()
            if not config.active:
                config.active = True
                config.save()
    return len(chosen)


def profiles() -> list[str]:
    return list(DetectionConfig.objects.order_by("profile").values_list("profile", flat=True).distinct())
