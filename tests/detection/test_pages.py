"""Early-warning pages: the signals list with its filters and summary by county, a signal's page (series chart
payload, lifecycle, the verification form for writers only), the detection settings and the indicators — for each
role, in Chinese and English, through core.scoping."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.web.conftest import text  # also compiles the zh_Hans catalogue
from yingji.core.roles import Role
from yingji.detection.choices import SignalStatus
from yingji.detection.models import DetectionConfig, Signal, SignalAction
from yingji.surveillance.models import Disease

pytestmark = pytest.mark.django_db

CDN = re.compile(r"""(https?:)?//[^\s"'<>]*(cdn|unpkg|jsdelivr|googleapis)""", re.I)


def make_signal(district, *, disease="3500", method="ears_c2", days_ago=2, status=SignalStatus.NEW, due_hours=24,
                **fields) -> Signal:
    now = timezone.now()
    values = {
        "region": district.region, "disease": Disease.objects.get(code=disease), "method": method,
        "params": {"alpha": 0.001} if method.startswith("ears") else {},
        "signal_date": timezone.localdate() - timedelta(days=days_ago), "observed": 9, "expected": 2.5,
        "upper": 6.1, "status": status, "assigned_org": district.cdc, "raised_at": now - timedelta(hours=30),
        "verify_due_at": now - timedelta(hours=30) + timedelta(hours=due_hours),
    }
    values.update(fields)
    return Signal.objects.create(**values)


def user_of(city, where, role):
    return city.users[role] if where == "city" else getattr(city, where).users[role]


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


# --- rendering and scoping ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("where", "role"), [("city", Role.CDC), ("city", Role.LEADER), ("city", Role.HEALTH_COMMISSION),
                                             ("a", Role.CDC), ("a", Role.LEADER), ("a", Role.HEALTH_COMMISSION)])
