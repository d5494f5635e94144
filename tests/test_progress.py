"""The rules, on small hand-made ledgers with a fixed as_of."""

from __future__ import annotations

from datetime import date

import pytest

from fazhi_cli.ledger import check_record
from fazhi_cli.progress import due_items, latest, light, status

_n = iter(range(10**6))


def ev(plan, target, unit, on, state="done", at=None, revokes=None):
    i = next(_n)
    obj = {"id": f"{i:032x}", "part": target, "unit": unit, "on": on, "by": "t",
           "recorded_at": at or f"2026-01-01T00:00:{i % 60:02d}.{i:06d}+08:00"}
    if revokes:
        obj.update(type="revoke", revokes=revokes)
    else:
        obj.update(type="mark", state=state)
    return check_record(obj, plan)


def part(st, pid):
    return next(p for t in st.tasks for p in t.parts if p.part.id == pid)


def test_light_rule():
    d = date(2017, 12, 31)
    assert light(d, False, date(2018, 1, 1), 30) == "red"
    assert light(d, False, date(2017, 12, 1), 30) == "yellow"     # 30 days left
    assert light(d, False, date(2017, 11, 30), 30) == "green"     # 31 days left
    assert light(d, False, d, 30) == "yellow"                     # due today is not yet late
    assert light(d, True, date(2019, 1, 1), 30) == "green"


def test_done_only_when_marked_on_or_before_as_of(plan):
    events = [ev(plan, "7.1", "区法制办", "2017-11-30")]
    assert part(status(plan, events, date(2017, 12, 1)), "7.1").state == "done"
    p = part(status(plan, events, date(2017, 11, 29)), "7.1")
    assert (p.state, p.light) == ("todo", "green")
    assert part(status(plan, [], date(2017, 12, 5)), "7.1").light == "yellow"
    assert part(status(plan, [], date(2018, 1, 1)), "7.1").light == "red"


def test_late_completion(plan):
    events = [ev(plan, "2.2", "区编办", "2017-01-15")]
    before = part(status(plan, events, date(2017, 1, 10)), "2.2")
    assert (before.state, before.light, before.late) == ("todo", "red", False)
    after = part(status(plan, events, date(2017, 2, 1)), "2.2")
    assert (after.state, after.light, after.late, after.done_on) == ("done", "green", True, "2017-01-15")
    task = next(t for t in status(plan, events, date(2017, 2, 1)).tasks if t.task.id == "2")
    assert (task.state, task.late, task.due) == ("doing", True, date(2018, 12, 31))


def test_group_expansion(plan):
    members = plan.parts["27.1"].lead_units
    assert len(members) == 34          # 18 named departments + 16 towns and subdistricts
    one = [ev(plan, "27.1", "石楼镇", "2017-05-01")]
    p = part(status(plan, one, date(2017, 6, 1)), "27.1")
    assert p.state == "doing" and len(p.owing) == 33 and "石楼镇" not in p.owing
    every = [ev(plan, "27.1", u, "2017-05-01") for u in members]
    assert part(status(plan, every, date(2017, 6, 1)), "27.1").state == "done"


def test_support_does_not_complete_a_part_but_counts(plan):
    events = [ev(plan, "7.1", "区财政局", "2017-03-01"), ev(plan, "7.1", "区审计局", "2017-03-01", "doing")]
    p = part(status(plan, events, date(2017, 6, 1)), "7.1")
    assert p.state == "doing"
    assert (p.support_done, p.support_total) == (1, 17)


def test_latest_event_wins_and_ties_go_to_the_later_recording(plan):
    a = ev(plan, "7.1", "区法制办", "2017-11-30", "done", at="2017-12-01T09:00:00+08:00")
    b = ev(plan, "7.1", "区法制办", "2017-11-30", "doing", at="2017-12-01T10:00:00+08:00")
    c = ev(plan, "7.1", "区法制办", "2017-10-01", "done", at="2017-12-02T10:00:00+08:00")
    best = latest([a, b, c], date(2017, 12, 31))
    assert best[("7.1", "区法制办")] is b          # latest `on`, then latest recording
    assert latest([a, b, c], date(2017, 11, 1))[("7.1", "区法制办")] is c


def test_revoked_events_do_not_count(plan):
    a = ev(plan, "7.1", "区法制办", "2017-11-30")
    r = ev(plan, "7.1", "区法制办", "2017-12-01", revokes=a.id)
    assert part(status(plan, [a, r], date(2017, 12, 31)), "7.1").state == "todo"


def test_recurring_duty(plan):
    events = [ev(plan, "report-2017", "区法制办", "2017-12-20")]
    st = status(plan, events, date(2017, 12, 21))
    duty = next(d for d in st.duties if d.duty.id == "report-2017")
    assert (duty.state, duty.light, duty.late) == ("done", "green", False)
    late = status(plan, [ev(plan, "report-2017", "区法制办", "2018-01-05")], date(2018, 2, 1))
    duty = next(d for d in late.duties if d.duty.id == "report-2017")
    assert duty.late and duty.state == "done"


def test_due_window_2016(plan):
    items = due_items(status(plan, [], date(2016, 11, 15)), within=60)
    assert [(i.id, i.due.isoformat(), i.days_left, i.light) for i in items] == [
        ("2.2", "2016-12-31", 46, "green"),
        ("catalogue-2016", "2016-12-31", 46, "green"),
        ("report-2016", "2016-12-31", 46, "green"),
    ]
    assert not any(i.due.year == 2018 for i in items)


