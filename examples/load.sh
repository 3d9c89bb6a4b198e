#!/bin/sh
# Load the example office into a fresh database and show the morning of 2026-11-23.
#
#   FOLLOWUP_DB=demo/followup.db FOLLOWUP_TODAY=2026-11-23 sh examples/load.sh .venv/bin/followup
#
# `make demo` runs exactly this. The database named by FOLLOWUP_DB should not exist yet
# (importing again changes nothing, but the complaint below would be opened twice).
set -eu

F=${1:?usage: sh examples/load.sh PATH_TO_followup}
HERE=$(dirname "$0")

: "${FOLLOWUP_DB:?set FOLLOWUP_DB to the database file to create}"
: "${FOLLOWUP_TODAY:?set FOLLOWUP_TODAY (the demo date, 2026-11-23)}"
export FOLLOWUP_DB FOLLOWUP_TODAY
# The demo's notices go to local sinks (examples/notify-demo.toml, notify_sink.py).
FOLLOWUP_CONFIG="$HERE/notify-demo.toml"
FOLLOWUP_DEMO_WECOM_URL="http://127.0.0.1:9/cgi-bin/webhook/send?key=demo-robot-key"
export FOLLOWUP_CONFIG FOLLOWUP_DEMO_WECOM_URL

echo "== Loading the example office into $FOLLOWUP_DB (today is $FOLLOWUP_TODAY) =="
"$F" init
# Staff first (customers name their account manager), then customers, then what
# refers to customers by 客户编号 / customer_code.
"$F" import staff "$HERE/staff.csv"
"$F" import customers "$HERE/customers.csv"
"$F" import contacts "$HERE/contacts-gb18030.csv"
"$F" import events "$HERE/events.csv"
"$F" import calls "$HERE/calls.csv"
# Where notices reach the leaders (the WeCom group takes the gm's, the deputy GM's and
# the sales manager's too).
"$F" staff edit 马国栋 --email maguodong@example.cn >/dev/null
"$F" staff edit 周涛 --email zhoutao@example.cn >/dev/null

echo
echo "== Whom to call: the person in charge, not the boss or the operator =="
# Seed 000: 选择客户负责人进行回访…这里所说的客户负责人，并不一定是客户老板，而是指某项业务的
# 负责人: C000008's service callbacks go to her, not to the owner (老板) 吴新民.
"$F" contact add C000008 韩立群 --role 业务负责人 --phone 13705326618
# Seed 003: 及时掌握大客户单位关键职务的人事变动情况. C000030's decision-maker has left: its
# callbacks go to the finance contact (never the machine operator), and the key account
# without its key people is a warning.
"$F" contact edit C000030 冯德山 --left --date 2026-11-16

echo
echo "== A visit booked with the customer (seed 003: 预约回访时间和地点) =="
VISIT=$("$F" export callbacks --format csv \
    | awk -F, '$2 == "C000007" && $5 == "visit" && $7 == "sales_manager" && $9 == "pending" { print $1; exit }')
FOLLOWUP_STAFF=周涛 "$F" callback book "$VISIT" --at "2026-11-23 14:00" --place "城阳区正阳路201号 集团总部"

echo
echo "== The clerk's morning: followup due (2026-11-23) =="
"$F" due --limit 12

echo
echo "== A key account's service schedule: a core (grade 1) customer's job of 2026-11-18 =="
# Seed 003 (大客户回访): 以提供服务后两天、一周、一个月、三个月、六个月等为时间段进行定期的回访
# (grades 1–3; a general customer's service keeps 2d, 7d, 1m).
FOLLOWUP_STAFF=张丽 "$F" event add C000001 --kind service --date 2026-11-18 --ref WO-2026-0355 \
    --machine "ZL50GN" --staff 王磊 --result 已修复 --note "更换回转马达密封"
echo "-- the partnership's anniversary (重要纪念日), greeted the working day before:"
FOLLOWUP_STAFF=张丽 "$F" customer edit C000001 --anniversary 12-06:合作纪念日

echo
echo "== A complaint comes in by phone from an important (grade 2) customer =="
FOLLOWUP_STAFF=张丽 "$F" ticket open C000002 --severity minor --category service.late \
    --channel phone --summary "约好周五上门保养, 服务工程师没来也没通知" \
    --details "SY215C 2000小时保养; 客户等了一天"

echo
echo "== A callback where the customer complains =="
FOLLOWUP_STAFF=张丽 "$F" log-call C000001 --outcome reached --by 张丽 --at "2026-11-23 09:20" \
    --satisfaction 3 --note "配件单 PT-2026-0127: 订4块, 只到2块" \
    --complaint "履带板少发两块" --category parts --severity minor

