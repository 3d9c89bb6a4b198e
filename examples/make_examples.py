#!/usr/bin/env python3
"""Write the example office: a construction-machinery dealer in Shandong, as CSV files.

    python3 examples/make_examples.py          # rewrites the CSV files next to this script

Standard library only, fixed random seed: running it twice writes the same bytes. The
files are written the way the office's other systems and Excel write them:

- staff.csv               English headers, UTF-8
- customers.csv           Chinese headers, UTF-8 with BOM (Excel "CSV UTF-8")
- contacts-gb18030.csv    Chinese headers, GB18030, CRLF (Excel "CSV (逗号分隔)" on
                          Chinese Windows)
- events.csv              English headers, UTF-8 (the ERP's service and sales export)
- calls.csv               Chinese headers, UTF-8 with BOM (the clerks' call sheet)

The demo date is 2026-11-23 (a Monday): nothing here happens after it.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

SEED = 20261123
TODAY = date(2026, 11, 23)
HERE = Path(__file__).resolve().parent

# -- staff ------------------------------------------------------------------------

# (name, role, department, phone); roles are the names in defaults.toml [staff].roles.
STAFF = [
    ("张丽", "clerk", "客服中心", "13805310112"),
    ("刘芳", "clerk", "客服中心", "13705310128"),
    ("王磊", "service", "服务部", "13906410231"),
    ("赵鹏", "service", "服务部", "13853120417"),
    ("孙浩", "service", "服务部", "13792150836"),
    ("陈刚", "service_supervisor", "服务部", "13606415520"),
    ("李军", "service_manager", "服务部", "13515310609"),
    ("王伟", "account_manager", "销售部", "13953101186"),
    ("杨帆", "account_manager", "销售部", "13864027731"),
    ("周涛", "sales_manager", "销售部", "13678812045"),
    ("吴建华", "branch_gm", "济南分公司", "13905317788"),
    ("郑海", "marketing_director", "营销中心", "13805316066"),
    ("孟庆华", "deputy_gm", "总经办", "13905317516"),
    ("马国栋", "gm", "总经办", "13905318899"),
]
CLERKS = ["张丽", "刘芳"]
ENGINEERS = ["王磊", "赵鹏", "孙浩"]
SALES_MANAGER = "周涛"
SUPERVISOR = "陈刚"

# -- customers ------------------------------------------------------------------------

AREA_CODES = {
    "济南": "0531",
    "青岛": "0532",
    "烟台": "0535",
    "潍坊": "0536",
    "济宁": "0537",
    "泰安": "0538",
    "临沂": "0539",
}

# (name, region, industry, grade, owner or None, address)
CUSTOMERS = [
    ("济南鲁通工程机械有限公司", "济南", "设备租赁", 1, "王伟", "济南市历城区工业北路188号"),
    ("济南泉城市政建设集团有限公司", "济南", "市政工程", 2, "王伟", "济南市市中区二环南路6号"),
    ("济南章丘明水土石方工程队", "济南", "土石方", 3, "王伟", "济南市章丘区明水街道汇泉路"),
    ("济南华岳路桥工程有限公司", "济南", "路桥施工", 3, "王伟", "济南市天桥区北园大街420号"),
    ("济南历城区绿源农机专业合作社", "济南", "农业", 5, None, "济南市历城区唐王镇"),
    ("济南通达汇物流有限公司", "济南", "物流运输", 4, "王伟", "济南市槐荫区美里湖物流园"),
    ("青岛海岳建设集团有限公司", "青岛", "建筑施工", 1, "杨帆", "青岛市城阳区正阳路201号"),
    ("青岛港湾重工设备租赁有限公司", "青岛", "设备租赁", 2, "杨帆", "青岛市黄岛区前湾港路"),
    ("青岛黄岛区鑫磊土石方工程队", "青岛", "土石方", 3, "杨帆", "青岛市黄岛区隐珠街道"),
    ("青岛胶州大沽河农机专业合作社", "青岛", "农业", 5, None, "青岛胶州市胶莱街道"),
    ("青岛即墨恒运物流有限公司", "青岛", "物流运输", 4, "杨帆", "青岛市即墨区蓝村镇"),
    ("青岛崂山华石石材开采有限公司", "青岛", "矿山采石", 3, "杨帆", "青岛市崂山区王哥庄街道"),
    ("潍坊宏基土石方工程有限公司", "潍坊", "土石方", 2, "王伟", "潍坊市奎文区北海路"),
    ("寿光市绿丰果蔬专业合作社", "潍坊", "农业", 5, None, "潍坊寿光市孙家集街道"),
    ("潍坊昌邑市政工程有限公司", "潍坊", "市政工程", 4, "王伟", "潍坊昌邑市奎聚街道"),
    ("诸城永兴建设集团有限公司", "潍坊", "建筑施工", 3, "王伟", "潍坊诸城市密州街道"),
    ("青州王府庄家庭农场", "潍坊", "农业", 5, None, "潍坊青州市王府街道"),
    ("临沂顺达物流有限公司", "临沂", "物流运输", 3, "杨帆", "临沂市兰山区临西五路"),
    ("临沂沂蒙山矿业有限公司", "临沂", "矿山采石", 2, "杨帆", "临沂市平邑县地方镇"),
    ("临沂兰山区宏远工程机械租赁站", "临沂", "设备租赁", 4, "杨帆", "临沂市兰山区半程镇"),
    ("费县金土地农机专业合作社", "临沂", "农业", 5, None, "临沂市费县探沂镇"),
    ("临沂河东区广厦建筑工程有限公司", "临沂", "建筑施工", 4, "杨帆", "临沂市河东区九曲街道"),
    ("临沂罗庄区大力土石方工程队", "临沂", "土石方", 4, None, "临沂市罗庄区盛庄街道"),
    ("泰安宏达建设工程有限公司", "泰安", "建筑施工", 3, "王伟", "泰安市泰山区东岳大街"),
    ("泰安岱岳区丰收农机专业合作社", "泰安", "农业", 5, None, "泰安市岱岳区满庄镇"),
    ("新泰市鑫源矿山工程有限公司", "泰安", "矿山采石", 3, "王伟", "泰安新泰市青云街道"),
    ("肥城市桃都物流有限公司", "泰安", "物流运输", 4, "王伟", "泰安肥城市新城街道"),
    ("泰安东平湖水利工程有限公司", "泰安", "水利工程", 4, "王伟", "泰安市东平县州城街道"),
    ("烟台福山区丰源家庭农场", "烟台", "农业", 5, None, "烟台市福山区门楼镇"),
    ("烟台港城建设集团有限公司", "烟台", "建筑施工", 3, "杨帆", "烟台市莱山区港城东大街"),
    ("莱州华金矿山工程有限公司", "烟台", "矿山采石", 3, "杨帆", "烟台莱州市城港路街道"),
    ("烟台牟平区顺发土石方工程队", "烟台", "土石方", 4, None, "烟台市牟平区宁海街道"),
    ("烟台开发区远航物流有限公司", "烟台", "物流运输", 4, "杨帆", "烟台开发区长江路"),
    ("栖霞市果满园果业专业合作社", "烟台", "农业", 5, None, "烟台栖霞市松山街道"),
    ("济宁运河建设工程有限公司", "济宁", "建筑施工", 3, "王伟", "济宁市任城区太白湖路"),
    ("兖州恒通矿山工程有限公司", "济宁", "矿山采石", 4, "王伟", "济宁市兖州区龙桥街道"),
    ("邹城市铁山土石方工程队", "济宁", "土石方", 4, None, "济宁邹城市钢山街道"),
    ("梁山县通运汽车运输有限公司", "济宁", "物流运输", 3, "王伟", "济宁市梁山县梁山街道"),
    ("嘉祥县粮丰农机专业合作社", "济宁", "农业", 5, "王伟", "济宁市嘉祥县纸坊镇"),
    ("曲阜市圣城市政工程有限公司", "济宁", "市政工程", 3, "王伟", "济宁曲阜市鲁城街道"),
]
NOTES = {
    1: "2019年起合作, 年采购额最大; 付款及时",
    2: "市政项目多, 春秋两季用机高峰",
    # A cell with a comma and quotes: the CSV writer must quote it ("" inside).
    4: '常用机型 "SY215C", 要求服务24小时到场, 发票抬头见合同',
    7: "集团统一采购, 决策在总部",
    8: "出租设备多, 需要快速配件支持",
    19: "矿山工况恶劣, 保养周期缩短",
    26: "老客户介绍",
    38: "挂车改装, 车队30余台",
}
# Grades the Excel sheet spells out in Chinese, as offices do (一级 ... 五级).
GRADE_WORDS = {1: "一级", 7: "一级", 2: "二级", 19: "二级", 3: "三级", 30: "3级"}

# Machines each industry runs (model numbers as the dealer's ERP writes them).
FLEET = {
    "设备租赁": ["SY215C", "SY365H", "XE215DA", "ZL50GN", "STC250"],
    "市政工程": ["SY75C", "XE60DA", "ZL50GN", "SY215C"],
    "土石方": ["SY215C", "SY365H", "XE215DA", "SY485H"],
    "路桥施工": ["SY215C", "XCT25", "LW500FN", "STC250"],
    "建筑施工": ["SY215C", "STC250", "XCT25", "SY135C"],
    "矿山采石": ["SY365H", "SY485H", "ZL50GN", "LW500FN"],
    "水利工程": ["SY215C", "XE215DA", "LW500FN"],
    "物流运输": ["豪沃TX自卸车", "解放J6P牵引车", "陕汽X3000"],
    "农业": ["雷沃M1004-D拖拉机", "雷沃GK100收割机", "久保田PRO988Q收割机"],
}


def words(text: str) -> list[str]:
    """A list written as space-separated words (shorter than a list of quoted strings)."""
    return text.split()


SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾田"
GIVEN = words(
    "建国 志强 海军 明 秀英 立新 红梅 德胜 长江 福生 玉兰 国庆 春生 学军 卫东 丽娟"
    " 振华 宝山 金龙 永刚 桂芳 庆丰 树林 小龙 晓燕 俊杰 鹏飞 新民 传林 德山 成 磊"
)
# The first contact is the boss (决策人 / 老板 / decision-maker); the others work for them.
BOSS_ROLES = ["决策人", "决策人", "老板", "decision-maker"]
CONTACT_ROLES = ["采购", "操作手", "财务", "机手", "operator", "purchaser", "finance"]

# Birthdays that fall in the demo's greeting horizon (2026-11-23 .. 2027-01-07):
# (customer number, contact index) -> birthday as written in the sheet.
DEMO_BIRTHDAYS = {
    (7, 0): "1968-11-23",  # due on the demo day itself
    (12, 0): "12-08",
    (2, 0): "1979-12-25",
    (23, 0): "01-05",
}

# -- events -------------------------------------------------------------------------

# What goes wrong, and what parts are bought, by type of machine.
PROBLEMS = {
    "excavator": words(
        "液压系统漏油 发动机无法启动 回转异响 行走无力 动臂下沉 冒黑烟,动力不足"
        " 显示器报警E05 主泵压力低 500小时保养 1000小时保养"
    ),
    "loader": words("变速箱打滑 转向沉重 动臂油缸漏油 500小时保养"),
    "crane": words("吊臂伸缩异响 力矩限制器报警 支腿油缸内泄 年检前保养"),
    "truck": words("刹车异响 尿素泵故障 举升缸漏油 保养"),
    "farm": words("割台皮带断裂 变速箱异响 液压提升无力 保养"),
}
PARTS = {
    "excavator": words("斗齿x12 滤芯套装 液压油200L 履带板x4 回转马达密封件"),
    "loader": words("滤芯套装 轮胎x2 刀板 液压油200L"),
    "crane": words("钢丝绳 滤芯套装 支腿油缸密封件"),
    "truck": words("刹车片 滤芯套装 轮胎x6 尿素泵"),
    "farm": words("割台皮带 滤芯套装 收割机刀片x20"),
}
SERVICE_RESULTS = [
    "fixed",
    "fixed",
    "已修复",
    "已修复",
    "replaced pump",
    "更换液压泵",
    "更换传感器",
    "repaired",
    "修好",
    "待配件",
]


def machine_type(model: str) -> str:
    if model.startswith(("SY2", "SY3", "SY4", "SY7", "SY1", "XE")):
        return "excavator"
    if model.startswith(("ZL", "LW")):
        return "loader"
    if model.startswith(("STC", "XCT")):
        return "crane"
    if "拖拉机" in model or "收割机" in model:
        return "farm"
    return "truck"


KIND_WEIGHTS = [("service", 52), ("parts", 14), ("sale", 14), ("rental", 11), ("used", 9)]
REF_PREFIX = {"service": "WO", "sale": "INV", "parts": "PT", "rental": "RC", "used": "UM"}
REF_START = {"service": 287, "sale": 41, "parts": 120, "rental": 15, "used": 8}

# -- calls ---------------------------------------------------------------------------

UNREACHABLE = 32  # three calls in a row not answered: flagged unreachable

# The visits of the last week (seed 001 分级拜访制度: each role visits on its own
# rhythm, and only that role's visit counts as one): the account managers see their
# important customers, the marketing director sees the unhappy mine. Late in the day,
# after the clerks' calls. (customer number, day, visitor, time)
VISITS = [
    (19, date(2026, 11, 17), "杨帆", "16:40"),
    (2, date(2026, 11, 18), "王伟", "16:20"),
    (11, date(2026, 11, 18), "杨帆", "17:20"),
    (9, date(2026, 11, 19), "杨帆", "16:30"),
    (19, date(2026, 11, 19), "郑海", "17:10"),
]

CALL_NOTES_GOOD = ["师傅很专业", "满意", "机器正常", "希望保养提醒再早一点", "", "", ""]
# Low scores from important customers: the early warnings of the demo.
UNHAPPY = {
    # customer number: (day, satisfaction, answers, note)
    2: (date(2026, 11, 18), 2, "fixed=no;on_time=yes", "修后三天又冒黑烟, 客户不满"),
    19: (date(2026, 11, 19), 1, "fixed=yes;on_time=no", "工程师两天后才到, 影响出矿"),
}


@dataclass
class Customer:
    number: int
    code: str
    name: str
    region: str
    industry: str
    grade: int
    owner: str | None
    address: str
    phone: str
    fleet: list[str]
    contacts: list[list[str]] = field(default_factory=list)


@dataclass
class Event:
    customer: Customer
    kind: str
    day: date
    machine: str
    staff: str
    result: str
    note: str
    ref: str = ""


def mobile(rng: random.Random) -> str:
    return "13" + str(rng.randint(0, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(8))


def landline(rng: random.Random, region: str) -> str:
    return f"{AREA_CODES[region]}-{rng.randint(2, 8)}{rng.randint(0, 9999999):07d}"


def make_customers(rng: random.Random) -> list[Customer]:
    out = []
    for number, (name, region, industry, grade, owner, address) in enumerate(CUSTOMERS, 1):
        phone = landline(rng, region) if rng.random() < 0.6 else mobile(rng)
        fleet = rng.sample(FLEET[industry], k=min(len(FLEET[industry]), rng.randint(1, 3)))
        out.append(
            Customer(
                number,
                f"C{number:06d}",
                name,
                region,
                industry,
                grade,
                owner,
                address,
                phone,
                fleet,
            )
        )
    return out


def write_csv(
    path: Path, header: list[str], rows: list[list[str]], encoding: str, *, excel: bool
) -> None:
    """Excel writes CRLF line ends; the ERP's exports (and scripts) write LF."""
    terminator = "\r\n" if excel else "\n"
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator=terminator)
        writer.writerow(header)
        writer.writerows(rows)


