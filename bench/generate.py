#!/usr/bin/env python3
"""Write a large, deterministic office as CSV files for the benchmark (bench/run.py).

    python3 bench/generate.py            # full size: 100k customers, 1M events, 300k calls
    python3 bench/generate.py --quick    # 10k customers, 100k events, 30k calls

Standard library only, fixed seed: the same parameters write the same bytes. Files go to
bench/data/<size>/ (kept out of git) with a stamp file; a second run with unchanged
parameters (and an unchanged generator) reuses them.

- staff.csv          ~30 staff across the roles of defaults.toml [staff].roles
- customers.csv      Chinese company names, grades weighted toward 3–5, phones as text
- events.csv         sale/service/parts/rental/used over the three years before TODAY,
                     mostly service, refs unique, Chinese notes; rows in random date order
                     so that any prefix is a fair sample
- events-10k.csv, events-100k.csv   the first 10k / 100k rows of events.csv (when smaller)
- calls.csv          mostly reached, satisfaction 1–5 on reached calls, Chinese notes,
                     (customer, at, caller) unique, all before TODAY

Headers are the English field names that `followup import` accepts.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

SEED = 20261123
TODAY = date(2026, 11, 23)
HISTORY_DAYS = 3 * 365  # events and calls fall within this many days before TODAY
HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
CHUNK = 50_000
SUBSETS = (10_000, 100_000)


@dataclass(frozen=True)
class Size:
    label: str
    customers: int
    events: int
    calls: int


FULL = Size("full", 100_000, 1_000_000, 300_000)
QUICK = Size("quick", 10_000, 100_000, 30_000)

# -- staff ----------------------------------------------------------------------------

# (name, role, department, phone). Departments match the customers' branches so that
# branch roles are routed to the right branch.
STAFF: list[tuple[str, str, str, str]] = [
    ("张丽", "clerk", "客服中心", "13805310112"),
    ("刘芳", "clerk", "客服中心", "13705310128"),
    ("李娜", "clerk", "客服中心", "13705310135"),
    ("王静", "clerk", "客服中心", "13805310147"),
    ("陈晓燕", "clerk", "客服中心", "13905310152"),
    ("杨慧", "clerk", "客服中心", "13605310163"),
    ("王磊", "service", "服务部", "13906410231"),
    ("赵鹏", "service", "服务部", "13853120417"),
    ("孙浩", "service", "服务部", "13792150836"),
    ("周斌", "service", "服务部", "13792150841"),
    ("吴强", "service", "服务部", "13853120452"),
    ("徐亮", "service", "服务部", "13906410266"),
    ("胡志勇", "service", "服务部", "13953120473"),
    ("郭帅", "service", "服务部", "13853120488"),
    ("陈刚", "service_supervisor", "服务部", "13606415520"),
    ("林涛", "service_supervisor", "服务部", "13606415537"),
    ("李军", "service_manager", "服务部", "13515310609"),
    ("王伟", "account_manager", "济南分公司", "13953101186"),
    ("杨帆", "account_manager", "济南分公司", "13864027731"),
    ("高峰", "account_manager", "济南分公司", "13864027748"),
    ("刘洋", "account_manager", "青岛分公司", "13953201195"),
    ("朱明", "account_manager", "青岛分公司", "13953201203"),
    ("何佳", "account_manager", "青岛分公司", "13953201217"),
    ("周涛", "sales_manager", "济南分公司", "13678812045"),
    ("马骏", "sales_manager", "青岛分公司", "13678812059"),
    ("吴建华", "branch_gm", "济南分公司", "13905317788"),
    ("韩冰", "branch_gm", "青岛分公司", "13905327799"),
    ("郑海", "marketing_director", "营销中心", "13805316066"),
    ("罗志刚", "regional_manager", "营销中心", "13805316073"),
    ("马国栋", "gm", "总经办", "13905318899"),
]


def _by_role(role: str) -> list[str]:
    return [s[0] for s in STAFF if s[1] == role]


CLERKS = _by_role("clerk")
ENGINEERS = _by_role("service")
SUPERVISORS = _by_role("service_supervisor")
ACCOUNT_MANAGERS = {
    branch: [s[0] for s in STAFF if s[1] == "account_manager" and s[2] == branch]
    for branch in ("济南分公司", "青岛分公司")
}
SALES = [n for names in ACCOUNT_MANAGERS.values() for n in names] + _by_role("sales_manager")

# -- customers ------------------------------------------------------------------------

# city -> (area code, branch, districts)
CITIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "济南": ("0531", "济南分公司", ("历下区", "市中区", "槐荫区", "天桥区", "历城区", "章丘区")),
    "淄博": ("0533", "济南分公司", ("张店区", "淄川区", "博山区", "临淄区")),
    "泰安": ("0538", "济南分公司", ("泰山区", "岱岳区", "新泰市", "肥城市")),
    "德州": ("0534", "济南分公司", ("德城区", "陵城区", "禹城市", "乐陵市")),
    "聊城": ("0635", "济南分公司", ("东昌府区", "临清市", "茌平区")),
    "济宁": ("0537", "济南分公司", ("任城区", "兖州区", "曲阜市", "邹城市")),
    "滨州": ("0543", "济南分公司", ("滨城区", "沾化区", "邹平市")),
    "青岛": ("0532", "青岛分公司", ("黄岛区", "城阳区", "即墨区", "胶州市", "平度市")),
    "烟台": ("0535", "青岛分公司", ("芝罘区", "福山区", "莱山区", "龙口市", "招远市")),
    "潍坊": ("0536", "青岛分公司", ("潍城区", "奎文区", "寿光市", "诸城市", "青州市")),
    "威海": ("0631", "青岛分公司", ("环翠区", "文登区", "荣成市")),
    "日照": ("0633", "青岛分公司", ("东港区", "岚山区", "莒县")),
    "临沂": ("0539", "青岛分公司", ("兰山区", "罗庄区", "河东区", "沂水县", "郯城县")),
}
CITY_WEIGHTS = (16, 6, 5, 4, 4, 6, 3, 14, 8, 9, 3, 4, 10)
SYLLABLES = tuple(
    "鲁通泉城宏达华鑫盛泰恒丰瑞祥隆兴建业力源金石岳海东方联顺路桥"
    "远航博润天成中铁宇信嘉诚安庆德荣永昌广和利民新星正大聚发锦凯"
)
INDUSTRIES = (
    ("工程机械", "设备租赁"),
    ("建设", "建筑施工"),
    ("路桥工程", "道路桥梁"),
    ("市政工程", "市政工程"),
    ("矿业", "采矿"),
    ("物流", "物流运输"),
    ("农机", "农业"),
    ("建材", "建材生产"),
    ("土石方工程", "土石方"),
    ("港务", "港口装卸"),
)
SUFFIXES = ("有限公司", "有限公司", "有限公司", "集团有限公司", "股份有限公司", "实业有限公司")
GRADE_WEIGHTS = (3, 7, 20, 35, 35)  # grades 1..5: most customers are 3–5
ACTIVITY = {1: 8.0, 2: 5.0, 3: 3.0, 4: 1.5, 5: 1.0}  # events and calls per customer, relative
ROADS = ("工业北路", "经十路", "二环南路", "黄河路", "长江路", "滨海大道", "开发区大道", "建设路")
CUSTOMER_NOTES = (
    "",
    "",
    "",
    "付款及时, 年采购额稳定",
    "春秋两季用机高峰",
    "老客户, 多次复购",
    "对价格敏感, 注意报价",
    "有二手机置换意向",
    "工地分散, 需提前约时间",
)

# -- events ---------------------------------------------------------------------------

KINDS = ("service", "parts", "sale", "rental", "used")
KIND_WEIGHTS = (62, 18, 9, 7, 4)
REF_PREFIX = {"service": "WO", "parts": "PT", "sale": "INV", "rental": "RT", "used": "UM"}
MACHINES = (
    "SY365H",
    "SY215C",
    "SY75C",
    "STC250",
    "XE215DA",
    "ZL50GN",
    "LW500FN",
    "PC200-8",
    "CAT320GC",
    "HOWO-T7H",
    "SR235",
    "XCT25",
)
RESULTS = {
    "service": ("fixed", "已修复", "完成", "已解决", "待配件", "修好", ""),
    "parts": ("已发货", "已签收", ""),
    "sale": ("delivered", "已交付", "交付"),
    "rental": ("已出租", "已退租", ""),
    "used": ("已交付", "已过户", ""),
}
EVENT_NOTES = {
    "service": (
        "",
        "",
        "液压泵异响, 更换密封件",
        "发动机冒黑烟, 清洗喷油嘴",
        "回转马达漏油, 已更换油封",
        "空调不制冷, 加注冷媒",
        "履带跑偏, 调整张紧",
        "例行保养 500 小时",
        "电路故障, 更换线束",
        "客户反映油耗偏高, 已检查",
    ),
    "parts": ("", "履带板 10 块", "滤芯套装", "斗齿 5 个", "液压油 200L", "发电机总成"),
    "sale": ("", "新机交付, 含操作培训", "以旧换新", "分期付款 24 期", "工地交车"),
    "rental": ("", "月租, 含操作手", "工地短租 15 天", "续租"),
    "used": ("", "二手机整备后交付", "置换回收机", "含三个月质保"),
}
DATE_FORMATS = ("{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}年{m}月{d}日", "{y}{m:02d}{d:02d}")
DATE_FORMAT_WEIGHTS = (90, 5, 3, 2)  # mostly ISO, some Excel/ERP spellings

# -- calls ----------------------------------------------------------------------------

OUTCOMES = ("reached", "no-answer", "busy", "left-message", "wrong-number", "refused")
OUTCOME_WEIGHTS = (76, 12, 5, 4, 2, 1)
SATISFACTION_WEIGHTS = (3, 6, 15, 36, 40)  # 1..5
CHANNELS = ("phone", "phone", "phone", "phone", "phone", "phone", "wechat", "visit", "sms")
REPURCHASE = ("", "", "", "yes", "yes", "unsure", "no")
CALL_NOTES = (
    "",
    "",
    "",
    "客户表示满意",
    "设备运转正常",
    "工程师很专业",
    "希望服务再快一点",
    "配件到货慢",
    "询问二手机价格",
    "客户在工地, 改天再联系",
    "建议增加保养提醒",
    "对维修费用有疑问",
    "准备年底再购一台",
)


# -- generation -----------------------------------------------------------------------


def _cum(weights: Sequence[float]) -> list[float]:
    return list(accumulate(weights))


def make_staff() -> list[tuple[str, ...]]:
    return [("name", "role", "department", "phone"), *STAFF]


def make_customers(rng: random.Random, n: int) -> tuple[list[tuple[str, ...]], list[int]]:
    """The customer rows (header first) and each customer's grade."""
    cities = list(CITIES)
    city_of = rng.choices(range(len(cities)), weights=CITY_WEIGHTS, k=n)
    grades = rng.choices((1, 2, 3, 4, 5), weights=GRADE_WEIGHTS, k=n)
    seen: set[str] = set()
    rows: list[tuple[str, ...]] = [
        (
            "code",
            "name",
            "grade",
            "phone",
            "region",
            "industry",
            "owner",
            "department",
            "address",
            "note",
        )
    ]
    for i in range(n):
        city = cities[city_of[i]]
        area, branch, districts = CITIES[city]
        word, industry = rng.choice(INDUSTRIES)
        while True:
            name = (
                city + rng.choice(SYLLABLES) + rng.choice(SYLLABLES) + word + rng.choice(SUFFIXES)
            )
            if name not in seen:
                seen.add(name)
                break
        roll = rng.random()
        if roll < 0.6:
            phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        elif roll < 0.95:
            phone = f"{area}-{rng.randrange(6, 9)}{rng.randrange(10**7):07d}"
        else:
            phone = ""
        address = f"{city}市{rng.choice(districts)}{rng.choice(ROADS)}{rng.randrange(1, 999)}号"
        rows.append(
            (
                f"C{i + 1:06d}",
                name,
                str(grades[i]),
                phone,
                city,
                industry,
                rng.choice(ACCOUNT_MANAGERS[branch]),
                branch,
                address,
                rng.choice(CUSTOMER_NOTES),
            )
        )
    return rows, grades


