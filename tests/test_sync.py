"""Forty offices, one record: sync through git, with a history nobody can rewrite.

Every test runs real git repositories (dulwich) in temporary folders: a bare
repository standing for the shared drive, data folders standing for PCs, and
a git HTTP server on 127.0.0.1 started by the test.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import one_line_error, snapshot
from fazhi_cli import dates, ledger, record
from fazhi_cli.record import own
from fazhi_cli.cli import app
from fazhi_cli.sync import read_state, remote as remotes, run, tree

POSIX = pytest.mark.skipif(os.name != "posix", reason="signals are POSIX")
MAIN = b"refs/heads/main"


# --- helpers --------------------------------------------------------------------

def mark(plan, pc, target, unit, on="2017-06-01", **kw):
    return record.mark(plan, pc, target=target, unit=unit, state=kw.pop("state", "done"), on=on,
                       note=kw.pop("note", None), evidence=kw.pop("evidence", []), by="测试")


def sync(plan, pc, remote=None, **kw):
    return run.sync(plan, pc, None if remote is None else str(remote), **kw)


def files_of(pc: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((pc / "progress").glob("*.jsonl"))}


def data_of(pc: Path) -> dict[str, bytes]:
    """Everything a user's data is: the unit files and the evidence copies (not the sync's own folder)."""
    return {k: v for k, v in snapshot(pc).items() if not k.startswith(".sync")}


def repo(path: Path):
    from dulwich.repo import Repo

    return Repo(str(path))


def head_of(path: Path) -> bytes | None:
    r = repo(path)
    try:
        return r.refs[MAIN] if MAIN in r.refs else None
    finally:
        r.close()


def remote_state(path: Path) -> tuple[bytes | None, dict[str, bytes]]:
    """The remote's head and every file of it: to prove a refused sync left it alone."""
    return head_of(path), snapshot(path)


@pytest.fixture
def shared(tmp_path, plan):
    """A bare repository on the 'shared drive', created by the first PC's `fazhi sync --init-remote`."""
    path = tmp_path / "share" / "fazhi.git"
    path.parent.mkdir()
    out = sync(plan, tmp_path / "office", init_remote=str(path))
    assert out.lines[0] == f"已新建同步仓库：{path}" and out.lines[-1].startswith("同步完成")
    return path


def rewrite(path: Path, change) -> bytes:
    """Force the remote's main to a history whose head's files were changed by ``change(units)``; the new head."""
    from dulwich.objects import Blob, Commit, Tree

    r = repo(path)
    try:
        head = r[r.refs[MAIN]]
        top = r[head.tree]
        progress = r[top[b"progress"][1]]
        units = {n.decode(): r[s].data for n, (m, s) in ((i.path, (i.mode, i.sha)) for i in progress.items())}
        change(units)
        new_progress = Tree()
        for name, data in units.items():
            b = Blob.from_string(data)
            r.object_store.add_object(b)
            new_progress.add(name.encode(), 0o100644, b.id)
        r.object_store.add_object(new_progress)
        new_top = Tree()
        for item in top.items():
            new_top.add(item.path, item.mode, new_progress.id if item.path == b"progress" else item.sha)
        r.object_store.add_object(new_top)
        c = Commit()
        c.tree, c.parents = new_top.id, list(head.parents)
        c.author = c.committer = b"mallory <>"
        c.author_time = c.commit_time = head.commit_time + 60
        c.author_timezone = c.commit_timezone = 8 * 3600
        c.message = "整理记录\n".encode()
        r.object_store.add_object(c)
        r.refs[MAIN] = c.id       # a force-push: the old head is gone from main's history
        return c.id
    finally:
        r.close()


def push_commit(path: Path, change, *, files=None) -> bytes:
    """Push an ordinary commit (on top of the head) made with another tool: ``change(units)`` edits its files."""
    from dulwich.objects import Blob, Commit, Tree

    r = repo(path)
    try:
        head = r[r.refs[MAIN]]
        top = r[head.tree]
        progress = r[top[b"progress"][1]] if b"progress" in [i.path for i in top.items()] else Tree()
        units = {i.path.decode(): r[i.sha].data for i in progress.items()}
        change(units)
        new_progress = Tree()
        for name, data in units.items():
            b = Blob.from_string(data)
            r.object_store.add_object(b)
            new_progress.add(name.encode(), 0o100644, b.id)
        r.object_store.add_object(new_progress)
        new_top = Tree()
        for item in top.items():
            if item.path != b"progress":
                new_top.add(item.path, item.mode, item.sha)
        new_top.add(b"progress", 0o040000, new_progress.id)
        for name, data in (files or {}).items():
            b = Blob.from_string(data)
            r.object_store.add_object(b)
            new_top.add(name.encode(), 0o100644, b.id)
        r.object_store.add_object(new_top)
        c = Commit()
        c.tree, c.parents = new_top.id, [head.id]
        c.author = c.committer = b"someone <>"
        c.author_time = c.commit_time = head.commit_time + 60
        c.author_timezone = c.commit_timezone = 8 * 3600
        c.message = b"edit\n"
        r.object_store.add_object(c)
        r.refs[MAIN] = c.id
        return c.id
    finally:
        r.close()


# --- the ordinary day: first sync, then `fazhi sync` ---------------------------------

