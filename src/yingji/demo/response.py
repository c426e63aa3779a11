"""Demo step ``response``: the demo city's emergency response, so the response pages start full.

What it writes (deterministic for a seed and the surveillance step's ``today``; every record through the response
services, as the county CDC and health commission would):

- **A closed event** from the newest past outbreak (over three weeks ago) whose public-health event report the
  surveillance step wrote: opened from that report (by hand when no such outbreak has one), Ⅳ级响应, raised to Ⅲ级,
  lowered to Ⅳ级, then ended with a closing summary (which lifts the response) — its initial and final situation
  reports submitted.
- **An active event at level Ⅲ** opened from the demo's own early-warning signal of the current outbreak (the
  detection step leaves it suspected or under investigation); by hand from the outbreak's plan when detection
  raised none. Ⅳ级 then Ⅲ级 with reasons, a risk assessment, a consultation with decisions, the checklist stage of
  level Ⅲ activated (its tasks), tasks in every state (to do, in progress, done, cancelled, and overdue), situation
  reports (initial and one progress report submitted, the next progress report a draft), the outbreak's report
  cards as cases, their close contacts under home or centralized observation, a follow-up team covering the
  county, every follow-up day up to today generated (past days recorded, today's waiting).
- **An inspection and its follow-up (回头看)** of 明湖区's hospitals by 明湖区卫生健康局: findings open and
  overdue, being rectified, rectified awaiting the check, verified in the follow-up, and one sent back.

Times run between the signal (or report) and the start of ``today`` (Beijing), so nothing lies in the future and a
re-run with the same seed and ``today`` decides the same things. Like the detection step, this synthetic history is
not audited row by row (it would say that county staff did a week's work the moment the demo was built): the step
runs with django-auditlog disabled. ``build`` does nothing when the demo city already has response records;
``reset`` removes them (and the demo's follow-up teams).
"""

from __future__ import annotations

import logging
import time as clock
from datetime import date, datetime, timedelta

from auditlog.context import disable_auditlog

from yingji.core.models import Organisation, User
from yingji.core.roles import Role

from .context import DemoContext
from .regions import DEMO_PREFIX

STEP = "response"
DISTRICT = "990102"  # 明湖区: the district of the demo logins wjw_district and cdc_district
log = logging.getLogger("yingji.demo")


def demo_events():
    from yingji.response.models import Event

    return Event.objects.filter(region__code__startswith=DEMO_PREFIX)


def demo_inspections():
    from yingji.response.models import Inspection

    return Inspection.objects.filter(region__code__startswith=DEMO_PREFIX)


def _history(ctx: DemoContext):
    from . import surveillance

    return ctx.plan.get(surveillance.STEP) or surveillance.plan(ctx)


def build(ctx: DemoContext) -> None:
    if demo_events().exists() or demo_inspections().exists():
        return
    history = _history(ctx)
    started = clock.perf_counter()
    advance = ctx.track(STEP, "应急响应示范数据 / response demo", 3)
    with disable_auditlog():
        made = {"closed": _closed_event(ctx, history)}
        advance()
        made["active"] = _active_event(ctx, history)
        advance()
        made["inspections"] = _inspections(ctx, history)
        advance()
    log.info("demo response (seed %s): %s (%.1f s)", ctx.seed,
             {k: getattr(v, "number", v) for k, v in made.items()}, clock.perf_counter() - started)


def reset(ctx: DemoContext) -> None:
    with disable_auditlog():
        _reset()


def _reset() -> None:
    """Everything the step made, children first (several links are PROTECT)."""
    from yingji.response import models as m

    events = demo_events()
    inspections = demo_inspections()
    for event in events.exclude(source_signal=None).select_related("source_signal"):
        _unlink(event)
    m.Finding.objects.filter(inspection__in=inspections).update(reviewed_in=None)
    m.Finding.objects.filter(inspection__in=inspections).delete()
    inspections.exclude(follow_up_of=None).update(follow_up_of=None)
    inspections.delete()
    for name, lookup in (("FollowUp", "contact__event__in"), ("TestResult", "event__in"),
                         ("Quarantine", "contact__event__in")):
        model = getattr(m, name, None)
        if model is not None:
            model.objects.filter(**{lookup: events}).delete()
    if hasattr(m, "Contact"):
        m.Contact.objects.filter(event__in=events).update(source_contact=None, became_case=None)
        m.Contact.objects.filter(event__in=events).delete()
        m.EventCase.objects.filter(event__in=events).delete()
    for name in ("Task", "ChecklistActivation", "Consultation", "RiskAssessment", "SituationReport"):
        model = getattr(m, name, None)
        if model is not None:
            model.objects.filter(event__in=events).delete()
    m.LevelChange.objects.filter(event__in=events).delete()
    events.delete()
    team = getattr(m, "FollowUpTeam", None)
    if team is not None:
        team.objects.filter(organisation__region__code__startswith=DEMO_PREFIX).delete()