def staff_rows() -> list[list[str]]:
    return [list(s) for s in STAFF]


def customer_rows(customers: list[Customer]) -> list[list[str]]:
    rows = []
    for c in customers:
        grade = GRADE_WORDS.get(c.number, str(c.grade))
        rows.append(
            [
                c.code,
                c.name,
                grade,
                c.phone,
                c.region,
                c.industry,
                c.owner or "",
                c.address,
                NOTES.get(c.number, ""),
            ]
        )
    return rows


def random_birthday(rng: random.Random) -> str:
    """A birthday outside the demo's greeting window, so the demo's greetings are known."""
    while True:
        day = date(rng.randint(1962, 1992), rng.randint(1, 12), rng.randint(1, 28))
        if not (day.month == 11 and day.day >= 10) and day.month != 12 and day.month != 1:
            break
    return day.isoformat() if rng.random() < 0.6 else day.strftime("%m-%d")


def make_contacts(rng: random.Random, customers: list[Customer]) -> None:
    for c in customers:
        count = rng.choice([1, 2, 2, 3]) if c.grade <= 3 else rng.choice([1, 1, 2])
        if c.grade == 1:
            count = 3
        used: set[str] = set()
        primary = 1 if (count > 1 and rng.random() < 0.25) else 0
        for i in range(count):
            while True:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                if name not in used:
                    used.add(name)
                    break
            role = rng.choice(BOSS_ROLES) if i == 0 else rng.choice(CONTACT_ROLES)
            phone = mobile(rng)
            wechat_pick = rng.random()
            wechat = (
                phone
                if wechat_pick < 0.35
                else ("" if wechat_pick < 0.7 else f"wxid_{rng.randint(10**7, 10**8 - 1)}")
            )
            birthday = DEMO_BIRTHDAYS.get((c.number, i))
            if birthday is None and rng.random() < 0.45:
                birthday = random_birthday(rng)
            c.contacts.append(
                [c.code, name, role, phone, wechat, birthday or "", "是" if i == primary else "否"]
            )