def _day_strings(days: int) -> list[list[str]]:
    """For each date format, the text of TODAY - 1 - k for k in range(days)."""
    out: list[list[str]] = [[] for _ in DATE_FORMATS]
    for k in range(days):
        day = TODAY - timedelta(days=1 + k)
        for f, fmt in enumerate(DATE_FORMATS):
            out[f].append(fmt.format(y=day.year, m=day.month, d=day.day))
    return out


def event_rows(rng: random.Random, grades: list[int], n: int) -> Iterator[list[tuple[str, ...]]]:
    """Event rows in chunks; refs are unique over the whole file."""
    cum_customers = _cum([ACTIVITY[g] for g in grades])
    codes = [f"C{i + 1:06d}" for i in range(len(grades))]
    days = _day_strings(HISTORY_DAYS)
    staff_of = {"service": ENGINEERS, "parts": CLERKS, "sale": SALES, "rental": SALES}
    staff_of["used"] = SALES
    for start in range(0, n, CHUNK):
        k = min(CHUNK, n - start)
        customers = rng.choices(range(len(grades)), cum_weights=cum_customers, k=k)
        kinds = rng.choices(KINDS, weights=KIND_WEIGHTS, k=k)
        day_idx = rng.choices(range(HISTORY_DAYS), k=k)
        fmts = rng.choices(range(len(DATE_FORMATS)), weights=DATE_FORMAT_WEIGHTS, k=k)
        machines = rng.choices(MACHINES, k=k)
        picks = rng.choices(range(2520), k=k)  # divisible by every list length used below
        notes = rng.choices(range(2520), k=k)
        chunk: list[tuple[str, ...]] = []
        for j in range(k):
            kind = kinds[j]
            d = day_idx[j]
            year = (TODAY - timedelta(days=1 + d)).year
            staff = staff_of[kind]
            results = RESULTS[kind]
            texts = EVENT_NOTES[kind]
            chunk.append(
                (
                    codes[customers[j]],
                    kind,
                    days[fmts[j]][d],
                    f"{REF_PREFIX[kind]}-{year}-{start + j + 1:07d}",
                    machines[j],
                    staff[picks[j] % len(staff)],
                    results[picks[j] % len(results)],
                    texts[notes[j] % len(texts)],
                )
            )
        yield chunk


