"""Pages of situation reports: what is owed, a draft started from data, edit, submit (read-only after), print."""

from datetime import timedelta

from django.utils import timezone

from tests.response.factories import make_event
from yingji.core.roles import Role
from yingji.response.choices import ResponseLevel
from yingji.response.models import SituationReport


def test_report_pages(client, city):
    event = make_event(city, "a", level=ResponseLevel.IV, occurred_at=timezone.now() - timedelta(hours=3))
    client.force_login(city.a.users[Role.CDC])
    url = f"/emergencies/{event.pk}/reports/"
    page = client.get(url).content.decode()
    assert 'data-owed="initial"' in page and "list-group-item-danger" in page  # 2 h passed: overdue
    response = client.post(f"/emergencies/{event.pk}/reports/new/", {"kind": "initial"})
    report = SituationReport.objects.get()
    assert response["Location"] == f"/sitreps/{report.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert 'data-testid="sitrep-form"' in detail and event.number in detail
    values = {"title": report.title, "overview": report.overview + "\n补充", "cases_deaths": "发病 5 例",
              "trend": "", "causes": "", "measures": "", "next_steps": "", "needs": "防护服"}
    client.post(f"/sitreps/{report.pk}/", {**values, "save": "1"})
    report.refresh_from_db()
    assert report.status == "draft" and report.needs == "防护服"
    client.post(f"/sitreps/{report.pk}/", {**values, "submit": "1"})
    report.refresh_from_db()
    assert report.status == "submitted" and report.late
    after = client.get(f"/sitreps/{report.pk}/").content.decode()
    assert 'data-testid="sitrep-form"' not in after and "防护服" in after
    again = client.post(f"/sitreps/{report.pk}/", {**values, "needs": "改写", "submit": "1"}, follow=True)
    report.refresh_from_db()
    assert report.needs == "防护服" and "不能修改" in again.content.decode()
    printed = client.get(f"/sitreps/{report.pk}/print/").content.decode()
    assert report.title in printed and "防护服" in printed and city.a.cdc.name in printed
    word = client.get(f"/sitreps/{report.pk}/print/?download=doc")  # the old link: the same .docx (test_sitrep_docx)
    assert word["Content-Type"].endswith("wordprocessingml.document") and ".docx" in word["Content-Disposition"]
    second = client.post(f"/emergencies/{event.pk}/reports/new/", {"kind": "initial"}, follow=True)
    assert SituationReport.objects.count() == 1 and "已有初次报告" in second.content.decode()
    assert 'data-owed="progress"' in client.get(url).content.decode()


def test_bad_input_and_jurisdiction(client, city):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(hours=1))
    client.force_login(city.a.users[Role.CDC])
    client.post(f"/emergencies/{event.pk}/reports/new/", {"kind": "initial"})
    report = SituationReport.objects.get()
    response = client.post(f"/sitreps/{report.pk}/", {"title": "", "overview": "x", "submit": "1"})
    assert response.status_code == 422
    report.refresh_from_db()
    assert report.status == "draft"
    client.force_login(city.a.users[Role.LEADER])
    assert client.get(f"/sitreps/{report.pk}/").status_code == 200
    assert client.post(f"/sitreps/{report.pk}/", {"title": "x", "submit": "1"}).status_code == 403
    assert client.post(f"/emergencies/{event.pk}/reports/new/", {"kind": "progress"}).status_code == 403
    client.force_login(city.b.users[Role.CDC])
    for url in (f"/sitreps/{report.pk}/", f"/sitreps/{report.pk}/print/", f"/emergencies/{event.pk}/reports/"):
        assert client.get(url).status_code == 404
