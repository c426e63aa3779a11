"""The organisations of 示范市: about 80 units, each with a stable key, a unified social credit code, a region,
an address, coordinates, a contact person and phones.

What exists is fixed (3 tertiary and 10 secondary hospitals, a CDC and a health bureau per district …); the seed
decides which street each unit stands in, its address, contacts and phone numbers. Codes depend only on the
unit's key, so a unit keeps its code whatever the seed, and a re-run updates it instead of adding another.
"""

import zlib
from dataclasses import dataclass

from django.db import transaction

from yingji.core import services
from yingji.core.forms import OrganisationForm
from yingji.core.models import Organisation

from . import names
from .context import DemoContext
from .regions import CITY_CODE, DEMO_PREFIX, DISTRICTS, RegionPlan, TownPlan, district

K = Organisation.Kind
COUNTY = next(d for d in DISTRICTS if d.is_county)
URBAN = tuple(d for d in DISTRICTS if not d.is_county)
CHC_PER_DISTRICT = {"990102": 3, "990103": 3, "990104": 3, "990105": 3, "990106": 2}
TOWNSHIP_HOSPITALS = 8
STANDALONE_STATIONS = {"990102": 1, "990103": 2, "990104": 1, "990105": 2, "990106": 1, "990121": 2}
CLINICS = (("990102", "仁和诊所"), ("990103", "康宁门诊部"), ("990105", "惠民诊所"), ("990121", "杏林中医诊所"))


@dataclass
class OrgPlan:
    key: str  # stable handle, e.g. "city.cdc", "990102.commission", "hospital.first"
    name: str
    kind: str
    region: str  # region code the unit belongs to (its jurisdiction anchor)
    category: str  # the credit code's registration category (see names.credit_code)
    short_name: str = ""
    parent: str | None = None  # key of the parent unit
    hospital_level: str = ""
    hospital_grade: str = ""
    hospital_type: str = ""
    town: str = ""  # code of the street/town it stands in (for address and coordinates)
    address: str = ""
    longitude: str = ""
    latitude: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    duty_phone: str = ""

    @property
    def code(self) -> str:
        registered_in = self.region[:6] if len(self.region) == 9 else self.region
        serial = 100_000 + zlib.crc32(self.key.encode()) % 900_000
        return names.credit_code(self.category, registered_in, serial)

    def form_data(self, parent_code: str | None) -> dict:
        return {
            "code": self.code, "name": self.name, "short_name": self.short_name, "kind": self.kind,
            "region": self.region, "parent": parent_code or "", "hospital_level": self.hospital_level,
            "hospital_grade": self.hospital_grade, "hospital_type": self.hospital_type, "address": self.address,
            "longitude": self.longitude, "latitude": self.latitude, "contact_person": self.contact_person,
            "contact_phone": self.contact_phone, "duty_phone": self.duty_phone, "is_active": True,
        }


def _hospital(key, name, region, level, grade, htype, short=""):
    return OrgPlan(key, name, K.HOSPITAL, region, names.PUBLIC_INSTITUTION, short_name=short,
                   hospital_level=level, hospital_grade=grade, hospital_type=htype)


