"""The parsed-plan cache is a shortcut, never a source of truth."""

from __future__ import annotations

from fazhi_cli import plancache
from fazhi_cli.errors import PlanError
from fazhi_cli.plan import load_plan, parse_plan

import pytest


def entries(monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    monkeypatch.setenv("FAZHI_CACHE_DIR", str(cache))
    return cache


def test_a_cached_plan_equals_the_parsed_one(tmp_path, monkeypatch, plan_text):
    cache = entries(monkeypatch, tmp_path)
    path = tmp_path / "p.yaml"
    path.write_text(plan_text, encoding="utf-8")
    first = load_plan(path)
    assert len(list(cache.glob("plan-*.json"))) == 1
    second = load_plan(path)
    assert second == first == parse_plan(path.read_bytes(), str(path))


def test_an_edit_misses_the_cache(tmp_path, monkeypatch, plan_text):
    entries(monkeypatch, tmp_path)
    path = tmp_path / "p.yaml"
    path.write_text(plan_text, encoding="utf-8")
    load_plan(path)
    path.write_text(plan_text.replace('due: "2017-12-31"', 'due: "2017-11-30"', 1), encoding="utf-8")
    assert str(load_plan(path).parts["7.1"].due) == "2017-11-30"
    path.write_text(plan_text.replace("lead: [区法制办]", "lead: [区法治办]", 1), encoding="utf-8")
    with pytest.raises(PlanError):          # a broken edit is reported, not served from the cache
        load_plan(path)


def test_a_damaged_entry_is_a_miss(tmp_path, monkeypatch, plan_text):
    cache = entries(monkeypatch, tmp_path)
    path = tmp_path / "p.yaml"
    path.write_text(plan_text, encoding="utf-8")
    good = load_plan(path)
    (entry,) = cache.glob("plan-*.json")
    entry.write_text('{"format": "nonsense"', encoding="utf-8")
    assert load_plan(path) == good
    entry.write_text('{"format": "%s", "meta": []}' % plancache.FORMAT, encoding="utf-8")
    assert load_plan(path) == good


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch, plan_text):
    cache = entries(monkeypatch, tmp_path)
    monkeypatch.setenv("FAZHI_NO_CACHE", "1")
    path = tmp_path / "p.yaml"
    path.write_text(plan_text, encoding="utf-8")
    load_plan(path)
    assert not cache.exists()


def test_an_unwritable_cache_is_only_slower(tmp_path, monkeypatch, plan_text):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("FAZHI_CACHE_DIR", str(blocker / "cache"))
    path = tmp_path / "p.yaml"
    path.write_text(plan_text, encoding="utf-8")
    assert load_plan(path).title == "番禺区创建珠三角法治政府示范区工作方案"
