"""Forms for the report card (传染病报告卡) and the disease catalogue: the single validation that pages, the API, the
batch endpoint and the importer all use (through surveillance.services).

Disease, address region and reporting unit are given as codes, as on the paper card and in hospital systems.
Lookups go through :class:`CardLookups`, which a batch or an import shares across all its rows so that each code is
looked up once, not once per row.
"""

import re
from datetime import date, datetime, timedelta

from django import forms
from django.forms.models import construct_instance
from django.utils import timezone

from yingji.core import scoping
from yingji.core.i18n import bi
from yingji.core.models import Organisation, Region
from yingji.core.models.organisation import phone_validator
from yingji.core.regioncodes import Level

from . import idnumbers
from .choices import AgeUnit, CaseOrigin, Classification, DiseaseClass, IdType, Sex
from .models import CaseReport, Disease

# A report stamped a little ahead of the server clock (an unsynchronised hospital system) is not "in the future".
CLOCK_SKEW = timedelta(minutes=5)
GUARDIAN_AGE = 14  # 「14岁以下的患儿要求填写患者家长姓名」
MAX_AGE = {AgeUnit.YEAR: 150, AgeUnit.MONTH: 150 * 12, AgeUnit.DAY: 150 * 366}
CARD_NUMBER = re.compile(r"^[^\s\x00-\x1f\x7f]{1,64}$")


class CardLookups:
    """Diseases, regions and organisations by code, and whether the user may report for a unit — loaded once.

    One card uses it lazily; a batch or an import calls :meth:`preload` with every code it holds first.
    """

    def __init__(self, user):
        self.user = user
        self._diseases: dict[str, Disease] | None = None
        self._by_name: dict[str, Disease] = {}
        self._with_subtypes: dict[int, list[Disease]] = {}
        self._regions: dict[str, Region | None] = {}
        self._orgs: dict[str, Organisation | None] = {}
        self._reach: dict[int, bool] = {}

    def _load_diseases(self):
        if self._diseases is None:
            rows = list(Disease.objects.all())
            self._diseases = {d.code: d for d in rows}
            self._by_name = {d.name: d for d in rows}
            for d in rows:
                if d.parent_id and d.is_active:
                    self._with_subtypes.setdefault(d.parent_id, []).append(d)

    def disease(self, text: str) -> Disease | None:
        """A disease by its code, or by its Chinese name (as people write it in a spreadsheet)."""
        self._load_diseases()
        text = (text or "").strip()
        return self._diseases.get(text) or self._diseases.get(text.upper()) or self._by_name.get(text)

    def subtypes(self, disease: Disease) -> list[Disease]:
        self._load_diseases()
        return self._with_subtypes.get(disease.pk, [])

    def region(self, code: str) -> Region | None:
        code = (code or "").strip()
        if code not in self._regions:
            self._regions[code] = Region.objects.filter(pk=code).first()
        return self._regions[code]

    def organisation(self, code: str) -> Organisation | None:
        code = (code or "").strip().upper()
        if code not in self._orgs:
            self._orgs[code] = Organisation.objects.select_related("region").filter(code=code).first()
        return self._orgs[code]

    def preload(self, *, regions=(), organisations=()) -> None:
        self._load_diseases()
        wanted = {(c or "").strip() for c in regions} - set(self._regions)
        if wanted:
            found = {r.code: r for r in Region.objects.filter(pk__in=wanted)}
            self._regions.update({c: found.get(c) for c in wanted})
        wanted = {(c or "").strip().upper() for c in organisations} - set(self._orgs)
        if wanted:
            found = {o.code: o for o in Organisation.objects.select_related("region").filter(code__in=wanted)}
            self._orgs.update({c: found.get(c) for c in wanted})

    def may_report_for(self, org: Organisation) -> bool:
        """The jurisdiction rule for a new card (core.scoping): a reporter reports for their own unit only."""
        if org.pk not in self._reach:
            self._reach[org.pk] = scoping.may_place(self.user, CaseReport, region_code=org.region_id,
                                                    owner_org_id=org.pk)
        return self._reach[org.pk]


