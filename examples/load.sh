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

echo "== Loading the example office into $FOLLOWUP_DB (today is $FOLLOWUP_TODAY) =="
"$F" init
# Staff first (customers name their account manager), then customers, then what
# refers to customers by 客户编号 / customer_code.
"$F" import staff "$HERE/staff.csv"
"$F" import customers "$HERE/customers.csv"
"$F" import contacts "$HERE/contacts-gb18030.csv"
"$F" import events "$HERE/events.csv"
"$F" import calls "$HERE/calls.csv"

echo
echo "== A complaint comes in by phone (grade-1 customer) =="
"$F" ticket open C000007 --severity major --category product.failure --channel phone \
    --summary "SY365H 回转异响, 上周修过又复发" \
    --details "工地停工等机, 要求今天派人; 客户称已是第二次报修"

echo
echo "== A callback where the customer complains =="
FOLLOWUP_STAFF=张丽 "$F" log-call C000001 --outcome reached --by 张丽 --at "2026-11-23 09:20" \
    --satisfaction 3 --note "配件说三天到, 已经一周" \
    --complaint "履带板订了一周还没到货" --category parts --severity minor

echo
echo "== Cron, three days later (2026-11-26 07:30): followup escalate --auto =="
"$F" --today 2026-11-26 escalate --auto

echo
echo "== Today's due list ($FOLLOWUP_TODAY) =="
"$F" due --limit 15

echo
echo "== Open complaints =="
"$F" ticket list

echo
echo "== Daily report =="
if "$F" report --help >/dev/null 2>&1; then
    "$F" report daily
else
    echo "(followup report is not available in this version yet)"
fi