def call_rows(rng: random.Random, grades: list[int], n: int) -> Iterator[list[tuple[str, ...]]]:
    """Call rows in chunks; (customer, at, caller) never repeats."""
    cum_customers = _cum([ACTIVITY[g] for g in grades])
    codes = [f"C{i + 1:06d}" for i in range(len(grades))]
    days = _day_strings(HISTORY_DAYS)[0]
    callers = CLERKS * 8 + SUPERVISORS + SALES[:2]
    seen: set[tuple[int, int, int]] = set()
    made = 0
    while made < n:
        k = min(CHUNK, n - made)
        customers = rng.choices(range(len(grades)), cum_weights=cum_customers, k=k)
        day_idx = rng.choices(range(HISTORY_DAYS), k=k)
        seconds = [rng.randrange(8 * 3600 + 1800, 18 * 3600) for _ in range(k)]
        who = rng.choices(range(len(callers)), k=k)
        outcomes = rng.choices(OUTCOMES, weights=OUTCOME_WEIGHTS, k=k)
        scores = rng.choices("12345", weights=SATISFACTION_WEIGHTS, k=k)
        extras = rng.choices(range(2520), k=k)
        chunk: list[tuple[str, ...]] = []
        for j in range(k):
            key = (customers[j], day_idx[j] * 86400 + seconds[j], who[j])
            if key in seen:
                continue
            seen.add(key)
            s = seconds[j]
            at = f"{days[day_idx[j]]} {s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
            reached = outcomes[j] == "reached"
            x = extras[j]
            chunk.append(
                (
                    codes[customers[j]],
                    at,
                    callers[who[j]],
                    outcomes[j],
                    CHANNELS[x % len(CHANNELS)],
                    scores[j] if reached and x % 7 != 0 else "",
                    str(x % 11) if reached and x % 5 == 0 else "",
                    REPURCHASE[x % len(REPURCHASE)] if reached else "",
                    CALL_NOTES[x % len(CALL_NOTES)] if reached else "",
                )
            )
        made += len(chunk)
        yield chunk


