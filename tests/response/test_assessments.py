"""Risk assessment: the matrix for every cell, overrides by an administrator, bad input, who may assess."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.response.factories import make_event
from yingji.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from yingji.core.roles import Role
from yingji.response import riskmatrix
from yingji.response.choices import EventStatus
from yingji.response.models import RiskAssessment, RiskMatrixCell
from yingji.response.services import assessments as service

# The default table written out (rows: likelihood 1 → 5; columns: consequence 1 → 5).
EXPECTED_RISK = [
    "L L L L M",
    "L L M M H",
    "L M M H H",
    "L M H H V",
    "M H H V V",
]
EXPECTED_LEVEL = [
    "none none none none IV",
    "none none IV IV III",
    "none IV IV III III",
    "none IV III III II",
    "IV III III II I",
]
RISK_CODES = {"L": "low", "M": "medium", "H": "high", "V": "very_high"}


@pytest.mark.parametrize("likelihood", riskmatrix.SCALE)
@pytest.mark.parametrize("consequence", riskmatrix.SCALE)
def test_every_cell_of_the_default_matrix(likelihood, consequence):
    cell = riskmatrix.evaluate(likelihood, consequence)
    assert cell.risk_level == RISK_CODES[EXPECTED_RISK[likelihood - 1].split()[consequence - 1]]
    assert cell.recommended_level == EXPECTED_LEVEL[likelihood - 1].split()[consequence - 1]


def test_the_matrix_rises_with_either_score():
    order = {level: i for i, level in enumerate(riskmatrix.RISK_LEVELS)}
    for lk in riskmatrix.SCALE:
        for cq in riskmatrix.SCALE[:-1]:
            assert order[riskmatrix.evaluate(lk, cq).risk_level] <= order[riskmatrix.evaluate(lk, cq + 1).risk_level]
            assert order[riskmatrix.evaluate(cq, lk).risk_level] <= order[riskmatrix.evaluate(cq + 1, lk).risk_level]


@pytest.mark.parametrize("bad", [0, 6, -1, 2.5, "3", None, True])
def test_scores_outside_one_to_five_are_refused(bad):
    with pytest.raises(riskmatrix.MatrixError) as caught:
        riskmatrix.evaluate(bad, 3)
    assert caught.value.field == "likelihood" and "1–5" in caught.value.message
    with pytest.raises(riskmatrix.MatrixError) as caught:
        riskmatrix.evaluate(3, bad)
    assert caught.value.field == "consequence"


def test_an_override_replaces_one_cell_only():
    table = riskmatrix.merged({(1, 1): ("high", "III")})
    assert table[(1, 1)] == riskmatrix.Cell("high", "III")
    assert table[(1, 2)] == riskmatrix.default_cell(1, 2)
    with pytest.raises(riskmatrix.MatrixError):
        riskmatrix.merged({(1, 1): ("severe", "III")})
    with pytest.raises(riskmatrix.MatrixError):
        riskmatrix.merged({(1, 1): ("high", "V")})


def test_assessment_records_the_matrix_result(city):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=1))
    user = city.a.users[Role.CDC]
    assessment = service.create_assessment(user, event, likelihood=4, consequence=4, rationale="学校聚集，持续发病",
                                           likelihood_note="已有二代病例", consequence_note="儿童为主")
    assert (assessment.risk_level, assessment.recommended_level) == ("high", "III")
    assert assessment.assessor_org == city.a.cdc and assessment.created_by == user
    assert service.latest_assessment(event) == assessment


def test_an_administrator_changes_the_matrix_and_later_assessments_follow(city):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=1))
    user = city.a.users[Role.CDC]
    before = service.create_assessment(user, event, likelihood=2, consequence=2)
    assert before.risk_level == "low"
    with pytest.raises(NotPermitted):
        service.set_matrix_cell(user, 2, 2, risk_level="medium", recommended_level="IV")
    service.set_matrix_cell(city.admin, 2, 2, risk_level="medium", recommended_level="IV")
    after = service.create_assessment(user, event, likelihood=2, consequence=2)
    assert (after.risk_level, after.recommended_level) == ("medium", "IV")
    before.refresh_from_db()
    assert before.risk_level == "low"  # a past assessment keeps what the matrix said then
    # back to the default: the override row goes away
    assert service.set_matrix_cell(city.admin, 2, 2, risk_level="low", recommended_level="none") is None
    assert not RiskMatrixCell.objects.exists()
    with pytest.raises(InvalidInput) as caught:
        service.set_matrix_cell(city.admin, 6, 2, risk_level="low", recommended_level="none")
    assert "likelihood" in caught.value.fields


@pytest.mark.parametrize("values, field", [
    ({"likelihood": 0, "consequence": 3}, "likelihood"),
    ({"likelihood": 6, "consequence": 3}, "likelihood"),
    ({"likelihood": 3, "consequence": 9}, "consequence"),
    ({"likelihood": "4", "consequence": 3}, "likelihood"),
    ({"likelihood": 3, "consequence": 3, "assessed_at": timezone.now() + timedelta(days=1)}, "assessed_at"),
    ({"likelihood": 3, "consequence": 3, "assessed_at": timezone.now() - timedelta(days=30)}, "assessed_at"),
    ({"likelihood": 3, "consequence": 3, "topic": "主" * 201}, "topic"),
])
def test_bad_assessments_are_refused_and_nothing_saved(city, values, field):
    event = make_event(city, "a", occurred_at=timezone.now() - timedelta(days=2))
    with pytest.raises(InvalidInput) as caught:
        service.create_assessment(city.a.users[Role.CDC], event, **values)
    assert field in caught.value.fields
    message = caught.value.fields[field][0]
    assert message["message"] and message["message_en"]
    assert not RiskAssessment.objects.exists()


def test_only_the_events_jurisdiction_and_writers_assess(city):
    event = make_event(city, "b")
    with pytest.raises(NotFound):
        service.create_assessment(city.a.users[Role.CDC], event, likelihood=3, consequence=3)
    with pytest.raises(NotPermitted):
        service.create_assessment(city.b.users[Role.LEADER], event, likelihood=3, consequence=3)
    with pytest.raises(NotFound):  # a hospital's reporter does not reach the CDC's event
        service.create_assessment(city.b.users[Role.REPORTER], event, likelihood=3, consequence=3)
    service.create_assessment(city.users[Role.CDC], event, likelihood=3, consequence=3)  # the city CDC reaches 乙
    ended = make_event(city, "b", status=EventStatus.ENDED)
    with pytest.raises(Conflict):
        service.create_assessment(city.b.users[Role.CDC], ended, likelihood=3, consequence=3)
    assert list(service.assessments(city.a.users[Role.CDC])) == []
    assert service.assessments(city.b.users[Role.LEADER]).count() == 1