def test_three_offices_exchange_their_records_and_end_with_the_same_files(plan, tmp_path, shared, cli):
    a, b, c = tmp_path / "区法制办PC", tmp_path / "区编办PC", tmp_path / "区财政局PC"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    mark(plan, b, "2.2", "区编办", on="2016-12-20")
    mark(plan, c, "24.1", "区财政局", on="2017-03-01")
    first = sync(plan, a, shared)
    assert first.lines[:2] == [f"远端：{shared}", "发出：区法制办 1 条"] and first.notes == []
    r = cli("sync", shared, "--data-dir", b)
    assert r.exit_code == 0, r.output
    assert r.stderr == ""
    assert r.stdout.splitlines()[1:4] == ["发出：区编办 1 条", "收到：区法制办 1 条", "+ 区法制办 7.1 已完成（2017-11-30）"]
    assert r.stdout.splitlines()[-1].startswith("同步完成：与远端一致（提交 ")
    for pc in (c, a, b):            # afterwards the remote is remembered: plain `fazhi sync`
        r = cli("sync", "--data-dir", pc) if pc != c else cli("sync", shared, "--data-dir", pc)
        assert r.exit_code == 0, r.output
    assert files_of(a) == files_of(b) == files_of(c)
    assert set(files_of(a)) == {"区法制办.jsonl", "区编办.jsonl", "区财政局.jsonl"}
    views = {cli("status", "--as-of", "2018-01-01", "-f", "json", "--data-dir", pc).stdout for pc in (a, b, c)}
    assert len(views) == 1
    # each PC's own file never changed its bytes: the others' files came whole
    r = cli("sync", "--data-dir", a)
    assert "没有新的记录要发出或收到" in r.stdout


def test_the_remote_keeps_one_commit_per_sync_naming_the_unit_and_its_records(plan, tmp_path, shared):
    b = tmp_path / "区编办PC"
    mark(plan, b, "2.2", "区编办", on="2016-12-20")
    mark(plan, b, "summary-2017", "区编办", on="2018-03-01")
    sync(plan, b, shared)
    r = repo(shared)
    try:
        commits = [e.commit for e in r.get_walker()]
        newest = commits[0].message.decode()
        assert newest.splitlines()[0] == "区编办 记录 2 条"
        assert "+ 区编办 2.2 已完成（2016-12-20）" in newest and "+ 区编办 summary-2017 已完成（2018-03-01）" in newest
        assert all(len(c.parents) <= 1 for c in commits)            # a straight line of syncs
        assert list(tree.verify(r.object_store, list(reversed([c.id for c in commits])))) == []
    finally:
        r.close()


def test_one_unit_on_two_pcs_merges_by_record_id_remote_lines_first(plan, tmp_path, shared):
    one, two = tmp_path / "pc1", tmp_path / "pc2"
    first = mark(plan, one, "2.2", "区编办", on="2016-12-20").events[0]
    sync(plan, one, shared)
    sync(plan, two, shared)
    mine = mark(plan, two, "6.3", "区编办", on="2017-01-05", state="doing").events[0]
    theirs = mark(plan, one, "2.1", "区编办", on="2017-01-06").events[0]
    sync(plan, one, shared)
    out = sync(plan, two, shared)
    assert out.lines[1:3] == ["发出：区编办 1 条", "收到：区编办 1 条"]
    ids = [json.loads(x)["id"] for x in (two / "progress" / "区编办.jsonl").read_bytes().splitlines()]
    assert ids == [first["id"], theirs["id"], mine["id"]]         # the remote's lines, then this PC's
    sync(plan, one, shared)
    assert files_of(one) == files_of(two)


def test_evidence_files_travel_and_check_verifies_them(plan, tmp_path, shared, cli):
    a, b = tmp_path / "a", tmp_path / "b"
    pdf = tmp_path / "清理结果.pdf"
    pdf.write_bytes(b"%PDF-1.4 evidence\n" * 100)
    mark(plan, a, "7.1", "区法制办", on="2017-11-30", evidence=[str(pdf)])
    sync(plan, a, shared)
    sync(plan, b, shared)
    copies = list((b / "evidence").iterdir())
    assert [p.read_bytes() for p in copies] == [pdf.read_bytes()] and copies[0].suffix == ".pdf"
    r = cli("check", "--data-dir", b)
    assert r.exit_code == 0, r.output
    assert "同步历史：2 个提交" in r.stdout and "问题 0 个" in r.stdout
    # a copy deleted by hand comes back with the next sync
    copies[0].unlink()
    assert cli("check", "--data-dir", b).exit_code == 1
    sync(plan, b)
    assert copies[0].read_bytes() == pdf.read_bytes()


def test_records_arriving_by_sync_count_from_their_arrival_and_keep_the_remotes_bytes(plan, tmp_path, shared):
    a, b = tmp_path / "a", tmp_path / "b"
    theirs = mark(plan, b, "2.2", "区编办", on="2016-12-20").events[0]
    sync(plan, b, shared)
    before = dates.now().isoformat(timespec="microseconds")
    time.sleep(0.01)
    sync(plan, a, shared)
    assert files_of(a)["区编办.jsonl"] == files_of(b)["区编办.jsonl"]      # byte for byte: no received_at added
    event = next(e for e in ledger.read_ledger(a, plan).events if e.id == theirs["id"])
    assert event.recorded_at == theirs["recorded_at"] and event.known_at > before
    from datetime import date

    from fazhi_cli import progress

    as_of = date(2017, 1, 1)
    then = progress.status(plan, ledger.read_ledger(a, plan).events, as_of, known_at=before)
    now = progress.status(plan, ledger.read_ledger(a, plan).events, as_of)
    assert then.tasks[1].parts[1].state == "todo" and now.tasks[1].parts[1].state == "done"
    # on the PC that recorded it, it counts from its recording
    own = next(e for e in ledger.read_ledger(b, plan).events if e.id == theirs["id"])
    assert own.known_at == theirs["recorded_at"]


# --- status and check -------------------------------------------------------------