def test_pages_render_in_chinese_for_regional_roles_within_their_reach(client, city, where, role):
    mine = make_signal(city.a)
    theirs = make_signal(city.b, disease="4000")
    client.force_login(user_of(city, where, role))
    listing = client.get(reverse("detection:signal_list"))
    html = text(listing)
    assert listing.status_code == 200
    assert 'lang="zh-CN"' in html and "预警信号" in html and "按行政区划" in html and "待核实" in html
    assert not CDN.search(html)
    assert f'data-signal="{mine.pk}"' in html
    assert (f'data-signal="{theirs.pk}"' in html) == (where == "city")
    if where == "a":
        assert "乙区" not in html and "990103" not in html
    grid = json.loads(re.search(r'id="signal-grid-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert "甲区" in grid["regions"] and (("乙区" in grid["regions"]) == (where == "city"))
    for name, words in (("detection:kpis", ["预警工作指标", "响应率", "每县每周信号数"]),
                        ("detection:config_list", ["预警配置", "移动百分位数法"])):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        for word in words:
            assert word in text(response), (name, word)
    detail = client.get(reverse("detection:signal_detail", args=[mine.pk]))
    assert detail.status_code == 200
    assert "流行性感冒" in text(detail) and "signal-series-data" in text(detail)
    other = client.get(reverse("detection:signal_detail", args=[theirs.pk]))
    assert other.status_code == (200 if where == "city" else 404)
    # the navigation has one early-warning dropdown
    nav = text(client.get(reverse("home")))
    assert nav.count("监测预警") == 1 and reverse("detection:signal_list") in nav


@pytest.mark.parametrize("role", [Role.REPORTER, Role.DISPATCHER])
def test_reporters_and_dispatchers_have_no_early_warning_pages(client, city, role):
    signal = make_signal(city.a)
    client.force_login(city.a.users[role])
    for url in (reverse("detection:signal_list"), reverse("detection:kpis"), reverse("detection:config_list"),
                reverse("detection:signal_detail", args=[signal.pk])):
        assert client.get(url).status_code in (403, 404), url
    assert reverse("detection:signal_list") not in text(client.get(reverse("home")))


def test_filters_status_region_disease_dates_and_overdue(client, city):
    overdue = make_signal(city.a, due_hours=1)
    fresh = make_signal(city.a, disease="4000", days_ago=0, raised_at=timezone.now(),
                        verify_due_at=timezone.now() + timedelta(hours=20))
    excluded = make_signal(city.b, disease="1400", days_ago=20, status=SignalStatus.EXCLUDED)
    client.force_login(city.users[Role.CDC])

    def shown(**params):
        html = text(client.get(reverse("detection:signal_list"), params))
        return {s.pk for s in (overdue, fresh, excluded) if f'data-signal="{s.pk}"' in html}

    assert shown() == {overdue.pk, fresh.pk, excluded.pk}
    assert shown(overdue="on") == {overdue.pk}
    assert shown(status="excluded") == {excluded.pk}
    assert shown(status="open") == {overdue.pk, fresh.pk}
    assert shown(region=city.b.region.code) == {excluded.pk}
    assert shown(disease="4000") == {fresh.pk}
    assert shown(method="ears_c2") == {overdue.pk, fresh.pk, excluded.pk} and shown(method="cusum") == set()
    fever = make_signal(city.a, disease="3500", days_ago=6, source="fever_clinic", measure="visits")
    fever.disease = None
    fever.save()
    assert shown(disease="fever:visits") == set()  # the helper above knows three signals only
    html = text(client.get(reverse("detection:signal_list"), {"disease": "fever:visits"}))
    assert f'data-signal="{fever.pk}"' in html and f'data-signal="{overdue.pk}"' not in html
    assert "发热门诊就诊人数" in html
    detail = client.get(reverse("detection:signal_detail", args=[fever.pk]))
    assert detail.status_code == 200 and "发热门诊就诊人数" in text(detail)
    today = timezone.localdate()
    assert shown(date_from=(today - timedelta(days=5)).isoformat()) == {overdue.pk, fresh.pk}
    assert shown(date_to=(today - timedelta(days=10)).isoformat()) == {excluded.pk}
    # a bad range is refused, in Chinese, and shows nothing
    response = client.get(reverse("detection:signal_list"), {"date_from": today.isoformat(),
                                                              "date_to": (today - timedelta(days=3)).isoformat()})
    assert "起始日期不能晚于截止日期" in text(response)
    assert shown(date_from=today.isoformat(), date_to=(today - timedelta(days=3)).isoformat()) == set()
    html = text(client.get(reverse("detection:signal_list")))
    assert 'data-testid="signals-overdue"' in html


def test_district_user_cannot_filter_on_another_district(client, city):
    make_signal(city.b)
    client.force_login(city.a.users[Role.CDC])
    html = text(client.get(reverse("detection:signal_list"), {"region": city.b.region.code}))
    assert "乙区" not in html and "990103" not in html.replace(f"region={city.b.region.code}", "")


# --- a signal's page and its lifecycle ----------------------------------------------------------------------


def test_series_chart_payload_has_observed_expected_threshold_and_alarms(client, city):
    from yingji.surveillance.models import CaseReport  # noqa: F401  (cards are optional: an empty series is zeros)

    signal = make_signal(city.a, method="fixed_threshold", params={})
    client.force_login(city.a.users[Role.CDC])
    html = text(client.get(reverse("detection:signal_detail", args=[signal.pk])))
    data = json.loads(re.search(r'id="signal-series-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert data["signal_date"] == signal.signal_date.isoformat()
    assert 'data-testid="signal-alarm-days"' not in html
    Signal.objects.filter(pk=signal.pk).update(alarm_days=3, last_alarm_date=signal.signal_date + timedelta(days=2))
    html = text(client.get(reverse("detection:signal_detail", args=[signal.pk])))
    assert "预警天数" in html and f"最近一次 {signal.signal_date + timedelta(days=2):%Y-%m-%d}" in html
    assert len(data["dates"]) == len(data["observed"]) == len(data["expected"]) == len(data["upper"]) > 100
    assert data["labels"]["upper"] == "阈值"
    assert data["dates"][-1] == timezone.localdate().isoformat()  # a week past the signal's last alarm, to today


@pytest.mark.parametrize(("where", "role", "form"), [
    ("a", Role.CDC, True), ("city", Role.CDC, True), ("a", Role.LEADER, False), ("city", Role.LEADER, False),
    ("a", Role.HEALTH_COMMISSION, False),
])
def test_verification_form_only_for_writers(client, city, where, role, form):
    signal = make_signal(city.a)
    client.force_login(user_of(city, where, role))
    html = text(client.get(reverse("detection:signal_detail", args=[signal.pk])))
    assert ('data-testid="signal-action-form"' in html) == form
    if not form:
        response = client.post(reverse("detection:signal_act", args=[signal.pk]),
                               {"to_status": "excluded", "note": "越权"})
        assert response.status_code == 403
        signal.refresh_from_db()
        assert signal.status == SignalStatus.NEW and not SignalAction.objects.filter(signal=signal).exists()


def test_a_signal_goes_through_its_lifecycle_on_the_page(client, city):
    from yingji.surveillance.services.events import create_event_report

    signal = make_signal(city.a)
    cdc = city.a.users[Role.CDC]
    client.force_login(cdc)
    url = reverse("detection:signal_act", args=[signal.pk])
    # no outcome: refused in Chinese, nothing saved
    response = client.post(url, {"note": ""})
    assert response.status_code == 422 and "请选择核实结果" in text(response)
    # excluding needs a reason
    response = client.post(url, {"to_status": "excluded", "note": ""})
    assert response.status_code == 422 and "排除信号须说明理由" in text(response)
    signal.refresh_from_db()
    assert signal.status == SignalStatus.NEW and signal.verified_at is None
    # a step the status does not allow
    response = client.post(url, {"to_status": "confirmed", "note": "x"})
    assert response.status_code == 422
    # 初步核实 → 疑似事件 → 现场调查 → 确认暴发 → 关联事件报告
    steps = [("suspected", "病例集中在一所学校"), ("investigating", "已派出流调队"), ("confirmed", "实验室确认")]
    for status, note in steps:
        response = client.post(url, {"to_status": status, "note": note})
        assert response.status_code == 302, text(response)
        signal.refresh_from_db()
        assert signal.status == status
    assert signal.verified_at is not None and signal.verified_by == cdc
    report = create_event_report(cdc, title="甲区学校流感暴发", category="infectious_outbreak",
                                 region=city.a.town.code, discovered_at=timezone.now() - timedelta(hours=1), cases=12,
                                 submit=True)
    page = text(client.get(reverse("detection:signal_detail", args=[signal.pk])))
    assert report.report_number in page
    response = client.post(url, {"to_status": "linked", "note": "", "event_report": ""})
    assert response.status_code == 422 and "请选择要关联的事件报告" in text(response)
    response = client.post(url, {"to_status": "linked", "event_report": report.pk})
    assert response.status_code == 302
    signal.refresh_from_db()
    assert signal.status == SignalStatus.LINKED and signal.event_report == report
    history = list(SignalAction.objects.filter(signal=signal).order_by("at", "pk").values_list("to_status", flat=True))
    assert history == ["suspected", "investigating", "confirmed", "linked"]
    page = text(client.get(reverse("detection:signal_detail", args=[signal.pk])))
    assert "已关联事件" in page and 'data-testid="signal-action-form"' not in page and "实验室确认" in page


def test_verification_errors_in_english(client, city):
    signal = make_signal(city.a)
    client.force_login(city.a.users[Role.CDC])
    english(client)
    url = reverse("detection:signal_act", args=[signal.pk])
    response = client.post(url, {"note": ""})
    assert response.status_code == 422 and "Choose an outcome" in text(response)
    response = client.post(url, {"to_status": "excluded", "note": ""})
    assert "Give the reason for excluding the signal" in text(response) and 'lang="en"' in text(response)


def test_a_district_cdc_cannot_act_on_another_districts_signal(client, city):
    theirs = make_signal(city.b)
    client.force_login(city.a.users[Role.CDC])
    response = client.post(reverse("detection:signal_act", args=[theirs.pk]), {"to_status": "excluded", "note": "x"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == SignalStatus.NEW


# --- settings -------------------------------------------------------------------------------------------------


def mpm_config() -> DetectionConfig:
    return DetectionConfig.objects.filter(methods__0__method="cidars_mpm", region__isnull=True).first() or \
        DetectionConfig.objects.filter(region__isnull=True).first()


VALID_MPM = [{"method": "cidars_mpm", "params": {"window": 7, "years": 3, "percentile": 60}}]


def config_post(config: DetectionConfig, **overrides) -> dict:
    """What the form posts for ``config`` (its methods replaced by a valid moving-percentile setting)."""
    data = {
        "disease": config.disease.code if config.disease_id else "", "source": config.source,
        "measure": config.measure, "region_level": config.region_level, "region": config.region_id or "",
        "profile": config.profile, "methods": json.dumps(VALID_MPM), "min_cases": config.min_cases,
        "frequency": config.frequency, "count_basis": config.count_basis, "holiday_mode": config.holiday_mode,
        "response_hours": config.response_hours or "", "notes": config.notes,
    }
    if config.active:
        data["active"] = "on"
    data.update(overrides)
    return data


@pytest.mark.parametrize(("where", "role", "status"), [("a", Role.CDC, 403), ("city", Role.LEADER, 403),
                                                       ("city", Role.HEALTH_COMMISSION, 403)])
def test_settings_form_is_for_administrators_and_city_cdcs(client, city, where, role, status):
    config = mpm_config()
    client.force_login(user_of(city, where, role))
    assert client.get(reverse("detection:config_edit", args=[config.pk])).status_code == status
    assert client.post(reverse("detection:config_edit", args=[config.pk]),
                       config_post(config, min_cases="7")).status_code == status
    config.refresh_from_db()
    assert config.min_cases != 7


def test_settings_errors_in_chinese_and_english_nothing_saved(client, city):
    config = mpm_config()
    before = DetectionConfig.objects.get(pk=config.pk)
    client.force_login(city.admin)
    url = reverse("detection:config_edit", args=[config.pk])
    bad_methods = json.dumps([{"method": "cidars_mpm", "params": {"percentile": 150}}])
    response = client.post(url, config_post(config, min_cases="0", methods=bad_methods))
    html = text(response)
    assert response.status_code == 422
    assert "未保存" in html and 'data-field="min_cases"' in html and 'data-field="methods"' in html
    response = client.post(url, config_post(config, methods="[{not json"))
    assert "不是有效的 JSON" in text(response)
    english(client)
    response = client.post(url, config_post(config, min_cases="abc", methods=json.dumps([{"method": "nope"}])))
    html = text(response)
    assert "nothing was saved" in html and "Unknown detection method" in html and "whole number" in html
    after = DetectionConfig.objects.get(pk=config.pk)
    assert (after.min_cases, after.methods, after.updated_at) == (before.min_cases, before.methods, before.updated_at)


def test_administrator_changes_a_setting(client, city):
    config = mpm_config()
    client.force_login(city.admin)
    response = client.post(reverse("detection:config_edit", args=[config.pk]), config_post(config, min_cases="3"))
    assert response.status_code == 302
    config.refresh_from_db()
    assert config.min_cases == 3 and config.updated_by == city.admin and config.methods == VALID_MPM
    listing = text(client.get(reverse("detection:config_list")))
    assert f'data-config="{config.pk}"' in listing and "新建配置" in listing


def test_city_cdc_adds_an_override_for_a_district(client, city):
    config = mpm_config()
    client.force_login(city.users[Role.CDC])
    # the general setting is the administrators'
    assert client.get(reverse("detection:config_edit", args=[config.pk])).status_code == 403
    data = config_post(config, region=city.a.region.code, profile="甲区试行", min_cases="2")
    data.pop("active", None)
    response = client.post(reverse("detection:config_create"), data)
    assert response.status_code == 302, text(response)
    override = DetectionConfig.objects.get(region=city.a.region, profile="甲区试行")
    assert override.min_cases == 2 and not override.active
    # a general setting (no region) is the administrators': said on the region field, nothing saved
    response = client.post(reverse("detection:config_create"), config_post(config, profile="全市试行"))
    assert response.status_code == 422 and 'data-field="region"' in text(response)
    assert "只有系统管理员可修改全局预警配置" in text(response)
    assert not DetectionConfig.objects.filter(profile="全市试行").exists()
    # a district user sees it (its own district), a user of the other district does not
    client.force_login(city.a.users[Role.CDC])
    assert f'data-config="{override.pk}"' in text(client.get(reverse("detection:config_list")))
    client.force_login(city.b.users[Role.CDC])
    assert f'data-config="{override.pk}"' not in text(client.get(reverse("detection:config_list")))


# --- indicators ---------------------------------------------------------------------------------------------


def test_indicators_count_responses_outbreaks_and_signals_per_county_week(client, city):
    now = timezone.now()
    make_signal(city.a, verified_at=now - timedelta(hours=29), status=SignalStatus.EXCLUDED)  # 1 h
    make_signal(city.a, verified_at=now - timedelta(hours=20), status=SignalStatus.CONFIRMED, days_ago=3)  # 10 h
    make_signal(city.a, due_hours=2, days_ago=4)  # not responded, overdue
    make_signal(city.a, verified_at=now, status=SignalStatus.LINKED, due_hours=2, days_ago=5)  # 30 h
    make_signal(city.b)
    client.force_login(city.a.users[Role.CDC])
    today = timezone.localdate()
    response = client.get(reverse("detection:kpis"), {"date_from": (today - timedelta(days=13)).isoformat(),
                                                      "date_to": today.isoformat()})
    html = text(response)
    assert response.status_code == 200
    row = re.search(r'<tr data-region="990102"><td>甲区</td>(.*?)</tr>', html, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    # signals, per county per week, response rate, within 24 h, within 2 h, median, suspected, outbreaks, open/overdue
    assert cells[:5] == ["4", "2", "75.0%", "50.0%", "25.0%"]
    assert cells[5].startswith("10.0 h") and cells[6] == "50.0%" and cells[7].startswith("50.0%")
    assert re.sub(r"\s+", "", cells[8]) == "2/1"
    assert "乙区" not in html
    total = re.search(r'<tr data-kind="total">(.*?)</tr>', html, re.S).group(1)
    assert ">4<" in total


def test_a_confirmed_signal_links_a_draft_report_made_from_it(client, city):
    signal = make_signal(city.a, status=SignalStatus.CONFIRMED, verified_at=timezone.now())
    client.force_login(city.a.users[Role.CDC])
    page = text(client.get(reverse("detection:signal_detail", args=[signal.pk])))
    assert re.search(r'<input type="radio" name="to_status" value="linked"[^>]*checked', page)  # the only step
    response = client.post(reverse("detection:signal_act", args=[signal.pk]),
                           {"to_status": "linked", "create_draft": "on"})
    assert response.status_code == 302
    signal.refresh_from_db()
    assert signal.status == SignalStatus.LINKED and signal.event_report is not None
    assert signal.event_report.status == "draft" and signal.event_report.region_id == city.a.region.code
    page = text(client.get(reverse("detection:signal_detail", args=[signal.pk])))
    assert signal.event_report.report_number in page


def test_pages_switch_to_english(client, city):
    signal = make_signal(city.a)
    client.force_login(city.a.users[Role.CDC])
    english(client)
    for url, words in ((reverse("detection:signal_list"), ["Early-warning signals", "Signals per county and day",
                                                           "To be verified", "Verification overdue only"]),
                       (reverse("detection:signal_detail", args=[signal.pk]), ["Preliminary verification", "Lifecycle",
                                                                                "Responsible CDC"]),
                       (reverse("detection:kpis"), ["Early-warning indicators", "Response rate", "Within 24 h"]),
                       (reverse("detection:config_list"), ["Detection settings", "Moving percentile (CIDARS)"])):
        html = text(client.get(url))
        assert 'lang="en"' in html
        for word in words:
            assert word in html, (url, word)
        for chinese in ("预警信号", "待核实", "响应率", "预警配置"):
            assert chinese not in html, (url, chinese)


def test_a_large_reach_lists_the_counties_with_the_most_signals(client, city):
    from yingji.core.models import Region

    for n in range(50, 95):
        Region.objects.create(code=f"9901{n}", name=f"测试{n}县", parent=city.city)
    busy = Region.objects.get(code="990160")
    busy_cdc = city.a.cdc  # any CDC: the summary counts by region
    for days_ago in (1, 2, 3):
        make_signal(city.a, days_ago=days_ago, region=busy, assigned_org=busy_cdc)
    client.force_login(city.admin)
    html = text(client.get(reverse("detection:signal_list")))
    assert 'data-testid="hidden-counties"' in html and "另有 46 个县区未显示" in html
    table = re.search(r'data-testid="signal-regions">(.*?)</table>', html, re.S).group(1)
    assert "测试60县" in table and "测试61县" not in table
    html = text(client.get(reverse("detection:kpis")))
    table = re.search(r'data-testid="kpi-table">(.*?)</table>', html, re.S).group(1)
    assert "测试60县" in table and "测试61县" not in table and "另有 46 个县区未显示" in html
