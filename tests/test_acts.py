"""Issue 24: the office's acts (review, extend, waive, remind) seen the same way in every view."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from conftest import one_line_error, snapshot
from fazhi_cli import dates, ledger, progress, record
from fazhi_cli.dates import CHINA

OFFICE = "区法制办"


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        moment = datetime(2017, 1, 1, 9, 0, tzinfo=CHINA)

        def set(self, text):
            self.moment = datetime.fromisoformat(text).replace(tzinfo=CHINA)

        def __call__(self, clock=None):
            self.moment += timedelta(microseconds=1)
            return self.moment

    c = Clock()
    monkeypatch.setattr(dates, "now", c)
    return c


def mark(plan, home, target, unit, on, state="done"):
    record.mark(plan, home, target=target, unit=unit, state=state, on=on, note=None, evidence=[], by="t",
                clock_today=date.fromisoformat(on))


def part(plan, home, pid, as_of):
    st = progress.status(plan, ledger.read_ledger(home, plan).events, date.fromisoformat(as_of))
    return next(p for p in st.parts if p.part.id == pid)


def json_out(cli, *args):
    result = cli(*args, "-f", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- 1. an extension for one unit stays that unit's --------------------------------------

def test_a_unit_extension_does_not_move_the_parts_date(plan, home, clock, cli):
    clock.set("2026-12-05T10:00")
    record.extend(plan, home, target="27.1", unit="石楼镇", acting=OFFICE, to="2026-12-20", reason="测试",
                  approved_by=None, by=None, clock_today=date(2026, 12, 5))
    p = part(plan, home, "27.1", "2026-12-05")
    assert (p.light, p.extended_to) == ("red", None)           # 33 units still owe it since 2018-12-31
    item = next(i for i in json_out(cli, "due", "--as-of", "2026-12-05")["items"] if i["id"] == "27.1")
    assert (item["due"], item["extended_to"], item["days_left"], item["light"]) == ("2018-12-31", None, -2896, "red")
    parts = json_out(cli, "status", "--parts", "--as-of", "2026-12-05")
    p271 = next(x for t in parts["tasks"] for x in t["parts"] if x["id"] == "27.1")
    assert (p271["extended_to"], p271["light"]) == (None, "red")
    assert next(u for u in p271["units"] if u["unit"] == "石楼镇")["extended_to"] == "2026-12-20"
    # the extended unit's own view keeps its own date
    mine = next(i for i in json_out(cli, "due", "--unit", "石楼镇", "--as-of", "2026-12-05")["items"]
                if i["id"] == "27.1")
    assert (mine["extended_to"], mine["days_left"], mine["light"]) == ("2026-12-20", 15, "yellow")
    text = cli("due", "--as-of", "2026-12-05", env={"COLUMNS": "200"}).stdout
    assert "2026-12-20" not in text
    task = cli("status", "--task", "27", "--as-of", "2026-12-05", env={"COLUMNS": "200"}).stdout
    assert "2026-12-20(原 2018-12-31)" in task


def test_an_extension_for_every_owing_unit_moves_the_part(plan, home, clock):
    # 1.1 is led by 区编办 and 区法制办: once both are extended the part is due on the earlier of the two
    clock.set("2018-12-01T10:00")
    for unit, to in (("区编办", "2019-03-31"), ("区法制办", "2019-02-28")):
        record.extend(plan, home, target="1.1", unit=unit, acting=OFFICE, to=to, reason="测试",
                      approved_by=None, by=None, clock_today=date(2018, 12, 1))
    p = part(plan, home, "1.1", "2019-01-10")
    assert (p.extended_to, p.light) == (date(2019, 2, 28), "green")
    clock.set("2019-01-10T10:00")
    mark(plan, home, "1.1", "区法制办", "2019-01-10")
    p = part(plan, home, "1.1", "2019-03-10")
    assert (p.extended_to, p.light) == (date(2019, 3, 31), "yellow")


# --- 2. one state for a returned share ---------------------------------------------------------

def test_a_returned_share_reads_returned_in_every_view(plan, home, clock, cli):
    clock.set("2017-05-01T10:00")
    mark(plan, home, "1.1", "区编办", "2017-05-01")
    clock.set("2017-05-10T10:00")
    record.review(plan, home, target="1.1", unit="区编办", acting=OFFICE, verdict="return", note="缺少材料", by="t",
                  clock_today=date(2017, 5, 10))
    st = progress.status(plan, ledger.read_ledger(home, plan).events, date(2017, 5, 11))
    task = next(ts for ts in st.tasks if ts.task.id == "1")
    assert (task.state, task.review) == ("doing", "returned")
    wide = {"COLUMNS": "200"}
    overview = cli("status", "--as-of", "2017-05-11", "-f", "csv").stdout
    row = next(line for line in overview.splitlines() if line.startswith("1,"))
    assert "退回" in row and "进行中" not in row
    doc = json_out(cli, "status", "--as-of", "2017-05-11")
    assert next(t for t in doc["tasks"] if t["id"] == "1")["review"] == "returned"
    parts = cli("status", "--parts", "--as-of", "2017-05-11", "-f", "csv").stdout
    assert "退回" in next(line for line in parts.splitlines() if line.startswith("1.1,"))
    header = cli("status", "--task", "1", "--as-of", "2017-05-11", env=wide).stdout
    assert "1.1" in header and "退回" in header.splitlines()[2]
    due = json_out(cli, "due", "--all", "--as-of", "2017-05-11")
    assert next(i for i in due["items"] if i["id"] == "1.1")["review"] == "returned"
    due_csv = cli("due", "--all", "--as-of", "2017-05-11", "-f", "csv").stdout
    assert "退回" in next(line for line in due_csv.splitlines() if ",1.1 " in line)


# --- 3. a waived share is owed nowhere ---------------------------------------------------------

def test_a_waived_share_is_not_owed_anywhere(plan, home, clock, cli):
    clock.set("2018-03-01T10:00")
    mark(plan, home, "1.1", OFFICE, "2018-03-01")
    record.waive(plan, home, target="1.1", unit="区编办", acting=OFFICE, reason="职能划转", by="t",
                 clock_today=date(2018, 3, 1))
    own = json_out(cli, "due", "--unit", "区编办", "--all", "--as-of", "2018-03-02")
    item = next(i for i in own["items"] if i["id"] == "1.1")
    assert (item["waived"], item["light"], item["units"]) == ("职能划转", "green", [])
    assert own["summary"]["open"] == sum(1 for i in own["items"] if i["state"] != "done" and not i["waived"])
    text = cli("due", "--unit", "区编办", "--all", "--as-of", "2019-03-02", "-f", "csv").stdout
    row = next(line for line in text.splitlines() if ",1.1 " in line)
    assert "逾期" not in row and "不再适用" in row
    # the waived lead leaves the denominator, and says so
    parts = json_out(cli, "status", "--parts", "--as-of", "2018-03-02")
    p11 = next(x for t in parts["tasks"] for x in t["parts"] if x["id"] == "1.1")
    assert (p11["state"], p11["lead_done"], p11["lead_total"], p11["lead_waived"]) == ("done", 1, 1, 1)
    csv = cli("status", "--parts", "--as-of", "2018-03-02", "-f", "csv").stdout
    assert "1／1（不再适用 1）" in next(line for line in csv.splitlines() if line.startswith("1.1,"))
    # the units' record has a column for it and the unit's row says what happened
    rec = json_out(cli, "units", "--record", "--as-of", "2018-03-02")
    row = next(r for r in rec["units"] if r["unit"] == "区编办")
    st = progress.status(plan, ledger.read_ledger(home, plan).events, date(2018, 3, 2))
    led = [x for x in progress.own_items(st, "区编办") if x.role == "lead" and x.kind == "part"]
    assert (row["led"], row["waived"]) == (sum(1 for x in led if not x.waived), 1)
    table = cli("units", "--record", "--as-of", "2018-03-02", "-f", "csv").stdout
    head = next(line for line in table.splitlines() if line.startswith("单位,"))
    assert "不再适用" in head
    # undoing the waiver names the unit whose share it was
    undo = cli("undo", "--unit", OFFICE)
    assert undo.exit_code == 0, undo.output
    assert "1.1 区编办" in undo.stdout and OFFICE not in undo.stdout