def test_due_lists_7_1_in_autumn_2017(plan):
    items = due_items(status(plan, [], date(2017, 10, 1)), within=120)
    ids = [i.id for i in items]
    assert "7.1" in ids
    # everything before 2017-10-01 still owed is listed as overdue, first
    assert ids[:5] == ["2.2", "catalogue-2016", "report-2016", "plan-2017", "summary-2016"]
    assert all(i.light == "red" for i in items[:5]) and items[0].days_left == -274


def test_due_drops_what_is_done_and_filters_by_unit(plan):
    events = [ev(plan, "2.2", "区编办", "2016-12-20")]
    items = due_items(status(plan, events, date(2016, 12, 21)), within=30)
    assert [i.id for i in items] == ["catalogue-2016", "report-2016"]
    mine = due_items(status(plan, [], date(2017, 3, 1)), within=30, unit="石楼镇")
    assert [i.id for i in mine] == ["plan-2017", "summary-2016"]   # 石楼镇 leads 27.1, so it owes both
    # a unit's own view: the same items it owes, each owed by that unit alone
    everyone = [i for i in due_items(status(plan, [], date(2017, 3, 1)), within=30) if "区检察院" in i.units]
    own = due_items(status(plan, [], date(2017, 3, 1)), within=30, unit="区检察院")
    assert [i.id for i in own] == [i.id for i in everyone] and all(i.units == ("区检察院",) for i in own)


def test_a_units_view_is_lit_by_its_own_state(plan):
    # 区检察院 submitted its 2017 work plan on time; others have not. For 区检察院 it is done,
    # green, and no longer owed, while the district view still shows it red.
    events = [ev(plan, "plan-2017", "区检察院", "2017-03-01")]
    st = status(plan, events, date(2017, 4, 1))
    own = {i.id: i for i in due_items(st, unit="区检察院", everything=True)}
    assert (own["plan-2017"].state, own["plan-2017"].light, own["plan-2017"].units) == ("done", "green", ())
    assert own["plan-2017"].done_on == "2017-03-01" and own["plan-2017"].late is False
    assert "plan-2017" not in [i.id for i in due_items(st, unit="区检察院")]
    district = {i.id: i for i in due_items(st)}
    assert district["plan-2017"].light == "red" and "区检察院" not in district["plan-2017"].units


def test_due_all_lists_every_deadline(plan):
    items = due_items(status(plan, [], date(2026, 1, 1)), everything=True)
    assert len(items) == len(plan.parts) + len(plan.obligations)
    assert items[-1].due == date(2019, 3, 10)


@pytest.mark.parametrize("as_of", ["2016-08-19", "2017-06-30", "2019-01-01"])
def test_summary_counts_add_up(plan, as_of):
    st = status(plan, [ev(plan, "7.1", "区法制办", "2016-09-01")], date.fromisoformat(as_of))
    s = st.summary()
    assert s["parts"] == 54 and s["done"] + s["doing"] + s["todo"] == 54


def test_due_sorts_ids_with_superscript_digits(plan_text):
    # str.isdigit() says yes to "²" and int() says no: a recurring duty named "²"
    # (any name is allowed there) made `due --all` an internal error.
    from fazhi_cli.plan.build import parse_plan

    odd = parse_plan(plan_text.replace("  - id: plan\n", '  - id: "²"\n', 1).encode(), "p.yaml")
    assert "²-2017" in odd.obligations
    items = due_items(status(odd, [], date(2017, 1, 1)), within=0, everything=True)
    assert "²-2017" in [i.id for i in items]


# --- a unit's view needs only some files ---------------------------------------------

def _random_record(plan, seed, n=600):
    import random

    rng = random.Random(seed)
    pairs = sorted({(p.id, u) for p in plan.parts.values() for u in (*p.lead_units, *p.support_units)}
                   | {(o.id, u) for o in plan.obligations.values() for u in o.units})
    events = []
    for _ in range(n):
        target, unit = rng.choice(pairs)
        on = date(2016, 9, 1).toordinal() + rng.randint(0, 900)
        events.append(ev(plan, target, unit, date.fromordinal(on).isoformat(), rng.choice(["doing", "done"])))
    return events


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("unit", ["区法制办", "区编办", "石楼镇"])
def test_a_units_views_say_the_same_from_the_files_they_read(plan, seed, unit):
    from fazhi_cli import render
    from fazhi_cli.progress import sharing

    events = _random_record(plan, seed)
    day = date(2017, 12, 1)
    full = status(plan, events, day)
    shared = status(plan, [e for e in events if e.unit in sharing(plan, unit)], day)
    own = status(plan, [e for e in events if e.unit == unit], day)
    for fmt in ("json", "plain"):
        # status --unit reads the files of the units it shares items with
        assert render.unit_view(plan, shared, unit, shared.tasks, fmt) == render.unit_view(plan, full, unit,
                                                                                          full.tasks, fmt)
        # due --unit and log --unit read the unit's own file
        assert (render.due_view(plan, due_items(own, unit=unit, within=400), day, fmt, unit=unit)
                == render.due_view(plan, due_items(full, unit=unit, within=400), day, fmt, unit=unit))
    assert sharing(plan, unit) >= {unit} and "区法制办" in sharing(plan, "区编办")