def _age_in_years(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


class CaseReportForm(forms.ModelForm):
    """The national report card. ``user`` is who submits it (their reach decides the reporting unit);
    ``now`` is the moment of submission (defaults to the clock); ``lookups`` may be shared across many cards."""

    disease = forms.CharField(label=bi("疾病（编码）", "Disease (code)"), max_length=64)
    address_region = forms.CharField(label=bi("现住地址（行政区划代码）", "Current address (region code)"), max_length=9)
    reporting_org = forms.CharField(
        label=bi("报告单位（机构代码）", "Reporting organisation (code)"), max_length=32, required=False,
        help_text=bi("留空为本人所在单位", "Empty means your own organisation"),
    )

    # Fields the card may leave empty, and the value they then take.
    DEFAULTS = {"id_type": IdType.RESIDENT_ID, "age_unit": AgeUnit.YEAR, "case_origin": CaseOrigin.SAME_COUNTY}

    class Meta:
        model = CaseReport
        fields = [
            "card_number", "patient_name", "guardian_name", "id_type", "id_number", "sex", "birth_date",
            "age_value", "age_unit", "occupation", "work_unit", "phone", "case_origin", "address_detail",
            "other_disease_name", "classification", "acuteness", "onset_date", "diagnosed_at", "death_date",
            "reporting_doctor", "reported_at", "notes",
        ]

    def __init__(self, data=None, *args, user=None, lookups: CardLookups | None = None, now: datetime | None = None,
                 bulk: bool = False, **kwargs):
        """``bulk=True`` (batches and imports: plain dict data, never rendered) shares the field objects instead of
        copying them per card and reads values straight from the data — the same fields and rules, cheaper."""
        self.bulk = bulk
        if bulk:
            self.base_fields = {}  # nothing for BaseForm to deep-copy
        super().__init__(data, *args, **kwargs)
        if bulk:
            del self.base_fields
            self.fields = dict(type(self).base_fields)
        self.user = user
        self.lookups = lookups or CardLookups(user)
        self.now = (now or timezone.now()).replace(microsecond=0)
        self.today = timezone.localdate(self.now)
        if self.instance.pk:
            self.initial.setdefault("disease", self.instance.disease.code)
            self.initial.setdefault("address_region", self.instance.address_region_id)
            self.initial.setdefault("reporting_org", self.instance.reporting_org.code)

    _choice_values: dict[str, frozenset] | None = None

    @classmethod
    def _valid_choices(cls) -> dict[str, frozenset]:
        if cls._choice_values is None:
            cls._choice_values = {name: frozenset(str(k) for k, _ in field.choices if k != "")
                                  for name, field in cls.base_fields.items() if isinstance(field, forms.ChoiceField)}
        return cls._choice_values

    def _clean_fields(self):
        if not self.bulk:
            return super()._clean_fields()
        choices = self._valid_choices()
        for name, field in self.fields.items():  # default widgets only: the value is data[name]
            value = self.data.get(name)
            try:
                if name in choices and isinstance(value, str) and value in choices[name]:
                    self.cleaned_data[name] = value  # a valid choice: what field.clean() would return
                else:
                    self.cleaned_data[name] = field.clean(value)
                clean = getattr(self, f"clean_{name}", None)
                if clean is not None:
                    self.cleaned_data[name] = clean()
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        return None

    # --- single fields --------------------------------------------------------------------------------------

    def _default(self, name):
        return self.cleaned_data.get(name) or self.DEFAULTS[name]

    def clean_id_type(self):
        return self._default("id_type")

    def clean_age_unit(self):
        return self._default("age_unit")

    def clean_case_origin(self):
        return self._default("case_origin")

    def clean_card_number(self):
        number = (self.cleaned_data.get("card_number") or "").strip()
        if number and not CARD_NUMBER.match(number):
            raise forms.ValidationError(bi("卡片编号不能含空格或控制字符", "The card number must not contain spaces or "
                                                                "control characters"))
        return number

    def clean_patient_name(self):
        return (self.cleaned_data.get("patient_name") or "").strip()

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        if phone:
            phone_validator(phone)
        return phone

    def clean_disease(self):
        text = self.cleaned_data.get("disease") or ""
        disease = self.lookups.disease(text)
        if disease is None:
            raise forms.ValidationError(bi(f"疾病编码“{text}”不在法定传染病目录中", f"Disease code '{text}' is not in the "
                                                                         "catalogue"))
        if not disease.is_active:
            raise forms.ValidationError(bi(f"疾病“{disease.name}”已停用", f"Disease '{disease.name_en}' is no longer "
                                                                     "reported"))
        subtypes = self.lookups.subtypes(disease)
        if subtypes:
            names = "、".join(f"{d.code} {d.name}" for d in subtypes)
            raise forms.ValidationError(bi(
                f"“{disease.name}”须填写具体分型：{names}",
                f"Give the subtype of {disease.name_en}: {', '.join(d.code for d in subtypes)}",
            ))
        return disease

    def clean_address_region(self):
        code = (self.cleaned_data.get("address_region") or "").strip()
        region = self.lookups.region(code)
        if region is None:
            raise forms.ValidationError(bi(f"行政区划代码“{code}”不存在", f"Region code '{code}' does not exist"))
        if region.level not in (Level.COUNTY, Level.TOWN):
            raise forms.ValidationError(bi(
                f"现住地址须至少填到县区（最好到乡镇街道），“{region.name}”是{region.get_level_display()}",
                f"The current address must be a county/district or a town/street, not the {region.code} level",
            ))
        return region

    def clean_reporting_org(self):
        code = (self.cleaned_data.get("reporting_org") or "").strip()
        if not code:
            org = getattr(self.user, "organisation", None)
            if org is None:
                raise forms.ValidationError(bi("请填写报告单位", "Give the reporting organisation"))
        else:
            org = self.lookups.organisation(code)
            if org is None:
                raise forms.ValidationError(bi(f"机构代码“{code}”不存在", f"Organisation code '{code}' does not exist"))
        if not org.is_active:
            raise forms.ValidationError(bi(f"报告单位“{org.name}”已停用", f"Reporting organisation {org.code} is inactive"))
        if self.user is not None and not self.lookups.may_report_for(org):
            raise forms.ValidationError(bi(
                f"报告单位“{org.name}”不在您的管辖范围内（报告人只能为本单位报告）",
                f"The reporting organisation {org.code} is outside your jurisdiction (a reporter reports for their "
                "own unit only)",
            ))
        return org

    def clean_diagnosed_at(self):
        value = self.cleaned_data.get("diagnosed_at")
        return value.replace(microsecond=0) if value else value

    def clean_reported_at(self):
        value = self.cleaned_data.get("reported_at")
        return value.replace(microsecond=0) if value else self.now

    # --- the card as a whole ----------------------------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        self._check_identity(cleaned)
        self._check_age(cleaned)
        self._check_dates(cleaned)
        self._check_classification(cleaned)
        return cleaned

    def _check_identity(self, cleaned):
        id_type, number = cleaned.get("id_type"), (cleaned.get("id_number") or "").strip()
        if id_type == IdType.NONE:
            cleaned["id_number"] = ""
            return
        if not number:
            if "id_number" not in self.errors:
                self.add_error("id_number", bi("请填写证件号码（无证件时证件类型选“无”）",
                                               "Give the document number (choose 'no document' if there is none)"))
            return
        if id_type != IdType.RESIDENT_ID:
            cleaned["id_number"] = number
            return
        try:
            resident = idnumbers.parse(number, today=self.today)
        except idnumbers.IdNumberError as exc:
            self.add_error("id_number", bi(exc.message_zh, exc.message_en))
            return
        cleaned["id_number"] = resident.number
        birth = cleaned.get("birth_date")
        if birth is None and "birth_date" not in self.errors:
            cleaned["birth_date"] = resident.birth_date
        elif birth is not None and birth != resident.birth_date:
            self.add_error("birth_date", bi(
                f"出生日期与身份证号不一致（身份证号中为 {resident.birth_date:%Y-%m-%d}）",
                f"The date of birth disagrees with the ID number ({resident.birth_date:%Y-%m-%d})",
            ))
        sex = cleaned.get("sex")
        if sex in (Sex.MALE, Sex.FEMALE) and sex != resident.sex:
            self.add_error("sex", bi(
                "性别与身份证号不一致（身份证号第17位奇数为男、偶数为女）",
                "The sex disagrees with the ID number (an odd 17th digit is male, even is female)",
            ))

    def _check_age(self, cleaned):
        birth, age, unit = cleaned.get("birth_date"), cleaned.get("age_value"), cleaned.get("age_unit")
        if birth is None and age is None:
            if "birth_date" not in self.errors and "age_value" not in self.errors:
                self.add_error("birth_date", bi("出生日期与年龄至少填写一项", "Give the date of birth or the age"))
            return
        if birth is not None and birth > self.today:
            self.add_error("birth_date", bi("出生日期不能晚于今天", "The date of birth cannot be in the future"))
            return
        if age is not None and unit in MAX_AGE and age > MAX_AGE[unit]:
            self.add_error("age_value", bi(f"年龄不合理（最多 {MAX_AGE[unit]}）", f"Implausible age (at most {MAX_AGE[unit]})"))
            return
        on = cleaned.get("onset_date") or self.today
        years = _age_in_years(birth, on) if birth is not None else (age if unit == AgeUnit.YEAR else 0)
        if years < GUARDIAN_AGE and not (cleaned.get("guardian_name") or "").strip():
            self.add_error("guardian_name", bi("14岁以下的患儿须填写家长姓名",
                                               "A patient under 14 needs the name of a parent or guardian"))

    def _check_dates(self, cleaned):
        today, latest = self.today, self.now + CLOCK_SKEW
        onset, death = cleaned.get("onset_date"), cleaned.get("death_date")
        diagnosed, reported = cleaned.get("diagnosed_at"), cleaned.get("reported_at")
        future = ("不能晚于今天", "cannot be in the future")
        for name, value, zh, en in (("onset_date", onset, "发病日期", "The onset date"),
                                    ("death_date", death, "死亡日期", "The date of death")):
            if value is not None and value > today:
                self.add_error(name, bi(zh + future[0], f"{en} {future[1]}"))
                cleaned[name] = None
        for name, value, zh, en in (("diagnosed_at", diagnosed, "诊断时间", "The diagnosis time"),
                                    ("reported_at", reported, "报告时间", "The report time")):
            if value is not None and value > latest:
                self.add_error(name, bi(zh + "不能晚于现在", f"{en} cannot be in the future"))
                cleaned[name] = None
        onset, death = cleaned.get("onset_date"), cleaned.get("death_date")
        diagnosed, reported = cleaned.get("diagnosed_at"), cleaned.get("reported_at")
        birth = cleaned.get("birth_date")
        if onset and diagnosed and onset > timezone.localdate(diagnosed):
            self.add_error("onset_date", bi("发病日期不能晚于诊断日期", "The onset date cannot be after the diagnosis"))
        if onset and birth and onset < birth:
            self.add_error("onset_date", bi("发病日期不能早于出生日期", "The onset date cannot be before the date of birth"))
        if death and onset and death < onset:
            self.add_error("death_date", bi("死亡日期不能早于发病日期", "The date of death cannot be before the onset"))
        if diagnosed and reported and diagnosed > reported:
            self.add_error("reported_at", bi("报告时间不能早于诊断时间", "The report time cannot be before the diagnosis"))

    def _check_classification(self, cleaned):
        disease, classification = cleaned.get("disease"), cleaned.get("classification")
        if not isinstance(disease, Disease):
            return
        if disease.requires_acuteness and not cleaned.get("acuteness"):
            self.add_error("acuteness", bi(f"“{disease.name}”须填写急性或慢性",
                                           f"{disease.name_en} must be reported as acute or chronic"))
        if classification == Classification.CARRIER and not disease.carriers_reportable:
            self.add_error("classification", bi(
                f"“{disease.name}”的病原携带者不属于报告范围",
                f"Carriers of {disease.name_en} are not reported",
            ))

    def _post_clean(self):
        # The model's own field validation would repeat what the form fields (built from the same model fields,
        # with the same validators) have just checked; the card model has no clean() of its own.
        opts = self._meta
        self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)
        cleaned = self.cleaned_data
        for name in ("disease", "address_region", "reporting_org"):
            value = cleaned.get(name)
            if value is not None and not isinstance(value, str):
                setattr(self.instance, name, value)
        for name in ("id_number", "birth_date"):  # filled or normalised in clean()
            if name in cleaned and name not in self.errors:
                setattr(self.instance, name, cleaned[name])

    def validate_unique(self):
        """The card number is an idempotency key: services.cards decides what a repeated number means."""