def plan(rng, regions: RegionPlan) -> list[OrgPlan]:
    """Every unit, parents before children, with places and contacts drawn from ``rng``."""
    towns = {d.code: list(regions.towns_of(d.code)) for d in DISTRICTS}

    def somewhere(district_code: str) -> TownPlan:
        return rng.choice(towns[district_code])

    G, P, E, N = names.GOVERNMENT, names.PUBLIC_INSTITUTION, names.ENTERPRISE, names.PRIVATE_NON_ENTERPRISE
    centre = towns["990102"][0]  # the city government's street
    units: list[tuple[OrgPlan, TownPlan]] = [
        (OrgPlan("city.commission", "示范市卫生健康委员会", K.HEALTH_COMMISSION, CITY_CODE, G, "市卫健委"), centre),
        (OrgPlan("city.cdc", "示范市疾病预防控制中心", K.CDC, CITY_CODE, P, "市疾控中心"), somewhere("990103")),
        (OrgPlan("city.ems", "示范市急救中心", K.EMS_CENTRE, CITY_CODE, P, "市120急救中心"), somewhere("990102")),
        (OrgPlan("city.supervision", "示范市卫生健康综合监督执法支队", K.OTHER, CITY_CODE, P, "市卫生监督支队"), centre),
        (OrgPlan("gov.education", "示范市教育局", K.GOVERNMENT, CITY_CODE, G, "市教育局"), centre),
        (OrgPlan("gov.market", "示范市市场监督管理局", K.GOVERNMENT, CITY_CODE, G, "市市场监管局"), centre),
        (OrgPlan("gov.police", "示范市公安局", K.GOVERNMENT, CITY_CODE, G, "市公安局"), somewhere("990103")),
    ]
    for d in DISTRICTS:
        seat = towns[d.code][0]
        bureau = f"{d.short}{'县' if d.is_county else '区'}"
        units.append((OrgPlan(f"{d.code}.commission", f"{d.name}卫生健康局", K.HEALTH_COMMISSION, d.code, G,
                              f"{bureau}卫健局"), seat))
        units.append((OrgPlan(f"{d.code}.cdc", f"{d.name}疾病预防控制中心", K.CDC, d.code, P, f"{bureau}疾控中心"),
                      somewhere(d.code)))

    # Tertiary (三级) hospitals, run by the city but standing in a district street.
    hospitals = [
        (_hospital("hospital.first", "示范市第一人民医院", "990102", "3", "A", "general", "市一院"), "990102"),
        (_hospital("hospital.tcm", "示范市中医院", "990103", "3", "A", "tcm", "市中医院"), "990103"),
        (_hospital("hospital.infectious", "示范市公共卫生临床中心", "990106", "3", "B", "infectious", "市公卫中心"),
         "990106"),
        # Secondary (二级) hospitals.
        (_hospital("hospital.second", "示范市第二人民医院", "990104", "2", "A", "general", "市二院"), "990104"),
        (_hospital("hospital.maternal", "示范市妇幼保健院", "990103", "2", "A", "specialist", "市妇幼"), "990103"),
        (_hospital("hospital.children", "示范市儿童医院", "990105", "2", "A", "specialist", "市儿童医院"), "990105"),
    ]
    for d in URBAN:
        grade = "B" if d.code == "990106" else "A"
        hospitals.append((_hospital(f"{d.code}.hospital", f"{d.name}人民医院", d.code, "2", grade, "general"), d.code))
    hospitals.append((_hospital("990121.hospital", "青溪县人民医院", "990121", "2", "A", "general"), "990121"))
    hospitals.append((_hospital("990121.tcm", "青溪县中医院", "990121", "2", "B", "tcm"), "990121"))
    for org, district_code in hospitals:
        town = towns[district_code][0] if district_code == COUNTY.code else somewhere(district_code)
        org.region = town.code
        units.append((org, town))

    # Primary care: community health centres in the districts' streets, township hospitals in the county.
    for d in URBAN:
        for i, town in enumerate(rng.sample(towns[d.code], CHC_PER_DISTRICT[d.code]), start=1):
            units.append((OrgPlan(f"{d.code}.chc{i}", f"{d.name}{town.name}社区卫生服务中心",
                                  K.COMMUNITY_HEALTH_CENTRE, town.code, P, hospital_level="1", hospital_grade="-",
                                  hospital_type="general"), town))
    county_towns = towns[COUNTY.code]
    chosen = [county_towns[0], *rng.sample(county_towns[1:], TOWNSHIP_HOSPITALS - 1)]
    for i, town in enumerate(chosen, start=1):
        kind_name = "中心卫生院" if i <= 2 else "卫生院"
        units.append((OrgPlan(f"990121.th{i}", f"{COUNTY.name}{town.name}{kind_name}", K.TOWNSHIP_HOSPITAL,
                              town.code, P, hospital_level="1", hospital_grade="-", hospital_type="general"), town))

    for i, (district_code, label) in enumerate(CLINICS, start=1):
        town = somewhere(district_code)
        units.append((OrgPlan(f"clinic{i}", f"{district(district_code).name}{label}", K.CLINIC, town.code, N), town))
    for key, name, district_code in (("lab.kangjian", "示范市康检第三方医学检验实验室", "990105"),
                                     ("lab.huace", "示范市华测医学检验所", "990104")):
        town = somewhere(district_code)
        units.append((OrgPlan(key, name, K.LABORATORY, town.code, E), town))

    # The 120 network: stations attached to hospitals, and stand-alone stations; all under the 120 centre.
    by_key = {org.key: (org, town) for org, town in units}
    host_keys = ["hospital.first", "hospital.tcm", "hospital.second", *(f"{d.code}.hospital" for d in URBAN),
                 "990121.hospital", "990121.th1", "990121.th2"]
    for host_key in host_keys:
        host, town = by_key[host_key]
        units.append((OrgPlan(f"ems.{host_key}", f"{host.name}急救站", K.EMS_STATION, host.region, P,
                              f"{host.short_name or host.name}急救站", parent="city.ems"), town))
    used = {town.code for org, town in units if org.kind == K.EMS_STATION}
    for district_code, count in STANDALONE_STATIONS.items():
        free = [t for t in towns[district_code] if t.code not in used]
        for i, town in enumerate(rng.sample(free, count), start=1):
            stem = town.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
            units.append((OrgPlan(f"ems.{district_code}.{i}", f"示范市急救中心{stem}分站", K.EMS_STATION,
                                  town.code, P, f"{stem}分站", parent="city.ems"), town))

    result = []
    for org, town in units:
        org.town = town.code
        org.address = names.address(rng, district(town.district).name, town.name)
        lon, lat = town.centre
        org.longitude = f"{lon + rng.uniform(-0.008, 0.008):.6f}"
        org.latitude = f"{lat + rng.uniform(-0.006, 0.006):.6f}"
        org.contact_person = names.person(rng)
        org.contact_phone = names.landline(rng, "6")
        org.duty_phone = names.landline(rng, "8")
        result.append(org)
    return result