def test_status_says_when_the_folder_last_synced_and_which_units_went_quiet(plan, tmp_path, shared, cli):
    a = tmp_path / "a"
    old = mark(plan, tmp_path / "b", "2.2", "区编办", on="2016-12-20").events[0]
    quiet = dict(old, recorded_at="2017-01-02T09:00:00.000000+08:00")
    path = tmp_path / "b" / "progress" / "区编办.jsonl"
    path.write_text(json.dumps(quiet, ensure_ascii=False) + "\n", encoding="utf-8")
    sync(plan, tmp_path / "b", shared)
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    plain_before = cli("status", "-f", "plain", "--data-dir", a).stdout
    json_before = cli("status", "-f", "json", "--as-of", "2018-01-01", "--data-dir", a).stdout
    assert "上次同步" not in plain_before
    sync(plan, a, shared)
    lines = cli("status", "-f", "plain", "--data-dir", a).stdout.splitlines()
    state = read_state(a)
    assert lines[2] == f"上次同步：{state.last_sync[:16].replace('T', ' ')} · 远端 {shared}"
    assert lines[3].startswith("90 天以上未更新：区编办（2017-01-02）") and "尚无任何记录的单位 35 个" in lines[3]
    # JSON and CSV stay what they are on every PC
    assert cli("status", "-f", "json", "--as-of", "2018-01-01", "--data-dir", a).stdout.replace(
        '"done", "on": "2016-12-20"', "") != ""
    doc = json.loads(cli("status", "-f", "json", "--as-of", "2018-01-01", "--data-dir", a).stdout)
    assert set(doc) == set(json.loads(json_before))
    table = cli("status", "--data-dir", a).stdout
    assert "上次同步" in table


def test_check_finds_a_rewrite_anywhere_in_the_local_history(plan, tmp_path, shared, cli):
    a = tmp_path / "a"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    mark(plan, a, "11.1", "区法制办", on="2017-12-01")
    sync(plan, a, shared)
    assert cli("check", "--data-dir", a).exit_code == 0
    local = a / ".sync" / "git"
    synced = head_of(local)
    # an edited line committed on top, with git itself: check names the commit and the line
    edited = push_commit(local, lambda u: u.update({"区法制办.jsonl": u["区法制办.jsonl"].replace(b"2017-12-01",
                                                                                            b"2017-10-01")}))
    r = cli("check", "--data-dir", a)
    assert r.exit_code == 1
    assert f"提交 {edited.decode()[:10]}" in r.stdout and "改写或删除了区法制办 的进度文件第 2 行" in r.stdout
    # the history itself rewritten (the synced commit replaced): check knows what it last synced
    _reset(local, synced)
    bad = rewrite(local, lambda u: u.update({"区法制办.jsonl": u["区法制办.jsonl"].replace(b"2017-11-30",
                                                                                      b"2017-10-30")}))
    r = cli("check", "--data-dir", a)
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert any("最后一次同步到的提交" in x and "不在当前历史" in x for x in lines), r.stdout
    assert any(f"提交 {bad.decode()[:10]}" in x and "区法制办 的进度文件第 1 行" in x for x in lines), r.stdout
    # and the folder's file no longer begins with what the history says was synced
    assert any("区法制办.jsonl:1:" in x for x in lines), r.stdout


# --- a history nobody can rewrite --------------------------------------------------

def _change_line(units):
    name = "区编办.jsonl"
    units[name] = units[name].replace(b'"on":"2016-12-20"', b'"on":"2016-11-20"')


def _drop_line(units):
    name = "区编办.jsonl"
    units[name] = b"".join(units[name].splitlines(keepends=True)[:-1])


def _delete_file(units):
    del units["区编办.jsonl"]


def _keep_every_line(units):
    pass            # a history rewritten (the synced commit replaced by another) that keeps every line


@pytest.mark.parametrize("change, what", [(_change_line, "第 1 行"), (_drop_line, "第 2 行"),
                                          (_delete_file, "区编办 的进度文件"), (_keep_every_line, "不在远端的历史中")])
def test_a_force_pushed_rewrite_is_refused_with_nothing_merged(plan, tmp_path, shared, cli, change, what):
    a, b = tmp_path / "a", tmp_path / "b"
    mark(plan, b, "2.2", "区编办", on="2016-12-20")
    mark(plan, b, "2.1", "区编办", on="2016-12-21")
    sync(plan, b, shared)
    sync(plan, a, shared)
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    bad = rewrite(shared, change)
    before, remote_before = data_of(a), remote_state(shared)
    main_before = head_of(a / ".sync" / "git")
    r = cli("sync", "--data-dir", a)
    assert r.exit_code == 1
    line = one_line_error(r)
    assert "强制推送" in line and what in line and "未合并任何内容" in line
    if change in (_change_line, _drop_line):
        assert bad.decode()[:10] in line and "区编办" in line
    assert data_of(a) == before and remote_state(shared) == remote_before
    assert head_of(a / ".sync" / "git") == main_before


def test_an_edited_line_pushed_by_another_tool_is_refused_naming_the_commit(plan, tmp_path, shared, cli):
    a, b = tmp_path / "a", tmp_path / "b"
    mark(plan, b, "2.2", "区编办", on="2016-12-20")
    sync(plan, b, shared)
    sync(plan, a, shared)
    bad = push_commit(shared, _change_line)
    before = data_of(a)
    r = cli("sync", "--data-dir", a)
    assert r.exit_code == 1
    line = one_line_error(r)
    assert f"提交 {bad.decode()[:10]}" in line and "改写或删除了区编办 的进度文件第 1 行" in line
    assert data_of(a) == before