def _unlink(event) -> None:
    """Undo the link an event opened from a signal made (status, reference, the action), so the detection step's
    signals are as it left them."""
    signal = event.source_signal
    action = signal.actions.filter(to_status="linked").order_by("-at", "-pk").first()
    if action is None or signal.response_ref != event.number:
        return
    before = signal.actions.exclude(pk=action.pk).order_by("-at", "-pk").first()
    signal.status = action.from_status
    signal.response_ref = ""
    signal.closed_at = None
    signal.outcome_note = before.note if before is not None else ""
    signal.save(update_fields=["status", "response_ref", "closed_at", "outcome_note", "updated_at"])
    action.delete()


# --- helpers -------------------------------------------------------------------------------------------------


class Clock:
    """Moments between ``start`` and ``end`` (the start of today): ``at(f)`` is the fraction f of the way."""

    def __init__(self, start: datetime, end: datetime):
        self.start, self.end = start, max(end, start + timedelta(hours=1))

    def at(self, fraction: float) -> datetime:
        return (self.start + (self.end - self.start) * fraction).replace(microsecond=0)


def _user(org: Organisation, role: str) -> User | None:
    return (User.objects.filter(organisation=org, role=role, is_active=True).order_by("username").first()
            if org is not None else None)


def _org(region_code: str, kind: str) -> Organisation | None:
    return (Organisation.objects.filter(region_id=region_code, kind=kind, is_active=True).order_by("code").first())


def _people(county: str) -> tuple[User, User, Organisation, Organisation]:
    """(the county CDC's user, the county commission's user (or the CDC user), the CDC, the commission)."""
    cdc = _org(county, Organisation.Kind.CDC)
    commission = _org(county, Organisation.Kind.HEALTH_COMMISSION)
    cdc_user = _user(cdc, Role.CDC)
    return cdc_user, _user(commission, Role.HEALTH_COMMISSION) or cdc_user, cdc, commission


def _cards_of(outbreak, limit: int):
    from yingji.surveillance.models import CaseReport

    return list(CaseReport.objects.filter(
        disease__code=outbreak.disease_code, address_region__code__startswith=outbreak.town_code,
        onset_date__gte=outbreak.start, onset_date__lte=outbreak.end, original__isnull=True,
        status__in=("submitted", "reviewed")).order_by("onset_date", "card_number")[:limit])


# --- the closed event ----------------------------------------------------------------------------------------


def _report_of(outbreak):
    from yingji.surveillance.models import EventReport

    return (EventReport.objects.filter(initial__isnull=True, status="submitted", disease__code=outbreak.disease_code,
                                       region__code__startswith=outbreak.county_code,
                                       discovered_at__date__gte=outbreak.start - timedelta(days=1),
                                       discovered_at__date__lte=outbreak.end + timedelta(days=14))
            .order_by("discovered_at", "pk").first())


