"""Pages of risk assessment and consultations: the coloured matrix with the chosen cell, forms, bad input,
jurisdiction, materials served only within reach."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.response.factories import make_event
from yingji.core.roles import Role
from yingji.response.models import Consultation, RiskAssessment
from yingji.response.services import assessments, consultations


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_assessment_page_records_one_and_highlights_its_cell(client, city):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=1))
    client.force_login(city.a.users[Role.CDC])
    url = f"/emergencies/{event.pk}/assessments/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("data-cell=") == 25 and "data-chosen" not in html
    response = client.post(url, {"likelihood": "4", "consequence": "5", "rationale": "学校聚集",
                                 "assessor_org": city.a.cdc.pk,
                                 "assessed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")})
    assessment = RiskAssessment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assessments/{assessment.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert 'data-cell="4-5" data-risk="very_high" data-chosen="1"' in detail
    assert 'data-testid="recommended-level">' in detail
    listed = client.get(url).content.decode()
    assert 'data-cell="4-5" data-risk="very_high" data-chosen="1"' in listed
    assert 'data-testid="level-differs"' in listed and f"/emergencies/{event.pk}/level/" in listed


def test_bad_input_on_the_page_saves_nothing(client, city):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=1))
    client.force_login(city.a.users[Role.CDC])
    response = client.post(f"/emergencies/{event.pk}/assessments/", {"likelihood": "7", "consequence": "2"})
    assert response.status_code == 422 and not RiskAssessment.objects.exists()
    response = client.post(f"/emergencies/{event.pk}/assessments/", {
        "likelihood": "2", "consequence": "2",
        "assessed_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 422 and 'data-field-error="assessed_at"' in response.content.decode()


def test_readers_see_no_form_and_other_districts_see_nothing(client, city):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=1))
    assessment = assessments.create_assessment(city.a.users[Role.CDC], event, likelihood=2, consequence=3)
    client.force_login(city.a.users[Role.LEADER])
    page = client.get(f"/emergencies/{event.pk}/assessments/").content.decode()
    assert 'data-testid="assessment-form"' not in page
    assert client.post(f"/emergencies/{event.pk}/assessments/", {"likelihood": "3", "consequence": "3"}
                       ).status_code == 403
    client.force_login(city.b.users[Role.CDC])
    assert client.get(f"/emergencies/{event.pk}/assessments/").status_code == 404
    assert client.get(f"/assessments/{assessment.pk}/").status_code == 404


def test_the_matrix_page_is_changed_by_administrators_only(client, city):
    client.force_login(city.a.users[Role.CDC])
    assert client.get("/assessments/matrix/").status_code == 200
    cell = {"likelihood": "1", "consequence": "1", "risk_level": "high", "recommended_level": "III"}
    assert client.post("/assessments/matrix/", cell).status_code == 403
    client.force_login(city.admin)
    client.post("/assessments/matrix/", cell)
    assert 'data-cell="1-1" data-risk="high"' in client.get("/assessments/matrix/").content.decode()


def test_consultation_pages(client, city):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=1))
    client.force_login(city.a.users[Role.CDC])
    url = f"/emergencies/{event.pk}/consultations/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "kind": "expert",
                                 "chair": "区卫健局局长", "online": "on", "users": [city.a.users[Role.CDC].pk],
                                 "participants": "王教授，市疾控中心，传染病专家\n李医生"})
    meeting = Consultation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/consultations/{meeting.pk}/"
    assert list(meeting.participants.values_list("name", flat=True)) == ["cdc02", "王教授", "李医生"]
    detail = f"/consultations/{meeting.pk}/"
    client.post(f"{detail}decisions/", {"text": "全面消毒", "responsible_org": city.a.cdc.pk,
                                        "due_date": timezone.localdate().isoformat()})
    assert meeting.decisions.get().responsible_org == city.a.cdc
    client.post(f"{detail}record/", {"conclusions": "建议启动Ⅳ级响应"})
    meeting.refresh_from_db()
    assert meeting.conclusions == "建议启动Ⅳ级响应"
    client.post(f"{detail}materials/", {"file": SimpleUploadedFile("研判.pdf", b"%PDF-1.4 x")})
    material = meeting.materials.get()
    page = client.get(detail).content.decode()
    assert "研判.pdf" in page and "全面消毒" in page and "王教授" in page
    assert client.get(f"{detail}materials/{material.pk}/").status_code == 200
    bad = client.post(f"{detail}materials/", {"file": SimpleUploadedFile("x.exe", b"MZ")}, follow=True)
    assert meeting.materials.count() == 1 and "不支持的文件类型" in bad.content.decode()
    missing = client.post(url, {"held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "kind": "daily",
                                "chair": "局长"})
    assert missing.status_code == 422 and Consultation.objects.count() == 1  # neither place nor online
    client.force_login(city.b.users[Role.CDC])
    assert client.get(detail).status_code == 404
    assert client.get(f"{detail}materials/{material.pk}/").status_code == 404
    assert client.post(f"{detail}decisions/", {"text": "越权"}).status_code == 404


def test_a_decision_becomes_a_task_from_the_page(client, city):
    if not consultations.tasks_available():
        pytest.skip("tasks are not installed")
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=1))
    meeting = consultations.create_consultation(
        city.a.users[Role.CDC], event, held_at=timezone.now(), chair="局长", online=True,
        decisions=[{"text": "全面消毒", "responsible_org": city.a.cdc.pk}])
    decision = meeting.decisions.get()
    client.force_login(city.a.users[Role.CDC])
    client.post(f"/consultations/{meeting.pk}/decisions/{decision.pk}/task/")
    decision.refresh_from_db()
    assert decision.task_ref
    assert f"#{decision.task_ref}" in client.get(f"/consultations/{meeting.pk}/").content.decode()