def test_what_arrives_meets_the_rules_of_import(plan, tmp_path, shared, cli):
    a, b = tmp_path / "a", tmp_path / "b"
    mark(plan, b, "2.2", "区编办", on="2016-12-20")
    sync(plan, b, shared)
    sync(plan, a, shared)
    line = json.loads(files_of(b)["区编办.jsonl"].splitlines()[0])
    cases = [
        # another unit's record in 区编办's file
        lambda u: u.update({"区编办.jsonl": u["区编办.jsonl"] + json.dumps(
            dict(line, id="f" * 32, unit="区法制办", part="11.1"), ensure_ascii=False).encode() + b"\n"}),
        # an id already present with other content
        lambda u: u.update({"区法制办.jsonl": json.dumps(dict(line, unit="区法制办", part="7.1"),
                                                       ensure_ascii=False).encode() + b"\n"}),
        # a revoke of another unit's record
        lambda u: u.update({"区法制办.jsonl": json.dumps(dict(line, id="e" * 32, unit="区法制办", part="7.1", type="revoke",
                                                             revokes=line["id"]), ensure_ascii=False).encode() + b"\n"}),
        # a date in the future
        lambda u: u.update({"区编办.jsonl": u["区编办.jsonl"] + json.dumps(dict(line, id="d" * 32, on="2099-01-01"),
                                                                          ensure_ascii=False).encode() + b"\n"}),
    ]
    whys = ["与进度文件的单位", "已存在", "一个单位只能撤销自己的记录", "晚于今天"]
    for change, why in zip(cases, whys, strict=True):
        start = head_of(shared)
        pushed = push_commit(shared, change)
        before = data_of(a)
        r = cli("sync", "--data-dir", a)
        assert r.exit_code == 1, r.output
        msg = one_line_error(r)
        assert why in msg and "未合并任何内容" in msg, msg
        assert f"{pushed.decode()[:10]}:progress/" in msg and ".jsonl:" in msg       # the commit, the file, the line
        assert data_of(a) == before
        _reset(shared, start)


def _reset(path: Path, sha: bytes) -> None:
    r = repo(path)
    try:
        r.refs[MAIN] = sha
    finally:
        r.close()


def test_evidence_that_does_not_match_its_hash_is_refused(plan, tmp_path, shared, cli):
    a = tmp_path / "a"
    sync(plan, a, shared)
    fake = "0" * 64 + ".pdf"
    from dulwich.objects import Blob, Commit, Tree

    r = repo(shared)
    try:
        head = r[r.refs[MAIN]]
        top = r[head.tree]
        b = Blob.from_string(b"not what the name says")
        ev = Tree()
        ev.add(fake.encode(), 0o100644, b.id)
        new_top = Tree()
        for item in top.items():
            new_top.add(item.path, item.mode, item.sha)
        new_top.add(b"evidence", 0o040000, ev.id)
        c = Commit()
        c.tree, c.parents = new_top.id, [head.id]
        c.author = c.committer = b"x <>"
        c.author_time = c.commit_time = head.commit_time + 1
        c.author_timezone = c.commit_timezone = 0
        c.message = b"x\n"
        for o in (b, ev, new_top, c):
            r.object_store.add_object(o)
        r.refs[MAIN] = c.id
    finally:
        r.close()
    res = cli("sync", "--data-dir", a)
    assert res.exit_code == 1
    assert "SHA-256" in one_line_error(res) and not (a / "evidence").exists()


# --- bad remotes, bad folders: one clear line, nothing lost --------------------------

def test_an_unreachable_remote_is_one_line_and_changes_nothing(plan, tmp_path, cli, shared):
    a = tmp_path / "a"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    before = snapshot(a)
    r = cli("sync", tmp_path / "no-such-drive" / "fazhi.git", "--data-dir", a)
    assert r.exit_code == 1
    assert "无法连接远端" in one_line_error(r) and snapshot(a) == before     # not even a .sync folder
    sync(plan, a, shared)
    before = snapshot(a)
    moved = shared.with_name("moved.git")
    shared.rename(moved)                                 # the shared drive is not connected today
    r = cli("sync", "--data-dir", a)
    assert r.exit_code == 1 and "无法连接远端" in one_line_error(r)
    assert snapshot(a) == before
    r = cli("sync", "http://127.0.0.1:9/fazhi.git", "--data-dir", a)      # nobody listens on port 9
    assert r.exit_code == 1 and "无法连接远端" in one_line_error(r)
    assert snapshot(a) == before and read_state(a).remote == str(shared)


def test_a_remote_that_is_not_a_fazhi_repository_is_a_usage_error(plan, tmp_path, cli):
    from dulwich.objects import Blob, Commit, Tree
    from dulwich.repo import Repo

    a = tmp_path / "a"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    plain = tmp_path / "plain"
    plain.mkdir()
    other = Repo.init_bare(str(tmp_path / "other.git"), mkdir=True, default_branch=b"main")
    b = Blob.from_string(b"hello\n")
    top = Tree()
    top.add(b"README", 0o100644, b.id)
    top.add(b"notes.txt", 0o100644, b.id)     # a README alone is a server's initial commit, which sync accepts
    c = Commit()
    c.tree, c.parents, c.author, c.committer = top.id, [], b"x <>", b"x <>"
    c.author_time = c.commit_time = 1_500_000_000
    c.author_timezone = c.commit_timezone = 0
    c.message = b"x\n"
    for o in (b, top, c):
        other.object_store.add_object(o)
    other.refs[MAIN] = c.id
    other.close()
    before = snapshot(a)
    for target, why in [(plain, "不是 git 仓库"), (a, "fazhi 的数据文件夹"), (tmp_path / "other.git", "不是 fazhi 的同步仓库")]:
        r = cli("sync", target, "--data-dir", a)
        assert r.exit_code == 2, r.output
        assert why in one_line_error(r)
        assert snapshot(a) == before