for _name in (*CaseReportForm.DEFAULTS, "card_number", "reported_at"):
    CaseReportForm.base_fields[_name].required = False


class DiseaseForm(forms.ModelForm):
    """A catalogue entry: an administrator adds an emerging disease and sets its deadlines without code."""

    parent = forms.CharField(label=bi("上级疾病编码", "Parent disease code"), max_length=16, required=False)

    class Meta:
        model = Disease
        fields = [
            "code", "name", "name_en", "icd10", "disease_class", "managed_as_class_a", "report_deadline_hours",
            "review_deadline_hours", "single_case_alert", "carriers_reportable", "requires_acuteness",
            "event_rules", "valid_from", "valid_to", "is_active", "sort_order", "notes",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sort_order"].required = False
        if self.instance.pk:
            self.fields["code"].disabled = True  # cards refer to it
            self.initial.setdefault("parent", self.instance.parent.code if self.instance.parent_id else "")

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip().upper()
        if not re.fullmatch(r"[0-9A-Z]{2,16}", code):
            raise forms.ValidationError(bi("疾病编码须为2–16位数字或大写字母", "Use 2–16 digits or capital letters"))
        return code

    def clean_name(self):
        return (self.cleaned_data.get("name") or "").strip()

    def clean_sort_order(self):
        value = self.cleaned_data.get("sort_order")
        return 900 if value is None else value

    def clean_parent(self):
        code = (self.cleaned_data.get("parent") or "").strip().upper()
        if not code:
            self.instance.parent = None
            return None
        parent = Disease.objects.filter(code=code).first()
        if parent is None:
            raise forms.ValidationError(bi(f"上级疾病“{code}”不存在", f"Parent disease '{code}' does not exist"))
        if parent.pk == self.instance.pk or parent.parent_id:
            raise forms.ValidationError(bi("上级疾病须为一级病种（不能是本病种或其分型）",
                                           "The parent must be a top-level disease (not itself or a subtype)"))
        self.instance.parent = parent
        return parent

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", bi("停用日期不能早于启用日期", "The end date cannot be before the start date"))
        if cleaned.get("disease_class") in (DiseaseClass.A,) and cleaned.get("report_deadline_hours") is None:
            self.add_error("report_deadline_hours", bi("甲类传染病须设定报告时限", "A class A disease needs a deadline"))
        return cleaned