def write_day(rng: random.Random, day: date) -> str:
    """Mostly ISO dates; some the way people type them into Excel."""
    pick = rng.random()
    if pick < 0.1:
        return f"{day.year}/{day.month}/{day.day}"
    if pick < 0.17:
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def make_events(rng: random.Random, customers: list[Customer]) -> list[Event]:
    weights = [{1: 6, 2: 4, 3: 3, 4: 2, 5: 1}[c.grade] for c in customers]
    kinds = [k for k, _ in KIND_WEIGHTS]
    kind_weights = [w for _, w in KIND_WEIGHTS]
    start, end = date(2026, 5, 1), date(2026, 11, 21)
    events: list[Event] = []
    for _ in range(108):
        c = rng.choices(customers, weights)[0]
        kind = rng.choices(kinds, kind_weights)[0]
        if c.industry == "农业" and kind in ("rental", "used"):
            kind = "service"
        day = start + timedelta(days=rng.randint(0, (end - start).days))
        events.append(new_event(rng, c, kind, day))
    # The service jobs behind the two unhappy calls (see UNHAPPY).
    story = [
        (2, date(2026, 11, 13), "冒黑烟,动力不足", "fixed", "王磊"),
        (19, date(2026, 11, 14), "主泵压力低", "已修复", "孙浩"),
    ]
    for number, day, problem, result, engineer in story:
        c = customers[number - 1]
        events.append(Event(c, "service", day, c.fleet[0], engineer, result, problem))
    # Winterising before the cold (换防冻液, 冬季用油): the busy last week.
    for number, day in [
        (3, date(2026, 11, 16)),
        (11, date(2026, 11, 16)),
        (26, date(2026, 11, 19)),
        (8, date(2026, 11, 19)),
        (35, date(2026, 11, 20)),
        (14, date(2026, 11, 20)),
        (28, date(2026, 11, 21)),
        (37, date(2026, 11, 21)),
    ]:
        c = customers[number - 1]
        events.append(
            Event(c, "service", day, c.fleet[0], rng.choice(ENGINEERS), "完成", "冬季保养 换防冻液")
        )
    # Old history (2024-2025): recorded, plans nothing.
    for number, kind, day in [
        (1, "sale", date(2024, 4, 16)),
        (7, "sale", date(2024, 9, 3)),
        (13, "service", date(2025, 3, 21)),
        (19, "sale", date(2025, 6, 10)),
        (24, "service", date(2025, 11, 5)),
    ]:
        events.append(new_event(rng, customers[number - 1], kind, day))
    events.sort(key=lambda e: (e.day, e.customer.number))
    counters = {k: defaultdict(int) for k in REF_PREFIX}
    for e in events:
        year = e.day.year
        n = (
            REF_START[e.kind] + counters[e.kind][year]
            if year == 2026
            else 1 + counters[e.kind][year]
        )
        counters[e.kind][year] += 1
        e.ref = f"{REF_PREFIX[e.kind]}-{year}-{n:04d}"
    return events