def test_sync_without_a_remote_or_with_two_is_a_usage_error(plan, tmp_path, cli):
    a = tmp_path / "a"
    r = cli("sync", "--data-dir", a)
    assert r.exit_code == 2 and "fazhi sync --init-remote" in one_line_error(r) and not a.exists()
    r = cli("sync", tmp_path / "x.git", "--init-remote", tmp_path / "y.git", "--data-dir", a)
    assert r.exit_code == 2 and not (tmp_path / "y.git").exists()
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "something.txt").write_text("x")
    r = cli("sync", "--init-remote", tmp_path / "full", "--data-dir", a)
    assert r.exit_code == 2 and "不是空文件夹" in one_line_error(r)
    (tmp_path / "clone" / ".git").mkdir(parents=True)
    r = cli("sync", tmp_path / "clone", "--data-dir", a)
    assert r.exit_code == 2 and "裸仓库" in one_line_error(r) and not a.exists()


def test_a_remote_of_another_plan_is_refused(plan, tmp_path, cli, plan_text):
    a = tmp_path / "a"
    other_plan = tmp_path / "other.yaml"
    other_plan.write_text(plan_text.replace("番府办〔2016〕60号", "番府办〔2019〕1号"), encoding="utf-8")
    remote = tmp_path / "r.git"
    r = cli("sync", "--init-remote", remote, "--data-dir", tmp_path / "x", "--plan", other_plan)
    assert r.exit_code == 0, r.output
    r = cli("sync", remote, "--data-dir", a)
    assert r.exit_code == 2
    assert "番府办〔2019〕1号" in one_line_error(r) and "--plan" in one_line_error(r)


def test_a_shallow_or_corrupt_remote_is_one_line_and_nothing_lost(plan, tmp_path, shared, cli):
    from dulwich.repo import Repo

    b = tmp_path / "b"
    mark(plan, b, "2.2", "区编办", on="2016-12-20")
    sync(plan, b, shared)
    mark(plan, b, "2.1", "区编办", on="2016-12-21")
    sync(plan, b, shared)
    # a shallow copy: the head and its tree, none of its parents
    shallow = Repo.init_bare(str(tmp_path / "shallow.git"), mkdir=True, default_branch=b"main")
    full = repo(shared)
    head = full[full.refs[MAIN]]
    objs = [head]
    stack = [full[head.tree]]
    while stack:
        o = stack.pop()
        objs.append(o)
        stack += [full[i.sha] for i in o.items() if i.mode == 0o040000] if o.type_name == b"tree" else []
        objs += [full[i.sha] for i in o.items() if i.mode != 0o040000] if o.type_name == b"tree" else []
    full.close()
    shallow.object_store.add_objects([(o, None) for o in objs])
    shallow.refs[MAIN] = head.id
    (tmp_path / "shallow.git" / "shallow").write_bytes(head.parents[0] + b"\n")
    shallow.close()
    a = tmp_path / "a"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    before = snapshot(a)
    r = cli("sync", tmp_path / "shallow.git", "--data-dir", a)
    assert r.exit_code == 1
    assert "浅克隆" in one_line_error(r) and snapshot(a) == before
    # a damaged pack: bytes flipped in the middle of every pack file
    broken = tmp_path / "broken.git"
    shutil.copytree(shared, broken)
    for pack in (broken / "objects").rglob("*.pack"):
        data = bytearray(pack.read_bytes())
        for i in range(40, len(data) - 40, 7):
            data[i] ^= 0xFF
        pack.write_bytes(bytes(data))
    for loose in (broken / "objects").glob("[0-9a-f][0-9a-f]/*"):
        loose.write_bytes(b"garbage")
    r = cli("sync", broken, "--data-dir", a)
    assert r.exit_code == 1
    assert "损坏" in one_line_error(r) and snapshot(a) == before


def test_local_edits_outside_fazhi_stop_the_sync_with_file_and_line(plan, tmp_path, shared, cli):
    a = tmp_path / "a"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    mark(plan, a, "11.1", "区法制办", on="2017-12-01")
    sync(plan, a, shared)
    path = a / "progress" / "区法制办.jsonl"
    good = path.read_bytes()
    remote_before = remote_state(shared)
    # a synced line changed with Notepad
    path.write_bytes(good.replace(b"2017-12-01", b"2017-11-01"))
    before = data_of(a)
    r = cli("sync", "--data-dir", a)
    assert r.exit_code == 1
    line = one_line_error(r)
    assert f"{path}:2:" in line and "不是 fazhi 做的改动" in line
    assert data_of(a) == before and remote_state(shared) == remote_before
    # a synced file deleted
    path.unlink()
    r = cli("sync", "--data-dir", a)
    assert r.exit_code == 1 and "被删除" in one_line_error(r) and remote_state(shared) == remote_before
    # a record typed in by hand that fazhi would not write
    forged = json.loads(good.splitlines()[0])
    path.write_bytes(good + json.dumps(dict(forged, id="a" * 32, unit="区编办"), ensure_ascii=False).encode() + b"\n")
    r = cli("sync", "--data-dir", a)
    assert r.exit_code == 1
    assert f"{path}:3:" in one_line_error(r) and remote_state(shared) == remote_before


def test_a_line_cut_off_by_a_crash_stays_local_and_the_rest_syncs(plan, tmp_path, shared, cli):
    a, b = tmp_path / "a", tmp_path / "b"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    path = a / "progress" / "区法制办.jsonl"
    with open(path, "ab") as f:
        f.write(b'{"id":"cut-off-by-a-cr')
    mark(plan, a, "11.1", "区法制办", on="2017-12-01")
    r = cli("sync", shared, "--data-dir", a)
    assert r.exit_code == 0, r.output
    assert f"{path}:2 不是本方案的记录" in r.stderr
    sync(plan, b, shared)
    assert len(files_of(b)["区法制办.jsonl"].splitlines()) == 2
    assert path.read_bytes().splitlines()[2] == b'{"id":"cut-off-by-a-cr'      # kept, after the synced lines


