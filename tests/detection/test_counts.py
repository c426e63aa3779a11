"""Count matrices: onset vs report date, counties, live cards, fever gaps, holidays, weekly sums."""

from datetime import date, timedelta

import numpy as np
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yingji.detection.models import Holiday
from yingji.detection.services.counts import (
    apply_holidays,
    card_counts,
    fever_counts,
    holiday_days,
    region_at_level,
    weekly,
)
from yingji.surveillance.models import Disease

from .factories import bj, card, fever

START, END = date(2026, 3, 1), date(2026, 3, 7)


def _row(matrix, region, disease_code):
    disease = Disease.objects.get(code=disease_code)
    return list(matrix.rows_for({disease.pk})[region])


def test_onset_and_report_date_count_the_same_cards_on_different_days(city):
    card(city.b, "1000", onset=date(2026, 2, 1), reported=bj(2026, 2, 1, 9))  # data start before the period
    card(city.a, "0200", onset=date(2026, 3, 2), reported=bj(2026, 3, 4, 23, 30))  # 15:30 UTC, still the 4th
    card(city.a, "0200", onset=date(2026, 3, 3), reported=bj(2026, 3, 5, 0, 30))  # the 4th in UTC, the 5th here
    by_onset = card_counts(START, END, basis="onset")
    by_report = card_counts(START, END, basis="report")
    assert _row(by_onset, "990102", "0200") == [0, 1, 1, 0, 0, 0, 0]
    assert _row(by_report, "990102", "0200") == [0, 0, 0, 1, 1, 0, 0]


def test_cards_count_at_the_county_of_the_address_and_only_when_live(city):
    card(city.a, "0200", onset=START, reported=bj(2026, 3, 1, 9))  # town 990102001 → 甲区
    card(city.a, "0200", onset=START, reported=bj(2026, 3, 1, 9), region=city.b.region)  # lives in 乙区
    for status in ("deleted", "merged", "superseded"):
        card(city.a, "0200", onset=START, reported=bj(2026, 3, 1, 9), status=status)
    card(city.a, "0200", onset=START, reported=bj(2026, 3, 1, 9), status="returned")
    matrix = card_counts(START, END, basis="onset")
    assert matrix.regions == ["990102", "990103"]
    assert _row(matrix, "990102", "0200")[0] == 2 and _row(matrix, "990103", "0200")[0] == 1
    city_level = card_counts(START, END, basis="onset", level="prefecture")
    assert _row(city_level, "990100", "0200")[0] == 3


def test_one_aggregated_query_whatever_the_number_of_series(city):
    for district in (city.a, city.b):
        for code in ("0200", "0100", "1000", "3500"):
            card(district, code, onset=START, reported=bj(2026, 3, 2, 9))
    with CaptureQueriesContext(connection) as queries:
        matrix = card_counts(START, END, basis="report")
    assert len(matrix.regions) == 8
    assert len(queries) <= 3  # the counts, and the data start (first card)


def test_days_before_the_first_card_are_gaps_not_zeros(city):
    card(city.a, "0200", onset=date(2026, 3, 3), reported=bj(2026, 3, 3, 9))
    row = _row(card_counts(START, END, basis="report"), "990102", "0200")
    assert np.isnan(row[0]) and np.isnan(row[1]) and row[2:] == [1, 0, 0, 0, 0]


def test_fever_clinic_days_without_a_report_are_gaps(city):
    fever(city.a.hospital, date(2026, 3, 1), 10, 2)
    fever(city.a.hospital, date(2026, 3, 3), 12, 3)
    matrix = fever_counts(START, END)
    visits = matrix.rows_for({"visits"})["990102"]
    positive = matrix.rows_for({"positive"})["990102"]
    assert visits[0] == 10 and np.isnan(visits[1]) and visits[2] == 12
    assert positive[0] == 2 and positive[2] == 3


def test_region_at_level():
    assert region_at_level("990102001", "county") == "990102"
    assert region_at_level("990102", "county") == "990102"
    assert region_at_level("990102001", "prefecture") == "990100"
    assert region_at_level("990102", "province") == "990000"
    assert region_at_level("990100", "county") is None
    assert region_at_level("bad", "county") is None


def test_holidays_are_shipped_for_2023_to_2027(db):
    assert Holiday.objects.get(date=date(2025, 1, 28)).name == "春节"
    assert Holiday.objects.get(date=date(2025, 2, 8)).kind == "workday"  # 调休上班
    assert Holiday.objects.get(date=date(2026, 10, 1)).kind == "holiday"
    assert Holiday.objects.filter(date__year=2023).exists() and Holiday.objects.filter(date__year=2027).exists()
    assert all(h.date.weekday() >= 5 for h in Holiday.objects.filter(kind="workday"))


def test_shift_moves_holiday_counts_to_the_next_workday(db):
    # 2026 Spring Festival: 15–23 February off; the 24th is the first workday
    start = date(2026, 2, 13)
    holidays = holiday_days(start, date(2026, 2, 26))
    counts = np.array([[5, 1, 0, 1, 0, 0, 0, 0, 0, 2, 0, 9, 6, 5]], dtype=float)  # 13 Feb … 26 Feb
    shifted = apply_holidays(counts, start, "shift", holidays)
    assert list(shifted[0]) == [5, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 6, 5]
    assert shifted.sum() == counts.sum()  # no case lost
    excluded = apply_holidays(counts, start, "exclude", holidays)
    assert np.isnan(excluded[0, 2:11]).all() and excluded[0, 11] == 9
    assert (apply_holidays(counts, start, "none", holidays) == counts).all()


def test_shift_keeps_trailing_holiday_counts_on_the_last_day(db):
    start = date(2026, 9, 30)  # National Day: 1–7 October off; the series ends on the 3rd
    counts = np.array([[1, 2, 3, 4]], dtype=float)
    shifted = apply_holidays(counts, start, "shift", holiday_days(start, start + timedelta(days=3)))
    assert list(shifted[0]) == [1, 0, 0, 9]


def test_weekly_sums_complete_iso_weeks():
    start = date(2026, 3, 1)  # a Sunday: the first complete week starts on Monday 2 March
    counts = np.ones((1, 15))
    counts[0, 8:15] = np.nan  # the second week entirely missing
    sums, ends = weekly(counts, start)
    assert list(sums[0, :1]) == [7] and np.isnan(sums[0, 1]) and ends == [date(2026, 3, 8), date(2026, 3, 15)]