def _closed_event(ctx: DemoContext, history):
    """The newest past outbreak closed at least three weeks ago, opened from its event report (by hand when the
    surveillance step wrote none for any such outbreak)."""
    from yingji.response.choices import ResponseLevel
    from yingji.response.services import events, sitreps

    today = history.now
    past = sorted((o for o in history.outbreaks if not o.current), key=lambda o: o.start, reverse=True)
    old = [o for o in past if o.end + timedelta(days=21) < history.today] or past
    chosen = next(((o, r) for o in old if (r := _report_of(o)) is not None and _people(o.county_code)[0]), None)
    if chosen is None:
        chosen = next(((o, None) for o in old if _people(o.county_code)[0]), None)
    if chosen is None:
        return None
    outbreak, report = chosen
    cdc_user, commission_user, _cdc, commission = _people(outbreak.county_code)
    opened = report.discovered_at if report is not None else datetime.combine(
        outbreak.start + timedelta(days=2), datetime.min.time(), tzinfo=today.tzinfo) + timedelta(hours=9)
    end = min(datetime.combine(outbreak.end + timedelta(days=16), datetime.min.time(), tzinfo=today.tzinfo), today)
    when = Clock(min(opened + timedelta(hours=2), today - timedelta(hours=2)), end)
    if report is not None:
        event = events.create_from_report(cdc_user, report, now=when.at(0))
    else:
        event = events.create_event(cdc_user, title=outbreak.title, category="infectious_outbreak",
                                    region=outbreak.county_code, occurred_at=opened, disease=outbreak.disease_code,
                                    affected_regions=[outbreak.town_code], now=when.at(0),
                                    description=f"{outbreak.title}：短期内出现聚集性病例。")
    authority = commission.name if commission else ""
    events.change_level(event, ResponseLevel.IV, "经风险评估，启动Ⅳ级应急响应，开展病例搜索和现场处置。",
                        authority, commission_user, at=when.at(0.02))
    initial = sitreps.create_sitrep(cdc_user, event, "initial", now=when.at(0.03))
    sitreps.submit_sitrep(cdc_user, initial, now=when.at(0.04))
    events.change_level(event, ResponseLevel.III, "病例数持续增加并出现续发病例，经会商研判提升为Ⅲ级应急响应。",
                        authority, commission_user, at=when.at(0.15))
    events.change_level(event, ResponseLevel.IV, "连续 3 天无新发病例，防控措施落实到位，降为Ⅳ级应急响应。",
                        authority, commission_user, at=when.at(0.55))
    summary = (f"{event.title}处置完毕：最后一例病例发病后经过一个最长潜伏期无新发病例，"
               "病例均已治愈，密切接触者医学观察期满，环境消毒和健康教育已落实，经评估终止应急响应。")
    events.end_event(commission_user, event, summary, decided_by=authority, now=when.at(0.9))
    final = sitreps.create_sitrep(cdc_user, event, "final", now=when.at(0.95))
    sitreps.submit_sitrep(cdc_user, final, now=when.at(0.97))
    return event


# --- the active event ----------------------------------------------------------------------------------------


def _current_signal(outbreak):
    from .detection import demo_signals

    if outbreak is None:
        return None
    return (demo_signals().filter(disease__code=outbreak.disease_code, region_id=outbreak.county_code,
                                  status__in=("suspected", "investigating", "confirmed"),
                                  signal_date__gte=outbreak.start - timedelta(days=3))
            .order_by("signal_date", "pk").first())


def _active_event(ctx: DemoContext, history):
    from yingji.response.choices import ResponseLevel
    from yingji.response.services import events

    outbreak = next((o for o in history.outbreaks if o.current), None)
    if outbreak is None:
        return None
    cdc_user, commission_user, cdc, commission = _people(outbreak.county_code)
    if cdc_user is None:
        return None
    signal = _current_signal(outbreak)
    now = history.now
    if signal is not None:  # after the county CDC's last step on the signal
        last = signal.actions.order_by("-at").values_list("at", flat=True).first()
        anchor = max(t for t in (signal.raised_at, last, signal.verified_at) if t is not None)
    else:
        anchor = datetime.combine(outbreak.start + timedelta(days=1), datetime.min.time(),
                                  tzinfo=now.tzinfo) + timedelta(hours=9)
    when = Clock(anchor + timedelta(minutes=30), now - timedelta(hours=1))
    if signal is not None:
        event = events.create_from_signal(cdc_user, signal, now=when.at(0), title=outbreak.title)
    else:
        event = events.create_event(cdc_user, title=outbreak.title, category="infectious_outbreak",
                                    region=outbreak.county_code, occurred_at=when.at(0),
                                    disease=outbreak.disease_code, affected_regions=[outbreak.town_code],
                                    description=f"{outbreak.title}：学校内短期出现多例腹泻、呕吐病例。",
                                    now=when.at(0))
    if outbreak.town_code not in set(event.affected_regions.values_list("code", flat=True)):
        events.set_affected_regions(cdc_user, event, [outbreak.county_code, outbreak.town_code])
    authority = commission.name if commission else ""
    events.change_level(event, ResponseLevel.IV, "学校出现聚集性病例，启动Ⅳ级应急响应，开展流行病学调查和采样检测。",
                        authority, commission_user, at=when.at(0.05))
    _assessment(event, cdc_user, when)
    _consultation(event, commission_user, cdc, when)
    events.change_level(event, ResponseLevel.III, "病例数超过 20 例并波及多个班级，风险评估为高风险，经会商提升为Ⅲ级应急响应。",
                        authority, commission_user, at=when.at(0.3))
    _checklist_and_tasks(event, cdc_user, commission_user, cdc, when)
    _sitreps(event, cdc_user, when)
    _cases_and_contacts(ctx, event, outbreak, cdc_user, cdc, history, when)
    return event