def new_event(rng: random.Random, c: Customer, kind: str, day: date) -> Event:
    machine = rng.choice(c.fleet)
    owner = c.owner or SALES_MANAGER
    if kind == "service":
        problem = rng.choice(PROBLEMS[machine_type(machine)])
        result = rng.choice(SERVICE_RESULTS)
        if "保养" in problem:
            result = rng.choice(["完成", "done"])
        return Event(c, kind, day, machine, rng.choice(ENGINEERS), result, problem)
    if kind == "sale":
        model = rng.choice(FLEET[c.industry])
        return Event(c, kind, day, model, owner, rng.choice(["delivered", "已交付"]), "新机交付")
    if kind == "parts":
        return Event(
            c,
            kind,
            day,
            machine,
            rng.choice(["", *ENGINEERS]),
            rng.choice(["shipped", "已发货"]),
            rng.choice(PARTS[machine_type(machine)]),
        )
    if kind == "rental":
        return Event(
            c, kind, day, machine, owner, "delivered", rng.choice(["月租", "项目租赁 3个月"])
        )
    return Event(c, kind, day, machine, SALES_MANAGER, "delivered", "二手机 整备后交付")


def event_rows(rng: random.Random, events: list[Event]) -> list[list[str]]:
    return [
        [
            e.customer.code,
            e.kind,
            write_day(rng, e.day),
            e.ref,
            e.machine,
            e.staff,
            e.result,
            e.note,
        ]
        for e in events
    ]


