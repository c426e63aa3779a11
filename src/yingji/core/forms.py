"""Forms for regions, populations and organisations: the single validation used by pages, API and importers."""

from django import forms

from . import regioncodes
from .i18n import bi
from .models import Organisation, Region, RegionPopulation


def _region_by_code(code: str, field_label: str) -> Region:
    code = (code or "").strip()
    region = Region.objects.filter(pk=code).first()
    if region is None:
        raise forms.ValidationError(
            bi(f"{field_label}“{code}”不存在，请先导入或新建该行政区划", f"Region '{code}' does not exist; add it first")
        )
    return region


class RegionForm(forms.ModelForm):
    parent = forms.CharField(
        label=bi("上级代码", "Parent code"), required=False, max_length=9,
        help_text=bi("留空时按代码推算", "Left empty, it is derived from the code"),
    )

    class Meta:
        model = Region
        fields = ["code", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True  # the code is the identity of a region
            self.initial.setdefault("parent", self.instance.parent_id or "")

    def clean_code(self):
        code = (self.cleaned_data.get("code") or "").strip()
        try:
            regioncodes.level_of(code)
        except regioncodes.CodeError as exc:
            raise forms.ValidationError(bi(exc.message_zh, exc.message_en)) from exc
        return code

    def clean(self):
        """Resolve the parent code; the model's clean() checks that it is the right parent for the code."""
        cleaned = super().clean()
        code = cleaned.get("code")
        if not code:
            return cleaned
        expected = regioncodes.parent_candidates(code)
        parent_code = (cleaned.get("parent") or "").strip() or (expected[0] if expected else "")
        self.instance.parent = None
        if parent_code:
            self.instance.parent_id = parent_code  # what the model checks, even when the parent is missing
            if parent_code in expected:
                try:
                    self.instance.parent = _region_by_code(parent_code, "上级行政区划")
                except forms.ValidationError as exc:
                    self.add_error("parent", exc)
        return cleaned


class RegionPopulationForm(forms.ModelForm):
    region = forms.CharField(label=bi("行政区划代码", "Region code"), max_length=9)

    class Meta:
        model = RegionPopulation
        fields = ["year", "population"]

    def clean_region(self):
        return _region_by_code(self.cleaned_data["region"], "行政区划")

    def clean(self):
        cleaned = super().clean()
        if "region" in cleaned:
            self.instance.region = cleaned["region"]
            existing = RegionPopulation.objects.filter(region=cleaned["region"], year=cleaned.get("year")).first()
            if existing and existing.pk != self.instance.pk:
                self.instance.pk = existing.pk  # a second figure for the same year replaces the first
        return cleaned

    def validate_unique(self):
        """Uniqueness is handled in clean(): the same region and year updates the figure."""


class OrganisationForm(forms.ModelForm):
    region = forms.CharField(label=bi("所在行政区划代码", "Region code"), max_length=9)
    parent = forms.CharField(label=bi("上级机构代码", "Parent organisation code"), max_length=32, required=False)

    class Meta:
        model = Organisation
        fields = [
            "code", "name", "short_name", "kind", "hospital_level", "hospital_grade", "hospital_type",
            "address", "longitude", "latitude", "contact_person", "contact_phone", "duty_phone", "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("region", self.instance.region_id)
            self.initial.setdefault("parent", self.instance.parent.code if self.instance.parent_id else "")

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip().upper()

    def clean_name(self):
        return (self.cleaned_data.get("name") or "").strip()

    def clean_region(self):
        region = _region_by_code(self.cleaned_data["region"], "行政区划")
        self.instance.region = region
        return region

    def clean_parent(self):
        code = (self.cleaned_data.get("parent") or "").strip().upper()
        if not code:
            self.instance.parent = None
            return None
        parent = Organisation.objects.filter(code=code).first()
        if parent is None:
            raise forms.ValidationError(bi(f"上级机构“{code}”不存在", f"Parent organisation '{code}' does not exist"))
        if self.instance.pk and (parent.pk == self.instance.pk or self._is_descendant(parent)):
            raise forms.ValidationError(bi("上级机构不能是本机构或其下属机构", "An organisation cannot be its own parent"))
        self.instance.parent = parent
        return parent

    def _is_descendant(self, candidate) -> bool:
        node = candidate
        while node is not None:
            if node.pk == self.instance.pk:
                return True
            node = node.parent
        return False

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Organisation.Kind.HOSPITAL and not cleaned.get("hospital_level"):
            self.add_error("hospital_level", bi("医院须填写等级（一级/二级/三级）", "A hospital needs its level (1, 2 or 3)"))
        region, name = cleaned.get("region"), cleaned.get("name")
        if region and name and Organisation.objects.filter(region=region, name=name).exclude(
            pk=self.instance.pk
        ).exists():
            self.add_error("name", bi(f"“{region.name}”已有名为“{name}”的机构",
                                      f"An organisation named '{name}' already exists in {region.code}"))
        if (cleaned.get("longitude") is None) != (cleaned.get("latitude") is None):
            self.add_error("latitude", bi("经度和纬度须同时填写", "Give both longitude and latitude, or neither"))
        return cleaned
