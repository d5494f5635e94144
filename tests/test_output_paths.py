"""One check for every file a command writes: a plan drafted or started from a template never lands in the
data folder's progress/ nor takes a ledger's name (issue 23, item 2)."""

from __future__ import annotations

import pytest

from conftest import SOURCE, one_line_error


@pytest.fixture
def ledger_file(home, cli):
    cli("mark", "7", "--unit", "区法制办", "--on", "2017-11-30")
    path = home / "progress" / "区法制办.jsonl"
    return path, path.read_bytes()


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_draft_never_replaces_a_ledger(cli, ledger_file, force):
    path, before = ledger_file
    r = cli("draft", SOURCE, "--output", path, *force)
    assert r.exit_code == 2, r.output
    assert ".yaml" in one_line_error(r)
    assert path.read_bytes() == before


@pytest.mark.parametrize("name", ["甲街.jsonl", "甲街.yaml"])
def test_draft_and_new_write_nothing_into_progress(cli, home, ledger_file, name):
    folder = home / "progress"
    before = sorted(p.name for p in folder.iterdir())
    for args in (["draft", SOURCE, "--output", folder / name], ["new", folder / name]):
        r = cli(*args)
        assert r.exit_code == 2, r.output
        assert str(folder / name) in one_line_error(r)
        assert sorted(p.name for p in folder.iterdir()) == before


def test_a_plan_file_must_be_named_as_one(cli, tmp_path):
    r = cli("new", tmp_path / "plan.txt")
    assert r.exit_code == 2 and ".yaml" in one_line_error(r)
    assert list(tmp_path.iterdir()) == []
    r = cli("new", tmp_path / "plan.yml")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "plan.yml").is_file()