echo
echo "== A major complaint: reported at once to the sales manager, owned by the deputy GM =="
# Seed 001: 接到客户的投诉后…应立即向销售经理汇报…重大问题应及时向主管副经理汇报，由主管副经理
# 提出处理方案; 再由有关领导批示处理意见，最后通知客户处理结果.
FOLLOWUP_STAFF=张丽 "$F" ticket open C000009 --severity major --category product.failure \
    --channel phone --summary "液压泵维修后第三天又漏油, 停工两天" >/dev/null
FOLLOWUP_STAFF=孟庆华 "$F" ticket resolve 3 --resolution "更换液压泵总成, 费用由厂家承担; 补偿两天租机"
echo "-- telling the customer before the leader's approval is refused:"
FOLLOWUP_STAFF=张丽 "$F" ticket notify 3 --via phone 2>&1 || true
FOLLOWUP_STAFF=马国栋 "$F" ticket approve 3 --note "同意, 周三前完成更换"
FOLLOWUP_STAFF=张丽 "$F" ticket notify 3 --via phone --response "同意方案, 谢谢" >/dev/null
FOLLOWUP_STAFF=张丽 "$F" ticket close 3
"$F" ticket show 3

echo
echo "== The account manager visits the same customer that afternoon (his visit, not the clerk's) =="
"$F" log-call C000001 --outcome reached --by 王伟 --channel visit --at "2026-11-23 15:10" \
    --note "上门拜访: 补发的履带板周三到货" \
    --findings "补发履带板周三到货; 明年一季度二期工程需增两台SY215C, 请销售部12月初报价"

echo
echo "== Nobody acts. Cron on 2026-11-27 07:30: followup escalate --auto =="
"$F" --today 2026-11-27 escalate --auto

echo
echo "== The notices queued for the people named (followup notify send --dry-run) =="
"$F" --today 2026-11-27 notify send --dry-run

echo
echo "== Cron delivers them: followup notify send (to local sinks the demo starts and stops) =="
"$(dirname "$F")/python" "$HERE/notify_sink.py" "$F" --today 2026-11-27

echo
echo "== Unresolved complaints on 2026-11-27 =="
"$F" --today 2026-11-27 report complaints

echo
echo "== The daily report cron mails on 2026-11-27 =="
"$F" --today 2026-11-27 report daily

echo
echo "== Satisfaction, September to November, by month =="
"$F" report satisfaction --from 2026-09-01 --period month

echo
echo "== Early warnings on 2026-11-27: office-wide indicators first (总量预警指标、比例预警指标) =="
"$F" --today 2026-11-27 report warnings

echo
echo "== The gm records the measure taken on the office-wide warning (处理办法及措施) =="
WARNING=$("$F" --today 2026-11-27 report warnings --format csv \
    | awk -F, '/office\.low_satisfaction_pct/ { print $1; exit }')
"$F" --today 2026-11-27 warning ack "$WARNING" --by 马国栋 \
    --action "本周内逐一回访满意度低的客户，周五例会通报"

echo
echo "== The supervisor reviews the account manager's visit report (seed 003: 主管领导审阅) =="
# 回访结束后，应及时整理大客户回访报告表，从中提炼主要结论 (log-call --findings, above);
# 客服主管…进行审查，并提出指导意见. Other key-account visits wait, and those older than a
# week are flagged.
CALL=$("$F" --today 2026-11-27 report visits --format csv | awk -F, '$3 == "C000001" { print $1; exit }')
"$F" --today 2026-11-27 call review "$CALL" --by 陈刚 --note "报价前先确认二期工期和付款方式"
"$F" --today 2026-11-27 report visits --from 2026-11-01

echo
echo "== Grades from value (seed 004: 企业前20%的客户产生约150%的利润) =="
# The ERP's invoice amounts (金额) for this year's sales, on the events already recorded;
# report value ranks the customers by them and suggests grades (top 5% grade 1, next 15%
# grade 2, next 20% grade 3); regrade --dry-run lists what --apply would change.
"$F" --today 2026-11-27 import events "$HERE/amounts.csv"
"$F" --today 2026-11-27 report value
"$F" --today 2026-11-27 customer regrade --dry-run --by 周涛

echo
echo "== Cron on 2026-12-02: emergencies nobody acknowledged in 2 working days climb =="
"$F" --today 2026-12-02 escalate --auto

echo
echo "== The routine report (常规报告), by month =="
"$F" --today 2026-12-02 report warnings --period month --from 2026-11-01