def _assessment(event, user, when: Clock):
    from yingji.response.services import assessments

    return assessments.create_assessment(
        user, event, likelihood=4, consequence=3, assessed_at=when.at(0.2), topic="学校诺如病毒感染性腹泻暴发风险评估",
        assessors="区疾控中心传染病防制科、急性传染病专家组", rationale="病例集中在同一学校，存在持续传播风险；"
        "学生密集、共用卫生设施，续发风险高；病例均为轻症，尚无重症和死亡。",
        likelihood_note="近 3 天新发病例持续出现，多个班级受累。", consequence_note="影响正常教学秩序，社会关注度高。",
        measures="病例隔离至症状消失后 72 小时；环境和呕吐物规范消毒；加强晨午检和因病缺课登记；暂停集体活动。",
        now=when.at(0.2))


def _consultation(event, user, org, when: Clock):
    from yingji.response.services import consultations

    held = when.at(0.25)
    return consultations.create_consultation(
        user, event, held_at=held, chair="区卫生健康局分管副局长", kind="special", place="区卫生健康局三楼会议室",
        agenda="研判学校诺如病毒感染性腹泻暴发疫情形势，确定响应级别和防控措施。",
        conclusions="疫情仍处于上升期，建议提升为Ⅲ级应急响应，落实病例隔离、环境消毒和密切接触者医学观察。",
        participants=[{"name": "区疾控中心主任", "organisation": org.name if org else "", "role": "汇报疫情"},
                      {"name": "传染病防制科科长", "organisation": org.name if org else "", "role": "专家"},
                      {"name": "教育局体卫艺科科长", "organisation": "区教育局", "role": "联络员"}],
        decisions=[{"text": "学校暂停集体活动 7 天，落实晨午检和因病缺课追踪。", "responsible_org": org.pk if org else None,
                    "due_date": timezone_date(held) + timedelta(days=1)},
                   {"text": "区疾控中心每日报送疫情进展。", "responsible_org": org.pk if org else None,
                    "due_date": timezone_date(held) + timedelta(days=1)}],
        now=held)


def timezone_date(moment: datetime) -> date:
    from django.utils import timezone

    return timezone.localtime(moment).date()


def _checklist_and_tasks(event, cdc_user, manager, cdc, when: Clock):
    """The level-Ⅲ stage's measures as tasks, then tasks in every state, one of them overdue."""
    from yingji.response.models import Task
    from yingji.response.services import checklists, tasks

    event.refresh_from_db()
    stage = checklists.suggested(manager, event)
    if stage is not None:
        checklists.activate_stage(event, stage, manager, now=when.at(0.32))
    made = list(Task.objects.filter(event=event).order_by("deadline", "pk"))
    assignee = cdc or event.lead_org
    overdue = tasks.create_task(manager, event, title="完成学校环境终末消毒并提交消毒记录",
                                description="对病例所在教室、卫生间、食堂进行终末消毒，留存消毒记录。",
                                assignee_org=assignee.pk, deadline=when.at(0.6), now=when.at(0.35))
    pending = tasks.create_task(manager, event, title="开展学校卫生学评价并提出整改意见",
                                assignee_org=assignee.pk, deadline=when.end + timedelta(days=3), now=when.at(0.36))
    working = tasks.create_task(manager, event, title="每日追踪因病缺课学生并汇总",
                                assignee_org=assignee.pk, deadline=when.end + timedelta(days=2), now=when.at(0.37))
    tasks.transition(cdc_user, working, "in_progress", note="已与学校校医建立每日报告机制。", now=when.at(0.45))
    finished = made[0] if made else tasks.create_task(manager, event, title="采集病例肛拭子和呕吐物样本送检",
                                                      assignee_org=assignee.pk, deadline=when.at(0.5),
                                                      now=when.at(0.33))
    tasks.transition(cdc_user, finished, "done", note="已按时完成。", now=when.at(0.4))
    cancelled = made[1] if len(made) > 1 else tasks.create_task(manager, event, title="组织全区学校停课",
                                                                assignee_org=assignee.pk,
                                                                deadline=when.end + timedelta(days=1),
                                                                now=when.at(0.34))
    tasks.transition(manager, cancelled, "cancelled", note="经会商研判无需采取该措施，取消。", now=when.at(0.42))
    if len(made) > 2:
        tasks.transition(cdc_user, made[2], "in_progress", note="正在落实。", now=when.at(0.5))
    return {"overdue": overdue, "todo": pending, "in_progress": working, "done": finished, "cancelled": cancelled}