# The office's callback offsets (defaults.toml [planning.event_offsets]), in days.
OFFSETS = {
    "service": [2, 7, 30],
    "sale": [2, 7, 30, 91, 182],
    "parts": [7],
    "rental": [2, 30],
    "used": [7, 30, 91],
}
NATIONAL_DAY = {date(2026, 10, d) for d in range(1, 9)}


def working_day(day: date) -> date:
    while day.weekday() >= 5 or day in NATIONAL_DAY:
        day += timedelta(days=1)
    return day


def call_time(rng: random.Random, day: date, after: datetime | None = None) -> datetime:
    if after is not None and after.date() == day and after.hour < 15:
        return after + timedelta(minutes=rng.randint(60, 120))
    morning = rng.randint(8 * 60 + 40, 11 * 60 + 50)
    afternoon = rng.randint(13 * 60 + 30, 17 * 60 + 20)
    minutes = rng.choice([morning, afternoon])
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60)


def make_calls(
    rng: random.Random, customers: list[Customer], events: list[Event]
) -> list[list[str]]:
    """The call sheet since September: the clerks work through the callbacks due each
    day (thoroughly since late October, patchily before); the service supervisor
    makes some of his second-level checks; two important customers are unhappy and
    one customer never answers; the account managers and the marketing director make
    their visits (VISITS)."""
    first, careful, last = date(2026, 9, 1), date(2026, 10, 20), date(2026, 11, 20)
    calls: dict[tuple[str, datetime, str], list[str]] = {}

    def add(
        c: Customer,
        at: datetime,
        by: str,
        outcome: str,
        sat: str = "",
        answers: str = "",
        note: str = "",
        channel: str = "电话",
    ) -> None:
        while (c.code, at, by) in calls:
            at += timedelta(minutes=7)
        calls[(c.code, at, by)] = [
            c.code,
            at.strftime("%Y-%m-%d %H:%M"),
            by,
            outcome,
            sat,
            answers,
            note,
            channel,
        ]

    def answers_for(c: Customer, day: date, about: list[Event]) -> str:
        """Key questions on the service job the call is about: only when that job is the
        customer's latest event before the call (no questions on sales, parts...)."""
        before = [e for e in events if e.customer is c and e.day < day]
        if not before or before[-1].kind != "service" or before[-1] not in about:
            return ""
        keys = ["fixed", "on_time"] + (["charged_as_quoted"] if rng.random() < 0.4 else [])
        return ";".join(f"{k}={'yes' if rng.random() < 0.94 else 'no'}" for k in keys)

    # Which customers have event callbacks due on which working day, and about what.
    due: dict[date, dict[int, list[Event]]] = defaultdict(lambda: defaultdict(list))
    for e in events:
        for days in OFFSETS[e.kind]:
            day = working_day(e.day + timedelta(days=days))
            if first <= day <= last:
                due[day][e.customer.number].append(e)
    stop = {number: day for number, (day, *_) in UNHAPPY.items()}
    stop[UNREACHABLE] = date(2026, 11, 15)
    never = last + timedelta(days=1)
    by_number = {c.number: c for c in customers}
    # A reached call settles every callback due within three days (merge window):
    # nobody calls that customer again for those.
    covered: dict[int, date] = {}
    before_first = first - timedelta(days=1)
    checks: dict[date, list[int]] = defaultdict(list)

    def reached(number: int, day: date) -> None:
        covered[number] = max(covered.get(number, before_first), day + timedelta(days=3))

    day = first
    while day <= last:
        for number in checks.pop(day, []):
            add(by_number[number], call_time(rng, day), SUPERVISOR, "接通", "", "", "二级回访")
            reached(number, day)
        for number in sorted(due[day]):
            c = by_number[number]
            if day >= stop.get(number, never) or covered.get(number, before_first) >= day:
                continue
            if rng.random() > (0.85 if day >= careful else 0.2):
                continue  # not called: the callback stays overdue (or went stale)
            clerk = CLERKS[number % 2] if rng.random() < 0.85 else CLERKS[(number + 1) % 2]
            at = call_time(rng, day)
            call_day = day
            if rng.random() < 0.15:
                add(c, at, clerk, "占线" if rng.random() < 0.35 else "无人接听")
                if rng.random() < 0.2:
                    continue
                if at.hour >= 15 or rng.random() < 0.5:
                    call_day = working_day(day + timedelta(days=1))
                at = call_time(rng, call_day, after=at)
                if call_day > last or call_day >= stop.get(number, never):
                    continue
            # What this call is about: every callback due up to three days ahead.
            about = [
                e
                for d in range((call_day - day).days + 4)
                for e in due[day + timedelta(days=d)].get(number, [])
            ]
            sat = rng.choices(["5", "4", "3"], [45, 40, 15])[0]
            add(
                c,
                at,
                clerk,
                "接通",
                sat,
                answers_for(c, call_day, about),
                rng.choice(CALL_NOTES_GOOD),
            )
            reached(number, call_day)
            # The supervisor's second-level check on a service job, three days later.
            check = working_day(call_day + timedelta(days=3))
            if (
                any(e.kind == "service" for e in about)
                and call_day >= date(2026, 10, 26)
                and check <= last
                and rng.random() < 0.8
            ):
                checks[check].append(number)
        day += timedelta(days=1)
    for number, (day, sat, answers, note) in UNHAPPY.items():
        c = by_number[number]
        add(c, call_time(rng, day), CLERKS[0], "接通", str(sat), answers, note)
    # A customer nobody can reach: three calls in a row not answered (flagged unreachable).
    c = by_number[UNREACHABLE]
    for day in (date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)):
        add(c, call_time(rng, day), CLERKS[1], "无人接听")
    for number, day, visitor, clock in VISITS:
        hour, minute = (int(x) for x in clock.split(":"))
        at = datetime(day.year, day.month, day.day, hour, minute)
        add(by_number[number], at, visitor, "接通", "", "", "上门拜访", "拜访")
    return sorted(calls.values(), key=lambda r: (r[1], r[0]))