def build(ctx: DemoContext) -> None:
    plans = plan(ctx.rng("organisations"), ctx.plan["regions"])
    ctx.plan["organisations"] = plans
    codes = {p.key: p.code for p in plans}
    existing = {o.code: o for o in Organisation.objects.filter(code__in=codes.values()).select_related("parent")}
    advance = ctx.track("organisations", "机构 Organisations", len(plans))
    for p in plans:
        data = p.form_data(codes[p.parent] if p.parent else None)
        instance = existing.get(p.code)
        if instance is not None and not OrganisationForm(data, instance=instance).has_changed():
            ctx.organisations[p.key] = instance
        else:
            ctx.organisations[p.key] = services.save_organisation(ctx.actor, data, instance=instance)
        advance()


def demo_organisations():
    return Organisation.objects.filter(region__code__startswith=DEMO_PREFIX)


def reset(ctx: DemoContext) -> None:
    """Delete every unit in a demo region, sub-units before their parents."""
    with transaction.atomic(), services.acting_as(ctx.actor):
        remaining = list(demo_organisations().values_list("pk", "parent_id"))
        while remaining:
            parents = {parent for _, parent in remaining}
            leaves = [pk for pk, _ in remaining if pk not in parents]
            if not leaves:  # cannot happen: the organisation form refuses cycles
                raise RuntimeError("organisation parents form a cycle")
            for org in Organisation.objects.filter(pk__in=leaves):
                org.delete()
            remaining = [(pk, parent) for pk, parent in remaining if pk in parents]
