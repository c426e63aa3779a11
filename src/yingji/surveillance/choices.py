"""Enumerations of the national report card and event reports (《传染病信息报告管理规范》, 《国家突发公共卫生事件
相关信息报告管理工作规范》). Values are stable codes; labels are English msgids translated to Chinese."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DiseaseClass(models.TextChoices):
    A = "A", _("Class A")
    B = "B", _("Class B")
    C = "C", _("Class C")
    OTHER = "other", _("Other notifiable or monitored condition")
    EMERGING = "emerging", _("Emerging or unexplained disease")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO = "hk_macao", _("Mainland travel permit for Hong Kong and Macao residents")
    TAIWAN = "taiwan", _("Mainland travel permit for Taiwan residents")
    FOREIGN_PERMANENT = "foreign_permanent", _("Foreigner's permanent residence ID card")
    OTHER = "other", _("Other document")
    NONE = "none", _("No document")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "U", _("Unknown")


class AgeUnit(models.TextChoices):
    YEAR = "year", _("years")
    MONTH = "month", _("months")
    DAY = "day", _("days")


class Occupation(models.TextChoices):
    KINDERGARTEN_CHILD = "kindergarten_child", _("Kindergarten child")
    SCATTERED_CHILD = "scattered_child", _("Child cared for at home")
    STUDENT = "student", _("Student")
    TEACHER = "teacher", _("Teacher")
    CHILDCARE_WORKER = "childcare_worker", _("Childcare worker or nanny")
    FOOD_SERVICE = "food_service", _("Catering and food industry")
    COMMERCIAL_SERVICE = "commercial_service", _("Commercial services")
    MEDICAL_STAFF = "medical_staff", _("Medical staff")
    WORKER = "worker", _("Worker")
    MIGRANT_WORKER = "migrant_worker", _("Migrant worker")
    FARMER = "farmer", _("Farmer")
    HERDSMAN = "herdsman", _("Herdsman")
    FISHERMAN = "fisherman", _("Fisherman or boatman")
    CADRE_STAFF = "cadre_staff", _("Cadre or office staff")
    RETIRED = "retired", _("Retired")
    HOUSEWORK_UNEMPLOYED = "housework_unemployed", _("Housework or unemployed")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class CaseOrigin(models.TextChoices):
    SAME_COUNTY = "same_county", _("This county/district")
    OTHER_COUNTY = "other_county", _("Another county of this city")
    OTHER_CITY = "other_city", _("Another city of this province")
    OTHER_PROVINCE = "other_province", _("Another province")
    HK_MACAO_TAIWAN = "hk_macao_taiwan", _("Hong Kong, Macao or Taiwan")
    FOREIGN = "foreign", _("Foreign")


class Classification(models.TextChoices):
    SUSPECTED = "suspected", _("Suspected case")
    CLINICAL = "clinical", _("Clinically diagnosed case")
    CONFIRMED = "confirmed", _("Laboratory-confirmed case")
    CARRIER = "carrier", _("Pathogen carrier")
    POSITIVE_TEST = "positive_test", _("Positive test")
    ASYMPTOMATIC = "asymptomatic", _("Asymptomatic infection")


class Acuteness(models.TextChoices):
    ACUTE = "acute", _("Acute")
    CHRONIC = "chronic", _("Chronic")
    UNTYPED = "untyped", _("Untyped")


class CardType(models.TextChoices):
    INITIAL = "initial", _("Initial report")
    CORRECTION = "correction", _("Correction report")


class CardStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting review")
    REVIEWED = "reviewed", _("Reviewed")
    RETURNED = "returned", _("Returned to the reporter")
    SUPERSEDED = "superseded", _("Superseded by a correction")
    MERGED = "merged", _("Merged as a duplicate")
    DELETED = "deleted", _("Deleted")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class EventCategory(models.TextChoices):
    INFECTIOUS_OUTBREAK = "infectious_outbreak", _("Infectious disease outbreak")
    FOOD_POISONING = "food_poisoning", _("Food poisoning")
    OCCUPATIONAL_POISONING = "occupational_poisoning", _("Occupational poisoning")
    OTHER_POISONING = "other_poisoning", _("Other poisoning")
    UNEXPLAINED_CLUSTER = "unexplained_cluster", _("Cluster of unexplained disease")
    VACCINATION_REACTION = "vaccination_reaction", _("Adverse reactions to immunisation")
    PROPHYLAXIS_REACTION = "prophylaxis_reaction", _("Adverse reactions to mass prophylaxis")
    ENVIRONMENTAL = "environmental", _("Environmental event")
    RADIATION = "radiation", _("Accidental radiation exposure")
    STRAIN_LOSS = "strain_loss", _("Loss of pathogen strains")
    IATROGENIC = "iatrogenic", _("Iatrogenic, laboratory or hospital infection")
    OTHER = "other", _("Other public-health event")


class EventGrade(models.TextChoices):
    UNGRADED = "ungraded", _("Not yet graded")
    I = "I", _("Grade I (extremely serious)")  # noqa: E741 — the statutory grade is written I
    II = "II", _("Grade II (serious)")
    III = "III", _("Grade III (relatively serious)")
    IV = "IV", _("Grade IV (general)")
    NOT_EMERGENCY = "not_emergency", _("Not a public-health emergency")


class EventReportType(models.TextChoices):
    INITIAL = "initial", _("Initial report")
    PROGRESS = "progress", _("Progress report")
    FINAL = "final", _("Final report")


class EventReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REJECTED = "rejected", _("Rejected as not reportable")


class ClusterSetting(models.TextChoices):
    """Where a cluster rule counts cases together."""

    WORK_UNIT = "work_unit", _("Same school, kindergarten or workplace")
    TOWN = "town", _("Same street or town")
    COUNTY = "county", _("Same county or district")
    ANYWHERE = "anywhere", _("Anywhere (a single case)")