# --- remotes and credentials -----------------------------------------------------

def test_remote_addresses_and_credentials_are_never_stored():
    p = remotes.parse("https://clerk:s3cret@git.example.gov.cn:8443/fazhi.git")
    assert (p.kind, p.stored, p.username, p.password) == ("http", "https://git.example.gov.cn:8443/fazhi.git",
                                                         "clerk", "s3cret")
    p = remotes.parse("ssh://clerk:pw@host:2222/srv/fazhi.git")
    assert (p.kind, p.stored, p.password) == ("ssh", "ssh://clerk@host:2222/srv/fazhi.git", "pw")
    p = remotes.parse("clerk@server:fazhi.git")
    assert (p.kind, p.stored) == ("ssh", "clerk@server:fazhi.git")
    assert remotes.parse("C:\\share\\fazhi.git").kind == "local"
    assert remotes.parse("\\\\server\\share\\fazhi.git").kind == "local"
    assert remotes.parse("file:///srv/fazhi.git") == remotes.Remote("local", "/srv/fazhi.git", "/srv/fazhi.git")
    from fazhi_cli.sync import shown

    assert shown("https://clerk:s3cret@h/x.git") == "https://clerk:***@h/x.git"
    with pytest.raises(Exception, match="不支持"):
        remotes.parse("ftp://h/x")


class _Server:
    """dulwich's smart-HTTP WSGI server on 127.0.0.1, in a thread, optionally asking for a password."""

    def __init__(self, path: Path, user: str | None = None, password: str | None = None) -> None:
        from wsgiref.simple_server import WSGIRequestHandler, make_server

        from dulwich.server import DictBackend
        from dulwich.web import make_wsgi_chain

        self.repo = repo(path)
        git = make_wsgi_chain(DictBackend({"/fazhi.git": self.repo}))
        want = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode() if user else None

        def app(environ, start_response):
            if want and environ.get("HTTP_AUTHORIZATION") != want:
                start_response("401 Unauthorized", [("WWW-Authenticate", 'Basic realm="fazhi"'),
                                                    ("Content-Length", "0")])
                return [b""]
            return git(environ, start_response)

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        self.server = make_server("127.0.0.1", 0, app, handler_class=Quiet)
        self.server.timeout = 5
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/fazhi.git"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
        self.repo.close()


@contextmanager
def serving(path: Path, **kw):
    s = _Server(path, **kw)
    try:
        yield s
    finally:
        s.close()


