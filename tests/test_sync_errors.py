"""What a remote can do to a PC, and what a full disk does to a sync: one line, nothing planted, nothing lost."""

from __future__ import annotations

import errno
import hashlib
import os

import pytest

from conftest import one_line_error, snapshot
from fazhi_cli import record
from fazhi_cli.sync import run

MAIN = b"refs/heads/main"


def mark(plan, pc, target, unit, on="2017-06-01", evidence=()):
    return record.mark(plan, pc, target=target, unit=unit, state="done", on=on, note=None, evidence=list(evidence),
                       by="测试")


def repo(path):
    from dulwich.repo import Repo

    return Repo(str(path))


@pytest.fixture
def shared(tmp_path, plan):
    path = tmp_path / "share.git"
    run.sync(plan, tmp_path / "office", init_remote=str(path))
    return path


def plant(share, files: dict[str, bytes], change_unit=None):
    """A commit made with another tool on top of the head: evidence copies added (named by their digest)."""
    from dulwich.objects import Blob, Commit, Tree

    r = repo(share)
    try:
        head = r[r.refs[MAIN]]
        top = r[head.tree]
        entries = {i.path: (i.mode, i.sha) for i in top.items()}
        ev = Tree()
        if b"evidence" in entries:
            for i in r[entries[b"evidence"][1]].items():
                ev.add(i.path, i.mode, i.sha)
        for name, data in files.items():
            b = Blob.from_string(data)
            r.object_store.add_object(b)
            ev.add(name.encode(), 0o100644, b.id)
        r.object_store.add_object(ev)
        new_top = Tree()
        for path, (mode, sha) in entries.items():
            if path != b"evidence":
                new_top.add(path, mode, sha)
        new_top.add(b"evidence", 0o040000, ev.id)
        r.object_store.add_object(new_top)
        c = Commit()
        c.tree, c.parents = new_top.id, [head.id]
        c.author = c.committer = b"mallory <m@x>"
        c.author_time = c.commit_time = head.commit_time + 60
        c.author_timezone = c.commit_timezone = 8 * 3600
        c.message = b"plant\n"
        r.object_store.add_object(c)
        r.refs[MAIN] = c.id
    finally:
        r.close()


def test_a_remote_cannot_plant_evidence_no_record_cites(plan, tmp_path, shared, cli):
    a, b = tmp_path / "a", tmp_path / "b"
    pdf = tmp_path / "清理结果.pdf"
    pdf.write_bytes(b"%PDF-1.4 evidence\n" * 100)
    mark(plan, a, "7.1", "区法制办", on="2017-11-30", evidence=[str(pdf)])
    run.sync(plan, a, str(shared))
    junk = os.urandom(4096)
    plant(shared, {hashlib.sha256(junk).hexdigest() + ".exe": junk})
    r = cli("sync", shared, "--data-dir", b)
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in (b / "evidence").iterdir())
    assert names == [hashlib.sha256(pdf.read_bytes()).hexdigest() + ".pdf"]       # the cited one, only
    r = cli("check", "--data-dir", b)
    assert r.exit_code == 0, r.output
    r = cli("sync", "--data-dir", b)                        # and not on a later sync either
    assert r.exit_code == 0 and sorted(p.name for p in (b / "evidence").iterdir()) == names


@pytest.mark.parametrize("what", ["blob", "tag", "tree"])
def test_a_shared_branch_naming_something_else_than_a_commit_is_one_line(plan, tmp_path, shared, cli, what):
    from dulwich.objects import Blob, Tag

    r = repo(shared)
    try:
        head = r.refs[MAIN]
        if what == "blob":
            obj = Blob.from_string(b"not a commit\n")
        elif what == "tree":
            obj = r[r[head].tree]
        else:
            obj = Tag()
            obj.object = (type(r[head]), head)
            obj.name, obj.tagger, obj.message = b"v1", b"x <x@x>", b"release\n"
            obj.tag_time, obj.tag_timezone = 1_500_000_000, 0
        r.object_store.add_object(obj)
        r.refs[MAIN] = obj.id
    finally:
        r.close()
    a = tmp_path / "a"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    before = snapshot(a)
    res = cli("sync", shared, "--data-dir", a)
    assert res.exit_code == 1
    line = one_line_error(res)
    assert "内部错误" not in line and "main" in line, line
    assert snapshot(a) == before


@pytest.mark.parametrize("where", ["local", "shared"])
def test_a_full_disk_is_one_line_and_loses_nothing(plan, tmp_path, shared, cli, monkeypatch, where):
    from dulwich import object_store

    a = tmp_path / "a"
    run.sync(plan, a, str(shared))
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    real = object_store.DiskObjectStore.add_pack_data
    target = str(a / ".sync") if where == "local" else str(shared)

    def full(self, *args, **kw):
        if str(self.path).startswith(target):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kw)

    monkeypatch.setattr(object_store.DiskObjectStore, "add_pack_data", full)
    before = (a / "progress" / "区法制办.jsonl").read_bytes()
    res = cli("sync", "--data-dir", a)
    assert res.exit_code == 1
    line = one_line_error(res)
    assert "内部错误" not in line and ("空间" in line or "磁盘" in line), line
    assert (a / "progress" / "区法制办.jsonl").read_bytes() == before
    monkeypatch.setattr(object_store.DiskObjectStore, "add_pack_data", real)
    res = cli("sync", "--data-dir", a)
    assert res.exit_code == 0, res.output