def main() -> None:
    rng = random.Random(SEED)
    customers = make_customers(rng)
    make_contacts(rng, customers)
    events = make_events(rng, customers)
    assert all(e.day <= TODAY for e in events)
    calls = make_calls(rng, customers, events)
    assert all(row[1] < "2026-11-21" for row in calls)
    write_csv(
        HERE / "staff.csv",
        ["name", "role", "department", "phone"],
        staff_rows(),
        "utf-8",
        excel=False,
    )
    write_csv(
        HERE / "customers.csv",
        ["客户编号", "客户名称", "等级", "电话", "区域", "行业", "客户经理", "地址", "备注"],
        customer_rows(customers),
        "utf-8-sig",
        excel=True,
    )
    write_csv(
        HERE / "contacts-gb18030.csv",
        ["客户编号", "联系人", "角色", "电话", "微信", "生日", "主要联系人"],
        [row for c in customers for row in c.contacts],
        "gb18030",
        excel=True,
    )
    write_csv(
        HERE / "events.csv",
        ["customer_code", "kind", "date", "ref", "machine", "staff", "result", "note"],
        event_rows(rng, events),
        "utf-8",
        excel=False,
    )
    write_csv(
        HERE / "calls.csv",
        ["客户编号", "时间", "回访人", "回访结果", "满意度", "答案", "备注", "方式"],
        calls,
        "utf-8-sig",
        excel=True,
    )
    print(
        f"wrote {len(STAFF)} staff, {len(customers)} customers, "
        f"{sum(len(c.contacts) for c in customers)} contacts, {len(events)} events, "
        f"{len(calls)} calls to {HERE}"
    )


if __name__ == "__main__":
    main()
