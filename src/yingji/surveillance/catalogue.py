"""Default data: the notifiable-disease catalogue and the event reporting criteria (statutory-rules §1.6, §2.1).

Loading is idempotent and never overwrites what an administrator changed: an existing code is left alone unless
``update=True``.
"""

import csv
from pathlib import Path

DATA = Path(__file__).with_name("data")


def _rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _hours(text: str):
    return int(text) if text else None


def load_diseases(Disease=None, *, update: bool = False) -> int:
    if Disease is None:
        from .models import Disease
    created = 0
    for row in _rows("diseases.csv"):  # parents precede their subtypes in the file
        values = {
            "name": row["name"], "name_en": row["name_en"], "icd10": row["icd10"],
            "disease_class": row["class"], "managed_as_class_a": row["managed_as_a"] == "1",
            "parent": Disease.objects.get(code=row["parent"]) if row["parent"] else None,
            "report_deadline_hours": _hours(row["report_h"]), "review_deadline_hours": _hours(row["review_h"]),
            "single_case_alert": row["single_case_alert"] == "1", "carriers_reportable": row["carriers"] == "1",
            "requires_acuteness": row["acuteness"] == "1", "event_rules": row["event_rules"],
            "sort_order": int(row["sort"]), "notes": row["notes"],
        }
        obj, was_created = Disease.objects.get_or_create(code=row["code"], defaults=values)
        created += was_created
        if update and not was_created:
            for key, value in values.items():
                setattr(obj, key, value)
            obj.save()
    return created


def load_cluster_rules(ClusterRule=None, Disease=None) -> int:
    if ClusterRule is None:
        from .models import ClusterRule, Disease
    created = 0
    for row in _rows("cluster_rules.csv"):
        rule, was_created = ClusterRule.objects.get_or_create(code=row["code"], defaults={
            "name": row["name"], "category": row["category"], "setting": row["setting"],
            "window_days": _hours(row["window_days"]), "min_cases": _hours(row["min_cases"]),
            "min_deaths": _hours(row["min_deaths"]), "count_suspected": row["count_suspected"] == "1",
            "criterion_text": row["criterion_text"],
        })
        if was_created:
            rule.diseases.set(Disease.objects.filter(code__in=row["diseases"].split(";")))
            created += 1
    return created