CALL_HEADER = (
    "customer_code",
    "at",
    "by",
    "outcome",
    "channel",
    "satisfaction",
    "recommend",
    "repurchase",
    "note",
)
EVENT_HEADER = ("customer_code", "kind", "date", "ref", "machine", "staff", "result", "note")


def _write(path: Path, rows: Sequence[tuple[str, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def _fingerprint(size: Size) -> dict[str, object]:
    source = Path(__file__).read_bytes()
    return {
        "size": asdict(size),
        "seed": SEED,
        "today": TODAY.isoformat(),
        "generator": hashlib.sha256(source).hexdigest()[:16],
    }


def files_for(size: Size) -> list[str]:
    names = ["staff.csv", "customers.csv", "events.csv", "calls.csv"]
    names += [f"events-{n // 1000}k.csv" for n in SUBSETS if n < size.events]
    return names


def generate(size: Size, out: Path, *, force: bool = False, quiet: bool = False) -> Path:
    """Write the files for `size` into `out`, unless the stamp says they are current."""
    stamp = out / "stamp.json"
    want = _fingerprint(size)
    if not force and stamp.exists():
        try:
            have = json.loads(stamp.read_text())
        except ValueError:
            have = None
        if have == want and all((out / f).exists() for f in files_for(size)):
            if not quiet:
                print(f"data: reusing {out} (stamp matches)", file=sys.stderr)
            return out
    out.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    started = time.perf_counter()
    rng = random.Random(SEED)
    _write(out / "staff.csv", make_staff())
    customers, grades = make_customers(rng, size.customers)
    _write(out / "customers.csv", customers)
    del customers

    subsets = [n for n in SUBSETS if n < size.events]
    with (out / "events.csv").open("w", encoding="utf-8", newline="") as main:
        handles = {
            n: (out / f"events-{n // 1000}k.csv").open("w", encoding="utf-8", newline="")
            for n in subsets
        }
        try:
            writers = {n: csv.writer(fh) for n, fh in handles.items()}
            writer = csv.writer(main)
            writer.writerow(EVENT_HEADER)
            for w in writers.values():
                w.writerow(EVENT_HEADER)
            written = 0
            for chunk in event_rows(rng, grades, size.events):
                writer.writerows(chunk)
                for n, w in writers.items():
                    if written < n:
                        w.writerows(chunk[: n - written])
                written += len(chunk)
        finally:
            for fh in handles.values():
                fh.close()

    with (out / "calls.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CALL_HEADER)
        for chunk in call_rows(rng, grades, size.calls):
            writer.writerows(chunk)

    stamp.write_text(json.dumps(want, indent=2) + "\n")
    if not quiet:
        took = time.perf_counter() - started
        print(f"data: wrote {out} in {took:.1f} s", file=sys.stderr)
    return out


def data_dir(size: Size) -> Path:
    return DATA / size.label


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k customers, 100k events")
    parser.add_argument("--out", type=Path, help="folder (default: bench/data/<size>)")
    parser.add_argument("--force", action="store_true", help="write even if the stamp matches")
    args = parser.parse_args(argv)
    size = QUICK if args.quick else FULL
    generate(size, args.out or data_dir(size), force=args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
