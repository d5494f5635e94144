"""Property test: random mark / undo / import histories against a plain model."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhi_cli import ledger, progress, record

PAIRS = [("区法制办", "7.1"), ("区法制办", "11.1"), ("区编办", "2.2"), ("区编办", "7.1")]
START = date(2016, 9, 1)

days = st.integers(min_value=0, max_value=900).map(lambda n: START + timedelta(days=n))
mark_op = st.tuples(st.sampled_from(["mark-here", "mark-there"]), st.sampled_from(PAIRS),
                    st.sampled_from(["todo", "doing", "done"]), days)
undo_op = st.tuples(st.just("undo"), st.sampled_from(["区法制办", "区编办"]))
import_op = st.tuples(st.just("import"))
ops = st.lists(st.one_of(mark_op, mark_op, undo_op, import_op), max_size=14)


class Model:
    """The semantics, written out plainly: a list per data folder, in file order per unit."""

    def __init__(self) -> None:
        self.files: dict[str, list[dict]] = {}    # unit -> events in file order

    def add(self, e: dict) -> None:
        self.files.setdefault(e["unit"], []).append(e)

    def ids(self) -> set[str]:
        return {e["id"] for evs in self.files.values() for e in evs}

    def undo(self, unit: str) -> bool:
        evs = self.files.get(unit, [])
        revoked = {e["revokes"] for e in evs if e.get("revokes")}
        standing = [e for e in evs if e["type"] == "mark" and e["id"] not in revoked]
        return bool(standing)

    def state(self, unit: str, target: str, as_of: date) -> str:
        every = [e for evs in self.files.values() for e in evs]
        revoked = {e["revokes"] for e in every if e.get("revokes")}
        best = None
        for pos, e in enumerate(self.files.get(unit, [])):
            if e["type"] != "mark" or e["part"] != target or e["id"] in revoked or e["on"] > as_of.isoformat():
                continue
            key = (e["on"], e["recorded_at"], pos)
            if best is None or key > best[0]:
                best = (key, e["state"])
        return best[1] if best else "todo"


def _events(home: Path, plan) -> list[dict]:
    out = []
    for ev in ledger.read_ledger(home, plan).events:
        out.append({"id": ev.id, "type": ev.type, "part": ev.target, "unit": ev.unit, "state": ev.state,
                    "on": ev.on, "recorded_at": ev.recorded_at, "revokes": ev.revokes})
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=ops, views=st.lists(days, min_size=1, max_size=4))
def test_random_histories_agree_with_the_model(plan, history, views):
    with tempfile.TemporaryDirectory() as tmp:
        here, there = Path(tmp) / "here", Path(tmp) / "there"
        model_here, model_there = Model(), Model()
        for op in history:
            if op[0].startswith("mark"):
                _, (unit, target), state, on = op
                home, model = (here, model_here) if op[0] == "mark-here" else (there, model_there)
                before = {e["id"] for e in _events(home, plan)}
                record.mark(plan, home, target=target, unit=unit, state=state, on=on.isoformat(),
                            note=None, evidence=[], by="p")
                (new,) = [e for e in _events(home, plan) if e["id"] not in before]
                model.add(new)
            elif op[0] == "undo":
                unit = op[1]
                expected = model_here.undo(unit)
                before = {e["id"] for e in _events(here, plan)}
                try:
                    record.undo(plan, here, unit)
                    done = True
                except Exception:
                    done = False
                assert done == expected
                if done:
                    (new,) = [e for e in _events(here, plan) if e["id"] not in before]
                    model_here.add(new)
            else:
                files = sorted((there / "progress").glob("*.jsonl")) if (there / "progress").exists() else []
                if files:
                    record.import_files(plan, here, files)
                    have = model_here.ids()
                    for unit, evs in sorted(model_there.files.items()):
                        for e in evs:
                            if e["id"] not in have:
                                model_here.add(e)
        events = ledger.read_ledger(here, plan).events
        assert sorted(e.id for e in events) == sorted(model_here.ids())
        for as_of in views:
            best = progress.latest(events, as_of)
            for unit, target in PAIRS:
                got = best[(target, unit)].state if (target, unit) in best else "todo"
                assert got == model_here.state(unit, target, as_of), (unit, target, as_of)
            st_ = progress.status(plan, events, as_of)       # never raises
            seven = next(p for t in st_.tasks for p in t.parts if p.part.id == "7.1")
            assert (seven.state == "done") == (model_here.state("区法制办", "7.1", as_of) == "done")