def test_sync_over_http_with_a_password_that_is_never_stored_or_printed(plan, tmp_path, shared, cli, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("FAZHI_SYNC_TIMEOUT", "10")           # a server that stops answering fails the test, not hangs it
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    a, b = tmp_path / "a", tmp_path / "b"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    mark(plan, b, "2.2", "区编办", on="2016-12-20")
    with serving(shared, user="clerk", password="s3cret") as server:
        with_password = server.url.replace("http://", "http://clerk:s3cret@")
        r = cli("sync", with_password, "--data-dir", a)
        assert r.exit_code == 0, r.output
        assert "s3cret" not in r.stdout + r.stderr and r.stdout.startswith(f"远端：{server.url}\n")
        state = (a / ".sync" / "state.json").read_text(encoding="utf-8")
        assert "s3cret" not in state and "clerk" not in state and read_state(a).remote == server.url
        assert not any(b"s3cret" in v for v in snapshot(a).values())
        # the next time, without the password: git's credential store, or one clear line
        r = cli("sync", "--data-dir", a)
        assert r.exit_code == 1 and "~/.git-credentials" in one_line_error(r)
        (tmp_path / "home").mkdir()
        (tmp_path / "home" / ".git-credentials").write_text(with_password.rsplit("/", 1)[0] + "\n")
        r = cli("sync", server.url, "--data-dir", b)
        assert r.exit_code == 0, r.output
        assert cli("sync", "--data-dir", a).exit_code == 0
    assert files_of(a) == files_of(b) and len(files_of(a)) == 2


def test_two_pcs_pushing_at_once_one_retries_and_both_land(plan, tmp_path, shared, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    mark(plan, b, "2.2", "区编办", on="2016-12-20")
    real = run._push
    calls = []

    def racing(*args):
        calls.append(args)
        if len(calls) == 1:          # b is about to push: a gets there first
            monkeypatch.setattr(run, "_push", real)
            sync(plan, a, shared)
            monkeypatch.setattr(run, "_push", racing)
        return real(*args)

    monkeypatch.setattr(run, "_push", racing)
    out = sync(plan, b, shared)
    assert len(calls) == 2 and out.lines[1:3] == ["发出：区编办 1 条", "收到：区法制办 1 条"]
    monkeypatch.setattr(run, "_push", real)
    sync(plan, a, shared)
    assert files_of(a) == files_of(b)


# --- killed mid-way ------------------------------------------------------------------

KILLER = textwrap.dedent("""
    import os, signal, sys
    from fazhi_cli.sync import run
    point = sys.argv[1]
    die = lambda: os.kill(os.getpid(), signal.SIGKILL)
    real_push, real_apply, real_replace = run._push, run._apply, os.replace
    if point == "before-push":
        run._push = lambda *a: die()
    elif point == "after-push":
        run._push = lambda *a: (real_push(*a), die())
    elif point == "after-apply":
        run._apply = lambda *a: (real_apply(*a), die())
    elif point.startswith("moving-"):
        left = [int(point[7:])]
        def replace(src, dst, *a, **k):
            if str(dst).endswith(".jsonl") and "progress" in str(dst):
                left[0] -= 1
                if left[0] < 0:
                    die()
            return real_replace(src, dst, *a, **k)
        os.replace = replace
    from fazhi_cli.cli import main
    sys.argv = ["fazhi", "sync", "--data-dir", sys.argv[2]]
    main()
""")


@POSIX
@pytest.mark.parametrize("point", ["before-push", "after-push", "moving-0", "moving-1", "after-apply"])
def test_a_sync_killed_mid_way_leaves_both_sides_consistent_and_the_next_completes(plan, tmp_path, shared, point):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for pc in (a, b, c):
        sync(plan, pc, shared)
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    mark(plan, b, "2.2", "区编办", on="2016-12-20")
    sync(plan, a, shared)
    sync(plan, b, shared)
    mark(plan, c, "2.1", "区编办", on="2016-12-22")        # c: 区编办 on a second PC, and 区财政局
    mark(plan, c, "24.1", "区财政局", on="2017-03-01")
    before = {e.id for e in ledger.read_ledger(c, plan).events}
    proc = subprocess.run([sys.executable, "-c", KILLER, point, str(c)], capture_output=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    # the remote: still a good history, its head either the old one or c's commit
    r = repo(shared)
    try:
        commits, _ = tree.walk(r.object_store, r.refs[MAIN], None)
        assert list(tree.verify(r.object_store, commits)) == []
    finally:
        r.close()
    # this PC: every record it had, and the remote's either all there or none
    seen = {e.id for e in ledger.read_ledger(c, plan).events}
    assert before <= seen and len(seen) in (len(before), len(before) + 2), point
    if point.startswith("moving"):      # killed between renames: the decided files are what readers see
        assert (c / "progress" / ledger.SYNC_JOURNAL).exists() and len(seen) == len(before) + 2
    # the next sync completes, and everyone ends with the same files
    out = sync(plan, c)
    assert out.lines[-1].startswith("同步完成")
    sync(plan, a)
    sync(plan, b)
    assert files_of(a) == files_of(b) == files_of(c)
    assert len(ledger.read_ledger(a, plan).events) == 4
    assert not (c / "progress" / ledger.SYNC_JOURNAL).exists() and not (c / "progress" / ledger.STAGED).exists()


# --- the property: any order of marks and syncs converges --------------------------

PCS = {"a": ("区法制办",), "b": ("区编办",), "c": ("区编办", "区财政局")}


def _targets(plan, unit):
    return sorted(p.id for p in plan.parts.values() if unit in p.lead_units or unit in p.support_units)


@st.composite
def histories(draw):
    steps = []
    for _ in range(draw(st.integers(1, 9))):
        pc = draw(st.sampled_from(sorted(PCS)))
        kind = draw(st.sampled_from(["mark", "mark", "sync", "undo"]))
        unit = draw(st.sampled_from(PCS[pc]))
        steps.append((kind, pc, unit, draw(st.integers(0, 10_000)), draw(st.sampled_from(["done", "doing"]))))
    return steps


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(steps=histories())
def test_any_order_of_marks_and_syncs_converges_to_the_same_files_and_views(plan, steps):
    from typer.testing import CliRunner

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        shared = base / "fazhi.git"
        pcs = {name: base / name for name in PCS}
        sync(plan, pcs["a"], init_remote=str(shared))
        for name in ("b", "c"):
            sync(plan, pcs[name], shared)
        written = 0
        for kind, pc, unit, pick, state in steps:
            if kind == "sync":
                sync(plan, pcs[pc])
            elif kind == "undo":
                try:
                    written += len(record.undo(plan, pcs[pc], unit).events)
                except Exception:        # nothing of the unit's to undo on this PC yet
                    pass
            else:
                targets = _targets(plan, unit)
                day = f"2017-{pick % 12 + 1:02d}-{pick % 28 + 1:02d}"
                written += len(mark(plan, pcs[pc], targets[pick % len(targets)], unit, on=day, state=state).events)
        for name in ("a", "b", "c", "a", "b"):
            sync(plan, pcs[name])
        files = [files_of(pcs[n]) for n in sorted(PCS)]
        assert files[0] == files[1] == files[2]
        assert sum(len(v.splitlines()) for v in files[0].values()) == written      # no record lost, none twice
        runner = CliRunner()
        views = {runner.invoke(app, ["status", "--as-of", "2018-01-01", "-f", "json", "--data-dir", str(p)]).stdout
                 for p in pcs.values()}
        assert len(views) == 1
        r = repo(shared)                # the shared history: one line of syncs, every line kept
        try:
            commits, _ = tree.walk(r.object_store, r.refs[MAIN], None)
            assert all(len(r[c].parents) <= 1 for c in commits)
            assert list(tree.verify(r.object_store, commits)) == []
        finally:
            r.close()


# --- speed: nothing of git outside sync and check --------------------------------------

@pytest.mark.parametrize("args", [["status"], ["due"], ["mark", "7.1", "-u", "区法制办", "--on", "2017-11-30"]])
def test_status_due_and_mark_import_nothing_of_git(args, tmp_path, shared, plan):
    a = tmp_path / "office"        # a folder that syncs: status reads its state, and still no git
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "fazhi_cli", *args, "--data-dir", str(a)],
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    imported = [ln.split("|")[-1].strip() for ln in r.stderr.decode().splitlines() if ln.startswith("import time:")]
    assert imported and not [m for m in imported if m.split(".")[0] in ("dulwich", "urllib3")]
    assert "fazhi_cli.sync.run" not in imported and "fazhi_cli.sync.tree" not in imported


def test_undo_while_a_sync_rewrites_the_units_file_reads_it_again(plan, tmp_path, shared, monkeypatch):
    one, two = tmp_path / "pc1", tmp_path / "pc2"
    sync(plan, one, shared)
    sync(plan, two, shared)
    mine = mark(plan, two, "6.3", "区编办", on="2017-01-05").events[0]
    time.sleep(0.01)
    newest = mark(plan, one, "2.1", "区编办", on="2017-01-06").events[0]
    sync(plan, one)
    real = own.latest_command
    once = []

    def with_a_sync_meanwhile(events, unit):
        if not once:            # between undo's first read and its lock, the PC syncs
            once.append(1)
            sync(plan, two)
        return real(events, unit)

    monkeypatch.setattr(own, "latest_command", with_a_sync_meanwhile)
    undone = record.undo(plan, two, "区编办")
    assert [e.id for e in undone.revoked] == [newest["id"]] and len(undone.events) == 1
    assert mine["id"] in {e.id for e in ledger.read_ledger(two, plan).events}


def test_a_remote_locked_for_longer_than_the_sync_may_wait_is_one_line(plan, tmp_path, shared, cli):
    a = tmp_path / "a"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    (shared / "refs" / "heads" / "main.lock").write_bytes(b"")    # a live sync holding it (fresh, kept fresh)
    before = data_of(a)
    r = cli("sync", shared, "--data-dir", a, env={"FAZHI_SYNC_DEADLINE": "2"})
    assert r.exit_code == 1
    assert "main.lock" in one_line_error(r) and data_of(a) == before


def test_a_remote_lock_left_by_an_interrupted_sync_is_cleared_and_the_sync_lands(plan, tmp_path, shared, cli):
    a = tmp_path / "a"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    lock = shared / "refs" / "heads" / "main.lock"
    lock.write_bytes(b"")
    os.utime(lock, (time.time() - 60, time.time() - 60))           # nobody has renewed it for a minute
    r = cli("sync", shared, "--data-dir", a)
    assert r.exit_code == 0, r.output
    assert not lock.exists() and head_of(shared) == read_state(a).head.encode()


def test_a_record_marked_while_the_sync_pushes_stays_and_goes_next_time(plan, tmp_path, shared, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    mark(plan, b, "2.2", "区编办", on="2016-12-20")
    sync(plan, b, shared)
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    real = run._push
    during = []

    def push_while_marking(*args):
        during.append(mark(plan, a, "11.1", "区法制办", on="2017-12-01").events[0])   # the clerk goes on working
        return real(*args)

    monkeypatch.setattr(run, "_push", push_while_marking)
    sync(plan, a, shared)
    monkeypatch.setattr(run, "_push", real)
    lines = (a / "progress" / "区法制办.jsonl").read_bytes().splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["id"] == during[0]["id"]
    assert sync(plan, a).lines[1] == "发出：区法制办 1 条"
    sync(plan, b)
    assert files_of(a) == files_of(b)


def test_a_lost_shared_repository_is_rebuilt_from_the_pc_that_synced_last(plan, tmp_path, shared, cli):
    a, b = tmp_path / "a", tmp_path / "b"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    sync(plan, a, shared)
    mark(plan, b, "2.2", "区编办", on="2016-12-20")
    sync(plan, b, shared)
    history = head_of(shared)
    shutil.rmtree(shared)                           # the shared drive's disk died
    new = tmp_path / "share" / "new.git"
    r = cli("sync", "--init-remote", new, "--data-dir", b)
    assert r.exit_code == 0, r.output
    assert head_of(new) == history                  # the same history, commit for commit
    mark(plan, a, "11.1", "区法制办", on="2017-12-01")
    assert cli("sync", new, "--data-dir", a).exit_code == 0
    sync(plan, b)
    assert files_of(a) == files_of(b) and len(files_of(a)["区法制办.jsonl"].splitlines()) == 2


@pytest.mark.parametrize("first", [False, True], ids=["a PC that synced before", "a new PC"])
def test_a_refused_history_leaves_nothing_it_fetched_behind(plan, tmp_path, shared, cli, first):
    """What a hostile remote sent (a planted 2 MB file beside a rewritten line) is not kept on the PC that
    refused it: its repository holds exactly the packs it held before."""
    a, b = tmp_path / "a", tmp_path / "b"
    mark(plan, b, "2.2", "区编办", on="2016-12-20")
    sync(plan, b, shared)
    if not first:
        sync(plan, a, shared)
    push_commit(shared, _change_line, files={"planted.bin": os.urandom(2 * 1024 * 1024)})
    pack_dir = a / ".sync" / "git" / "objects" / "pack"
    before = sorted(os.listdir(pack_dir)) if pack_dir.exists() else None
    r = cli("sync", *([] if not first else [str(shared)]), "--data-dir", a)
    assert r.exit_code == 1
    one_line_error(r)
    after = sorted(os.listdir(pack_dir)) if pack_dir.exists() else None
    assert after == before or (before is None and not after), (before, after)


def test_the_sent_line_names_twelve_units_and_counts_the_rest(plan, tmp_path, shared):
    """A first sync of a whole district's folder once printed every unit on one line (200 units at 100k
    records in the benchmark); it names twelve, then the units and records in all."""
    a = tmp_path / "a"
    units = sorted({u for p in plan.parts.values() for u in p.lead_units})[:14]
    for unit in units:
        part = next(p for p in plan.parts.values() if unit in p.lead_units)
        mark(plan, a, part.id, unit)
    mark(plan, a, next(p.id for p in plan.parts.values() if units[0] in p.lead_units), units[0], on="2017-06-02")
    sent = sync(plan, a, shared).lines[1]
    named = "、".join(f"{u} {2 if u == units[0] else 1} 条" for u in sorted(units)[:12])
    assert sent == f"发出：{named}…… 共 14 个单位 15 条", sent
    from dulwich.repo import Repo

    r = Repo(str(shared))
    try:
        subject = r[r.refs[b"refs/heads/main"]].message.decode().split("\n")[0]
    finally:
        r.close()
    assert subject.endswith("…… 共 14 个单位 15 条") and subject.count("记录") == 12, subject