def _sitreps(event, user, when: Clock):
    from yingji.response.services import sitreps

    initial = sitreps.create_sitrep(user, event, "initial", now=when.at(0.06))
    sitreps.submit_sitrep(user, initial, now=when.at(0.07))
    progress = sitreps.create_sitrep(user, event, "progress", now=when.at(0.5))
    sitreps.submit_sitrep(user, progress, now=when.at(0.55))
    return sitreps.create_sitrep(user, event, "progress", now=when.at(0.95))


NAMES = ("陈", "李", "王", "张", "刘", "杨", "赵", "黄", "周", "吴")
GIVEN = ("子涵", "浩然", "欣怡", "宇轩", "梓萱", "俊杰", "雨桐", "思远", "佳琪", "明轩")


def _cases_and_contacts(ctx: DemoContext, event, outbreak, user, cdc, history, when: Clock):
    """The outbreak's cards as cases (isolated from the day after onset), two or three close contacts each under
    observation, a follow-up team for the county, and every follow-up day up to today (past ones recorded)."""
    from yingji.response.models import FollowUp
    from yingji.response.services import contacts, followups

    rng = ctx.rng(STEP)
    today = history.today
    cases = []
    for card in _cards_of(outbreak, 4):
        isolated = min(card.onset_date + timedelta(days=1), today)
        cases.append(contacts.add_case(user, event, {"case_report": card.pk, "isolated_on": isolated,
                                                     "isolation_place": "居家隔离至症状消失后 72 小时"}, today=today))
    if not cases:
        cases.append(contacts.add_case(user, event, {"name": "病例一", "region": outbreak.town_code,
                                                     "onset_date": today - timedelta(days=3),
                                                     "isolated_on": today - timedelta(days=2)}, today=today))
    if cdc is not None:
        followups.save_team(user, {"name": "流调随访一组", "organisation": cdc.pk,
                                   "regions": [outbreak.county_code]})
    kinds = ("household", "classmate", "household", "colleague", "classmate")
    made = 0
    for number, case in enumerate(cases):
        exposed = min(case.isolated_on or today, today) - timedelta(days=rng.choice((0, 1)))
        for k in range(2 + number % 2):
            name = NAMES[(number * 3 + k) % len(NAMES)] + GIVEN[(number * 7 + k * 3) % len(GIVEN)]
            contacts.add_contact(user, event, {
                "source_case": case.pk, "name": name, "sex": "M" if (number + k) % 2 else "F",
                "contact_type": kinds[(number + k) % len(kinds)], "region": case.region_id,
                "last_exposure": exposed, "mode": "centralized" if k == 0 and number == 0 else "home",
                "exposure_place": "学校" if kinds[(number + k) % len(kinds)] == "classmate" else "家中"}, today=today)
            made += 1
    first = min(c.isolated_on or today for c in cases) - timedelta(days=1)
    followups.generate_range(max(first, today - timedelta(days=6)), today, event=event)
    past = FollowUp.objects.filter(contact__event=event, date__lt=today).order_by("date", "pk")
    for index, followup in enumerate(past):
        missed = index % 9 == 4
        data = {"status": "not_seen", "note": "电话未接通"} if missed else \
            {"status": "seen", "temperature": f"36.{rng.randint(2, 8)}", "symptoms": ""}
        followups.record_followup(user, followup, data, today=followup.date)
    return made


# --- inspection and rectification ---------------------------------------------------------------------------

