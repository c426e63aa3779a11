"""Name pools and small generators for the demo city: street and town names, roads, people, phone numbers,
and unified social credit codes (统一社会信用代码) in the GB 32100 format.

Every value is fictional. Phone numbers use the demo area code :data:`AREA_CODE`; no call is ever placed.
"""

import random

# The demo city's telephone area code. Fictional: demo numbers only ever appear in the demo database.
AREA_CODE = "0990"

# Two-character stems for urban streets (街道); disjoint from TOWN_STEMS so no town name repeats in the city.
STREET_STEMS = (
    "湖滨", "鼓楼", "中山", "新华", "解放", "人民", "朝阳", "和平", "建设", "文昌", "东风", "光明", "长江", "滨江",
    "五一", "公园", "龙山", "凤凰", "金山", "银杏", "桃园", "翠屏", "柳营", "梅岭", "荷塘", "松岗", "望江", "白鹭",
    "紫荆", "玉泉", "清河", "南门", "北门", "东关", "西关", "大桥", "新桥", "海棠", "丹桂", "芙蓉", "兰亭", "竹林",
    "石榴", "樱花", "枫林", "锦绣", "书院", "学府", "体育", "花园", "星湖", "月塘", "明珠", "港湾", "港城", "新城",
    "滨海", "临港", "航运", "科创", "红枫", "燕归", "青莲", "宝林", "钟灵", "沙洲", "沿河", "华林", "锦园", "孝义",
    "瑞丰", "月湖", "双桥", "三元", "汇文", "秀山",
)

# Stems for towns (镇) and townships (乡) of the county. The county seat is always 城关镇.
TOWN_STEMS = (
    "青石", "白沙", "黄桥", "马集", "双河", "三河", "大营", "桥头", "柳林", "杨庄", "高庙", "石门", "龙泉", "花山",
    "梅溪", "泉水", "古城", "新集", "仁和", "安乐", "永丰", "太平", "长乐", "兴隆", "官塘", "李庄", "周集", "孙岗",
    "钱桥", "沙河", "枣林", "竹镇",
)

ROADS = (
    "中山路", "人民路", "解放路", "建设路", "新华路", "长江路", "和平路", "文化路", "健康路", "学府路", "滨江大道",
    "青年路", "友谊路", "光华路", "朝阳路", "振兴路", "胜利路", "工农路", "育才路", "迎宾大道", "湖滨路", "园林路",
    "桃源路", "南湖路", "东风路", "红旗路", "幸福路", "民主路", "兴业路", "龙蟠路", "凤台路", "玉带路",
)

SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于",
    "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆",
)
GIVEN = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞",
    "平", "刚", "桂", "英", "华", "红", "建", "国", "文", "辉", "玲", "燕", "鹏", "宇", "晨", "欣", "琳", "浩", "婷",
    "雪", "峰", "健", "俊", "志", "海", "波", "斌", "慧", "晶", "颖", "倩",
)


def person(rng: random.Random) -> str:
    """A plausible Chinese full name of two or three characters."""
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def landline(rng: random.Random, first: str = "8") -> str:
    """A fictional landline in the demo area code, e.g. ``0990-86451203``."""
    return f"{AREA_CODE}-{first}{rng.randrange(10**6, 10**7):07d}"


def address(rng: random.Random, district: str, town: str) -> str:
    return f"示范市{district}{town}{rng.choice(ROADS)}{rng.randrange(1, 400)}号"


# --- unified social credit code (GB 32100-2015), with its organisation-code part (GB 11714) -------------

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Registration authority + category: 11 government body (机关), 12 public institution (事业单位),
# 91 enterprise (企业), 52 private non-enterprise unit (民办非企业单位).
GOVERNMENT, PUBLIC_INSTITUTION, ENTERPRISE, PRIVATE_NON_ENTERPRISE = "11", "12", "91", "52"


def _org_code(body: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(category: str, region_code: str, serial: int) -> str:
    """An 18-character unified social credit code with valid check characters.

    ``region_code`` is the six-digit county-level code of the registering authority; in the demo it begins with
    99, which no real code does, so a demo code can never be a real unit's.
    """
    body = category + region_code + _org_code(f"MB{serial:06d}")
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_CHARS[(31 - total % 31) % 31]


def credit_code_is_valid(code: str) -> bool:
    if len(code) != 18 or any(c not in _USCC_CHARS for c in code):
        return False
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    return code[17] == _USCC_CHARS[(31 - total % 31) % 31] and _org_code(code[8:16]) == code[8:17]
