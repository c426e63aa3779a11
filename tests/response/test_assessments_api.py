"""API of risk assessments and consultations: create, read, bad input (422 with both languages), jurisdiction."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.response.factories import make_event
from yingji.core.models import ApiToken
from yingji.core.roles import Role
from yingji.response.models import Consultation, RiskAssessment


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(user, 'test')[1]}"}


def post(client, url, body, user, **extra):
    return client.post(url, json.dumps(body), content_type="application/json", **auth(user), **extra)


def test_record_and_read_a_risk_assessment(client, city):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=1))
    user = city.a.users[Role.CDC]
    url = f"/api/v1/emergencies/{event.pk}/assessments"
    response = post(client, url, {"likelihood": 5, "consequence": 4, "rationale": "持续发病"}, user,
                    HTTP_IDEMPOTENCY_KEY="ra-1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["risk_level"], body["recommended_level"], body["likelihood_label"]) == ("very_high", "II", "几乎肯定")
    again = post(client, url, {"likelihood": 5, "consequence": 4, "rationale": "持续发病"}, user,
                 HTTP_IDEMPOTENCY_KEY="ra-1")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert RiskAssessment.objects.count() == 1
    listed = client.get(url, **auth(user)).json()
    assert [a["id"] for a in listed["items"]] == [body["id"]]
    assert client.get(f"/api/v1/assessments/{body['id']}", **auth(user)).json()["event"]["number"] == event.number
    assert client.get("/api/v1/assessments", **auth(city.b.users[Role.CDC])).json()["count"] == 0
    assert client.get(f"/api/v1/assessments/{body['id']}", **auth(city.b.users[Role.CDC])).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"likelihood": 6, "consequence": 3}, "likelihood"),
    ({"likelihood": 0, "consequence": 3}, "likelihood"),
    ({"likelihood": "3", "consequence": 3}, "likelihood"),
    ({"likelihood": 3}, "consequence"),
])
def test_bad_scores_answer_422(client, city, body, field):
    event = make_event(city, "a")
    response = post(client, f"/api/v1/emergencies/{event.pk}/assessments", body, city.a.users[Role.CDC])
    assert response.status_code == 422
    message = response.json()["fields"][field][0]
    assert message["message"] and message["message_en"]


def test_the_matrix_is_read_by_all_and_changed_by_administrators(client, city):
    matrix = client.get("/api/v1/assessments/matrix", **auth(city.a.users[Role.REPORTER])).json()
    assert len(matrix["cells"]) == 25 and matrix["likelihood_labels"]["1"] == "几乎不可能"
    cell = {"likelihood": 1, "consequence": 1, "risk_level": "medium", "recommended_level": "IV"}
    assert post(client, "/api/v1/assessments/matrix", cell, city.a.users[Role.CDC]).status_code == 403
    changed = post(client, "/api/v1/assessments/matrix", cell, city.admin).json()
    first = next(c for c in changed["cells"] if (c["likelihood"], c["consequence"]) == (1, 1))
    assert first["risk_level"] == "medium" and first["overridden"]


def test_consultation_api(client, city):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=1))
    user = city.a.users[Role.CDC]
    body = {"held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S"), "chair": "局长", "online": True,
            "participants": [{"name": "王教授", "organisation": "市疾控中心", "role": "专家"}],
            "decisions": [{"text": "全面消毒", "responsible_org": city.a.cdc.code,
                           "due_date": timezone.localdate().isoformat()}]}
    response = post(client, f"/api/v1/emergencies/{event.pk}/consultations", body, user)
    assert response.status_code == 201, response.content
    meeting = response.json()
    assert meeting["participants"][0]["name"] == "王教授"
    assert meeting["decisions"][0]["responsible_org_name"] == city.a.cdc.name
    pk = meeting["id"]
    patched = client.patch(f"/api/v1/consultations/{pk}", json.dumps({"conclusions": "维持响应"}),
                           content_type="application/json", **auth(user)).json()
    assert patched["conclusions"] == "维持响应"
    person = post(client, f"/api/v1/consultations/{pk}/participants", {"user": user.pk, "role": "记录"}, user)
    assert person.status_code == 201 and person.json()["participants"][-1]["name"] == user.full_name
    added = post(client, f"/api/v1/consultations/{pk}/decisions", {"text": "次日再会商"}, user)
    assert added.status_code == 201 and len(added.json()["decisions"]) == 2
    bad = post(client, f"/api/v1/consultations/{pk}/decisions", {"text": "x", "due_date": "2000-01-01"}, user)
    assert bad.status_code == 422 and "due_date" in bad.json()["fields"]
    upload = client.post(f"/api/v1/consultations/{pk}/materials",
                         {"file": _file("研判.pdf", b"%PDF-1.4 test")}, **auth(user))
    assert upload.status_code == 201, upload.content
    material = upload.json()["materials"][0]
    download = client.get(material["url"], **auth(user))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert client.get(material["url"], **auth(city.b.users[Role.CDC])).status_code == 404
    wrong = client.post(f"/api/v1/consultations/{pk}/materials", {"file": _file("x.exe", b"MZ")}, **auth(user))
    assert wrong.status_code == 422 and "file" in wrong.json()["fields"]
    assert client.delete(material["url"], **auth(user)).status_code == 204
    missing = post(client, f"/api/v1/emergencies/{event.pk}/consultations", {**body, "chair": ""}, user)
    assert missing.status_code == 422
    assert Consultation.objects.count() == 1
    assert client.get("/api/v1/consultations", **auth(city.b.users[Role.CDC])).json()["count"] == 0


def _file(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)