FINDINGS = (
    # (problem, category, requirement, days from the inspection to the deadline, what happens)
    ("预检分诊点未设置醒目标识，分诊流程图未张贴", "triage", "设置醒目标识，在显眼位置张贴接诊流程图。", 10, "verified"),
    ("发热门诊防护物资储备不足 3 天用量", "supplies", "按不少于 7 天用量补齐防护物资并建立出入库台账。", 14, "rectified"),
    ("应急预案未根据新版方案修订", "plans", "组织修订应急预案并报区卫生健康局备案。", 30, "rectifying"),
    ("消毒记录不完整，未做到每日登记", "disinfection", "建立每日清洁消毒登记制度并指定专人负责。", 7, "overdue"),
    ("部分医务人员未参加传染病防控培训", "training", "组织全员培训并考核，留存签到和考核记录。", 7, "sent_back"),
)


def _inspections(ctx: DemoContext, history):
    """明湖区卫生健康局's supervision of the district's hospitals 25 days ago, and its follow-up 4 days ago."""
    from yingji.response.services import inspections

    _cdc_user, inspector, _cdc, commission = _people(DISTRICT)
    if inspector is None or commission is None:
        return None
    units = list(Organisation.objects.filter(
        region__code__startswith=DISTRICT, is_active=True,
        kind__in=(Organisation.Kind.HOSPITAL, Organisation.Kind.COMMUNITY_HEALTH_CENTRE,
                  Organisation.Kind.TOWNSHIP_HOSPITAL)).order_by("kind", "code")[:3])
    if not units:
        return None
    today = history.today
    first_day = today - timedelta(days=25)
    season = "春夏季" if 3 <= first_day.month <= 8 else "秋冬季"
    first = inspections.create_inspection(
        inspector, region=DISTRICT, date=first_day, kind="supervision", topic=f"{season}传染病防控工作督导检查",
        inspected_orgs=[u.pk for u in units], inspectors="区卫生健康局疾病预防控制科、区疾控中心传染病防制科（4 人）",
        summary="检查预检分诊、发热门诊、疫情报告、消毒隔离、人员培训和物资储备，发现问题 5 项，当场反馈并要求限期整改。",
        findings=[{"description": problem, "category": category, "requirement": requirement,
                   "responsible_org": units[i % len(units)].pk, "deadline": first_day + timedelta(days=days)}
                  for i, (problem, category, requirement, days, _fate) in enumerate(FINDINGS)])
    findings = list(first.findings.order_by("pk"))
    fates = {f.pk: fate for f, (*_rest, fate) in zip(findings, FINDINGS, strict=True)}

    def worker(finding):
        return _user(finding.responsible_org, Role.REPORTER) or inspector

    def at(days: int, hour: int = 10) -> datetime:
        return datetime.combine(first_day + timedelta(days=days), datetime.min.time(),
                                tzinfo=history.now.tzinfo) + timedelta(hours=hour)

    for finding in findings:
        fate = fates[finding.pk]
        if fate in ("verified", "rectified", "sent_back"):
            inspections.record_rectification(worker(finding), finding, note="已按要求完成整改，相关记录已归档。",
                                             done=True, now=at(6 if fate != "rectified" else 12))
        elif fate == "rectifying":
            inspections.record_rectification(worker(finding), finding, note="已成立修订小组，初稿正在征求意见。",
                                             now=at(9))
    follow = inspections.create_inspection(
        inspector, region=DISTRICT, date=today - timedelta(days=4), kind="follow_up", follow_up_of=first.pk,
        topic=f"{season}传染病防控督导发现问题整改“回头看”", inspected_orgs=[u.pk for u in units],
        inspectors="区卫生健康局疾病预防控制科（2 人）",
        summary="逐项核查首次督导发现问题的整改情况：部分问题整改到位，个别问题整改不彻底，已要求限期再整改。")
    for finding in findings:
        fate = fates[finding.pk]
        if fate == "verified":
            inspections.review_finding(inspector, follow, finding, result="verified", note="现场查看，整改到位。",
                                       now=at(21))
        elif fate == "sent_back":
            inspections.review_finding(inspector, follow, finding, result="not_rectified",
                                       note="培训签到表缺少 2 个科室，整改不彻底。",
                                       deadline=today + timedelta(days=10), now=at(21))
    return first
