"""The repositories people actually create, and the addresses and settings git users already have."""

from __future__ import annotations

import os
import shutil
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import one_line_error
from fazhi_cli import ledger, record
from fazhi_cli.sync import remote as remotes, run

GIT = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
MAIN = b"refs/heads/main"


def mark(plan, pc, target, unit, on="2017-06-01"):
    return record.mark(plan, pc, target=target, unit=unit, state="done", on=on, note=None, evidence=[], by="测试")


def git(*args, cwd=None, env=None):
    r = subprocess.run(["git", *map(str, args)], capture_output=True, text=True, timeout=60, cwd=cwd,
                       env={**os.environ, "GIT_AUTHOR_NAME": "admin", "GIT_AUTHOR_EMAIL": "a@example",
                            "GIT_COMMITTER_NAME": "admin", "GIT_COMMITTER_EMAIL": "a@example", **(env or {})})
    assert r.returncode == 0, r.stderr
    return r.stdout


def events(plan, pc):
    return sorted(e.id for e in ledger.read_ledger(pc, plan).events)


@GIT
def test_a_plain_git_init_bare_gets_head_on_the_branch_fazhi_writes(plan, tmp_path, cli):
    share = tmp_path / "share.git"
    git("init", "--bare", "--initial-branch=master", share)
    a, b = tmp_path / "a", tmp_path / "b"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    assert cli("sync", share, "--data-dir", a).exit_code == 0
    assert cli("sync", share, "--data-dir", b).exit_code == 0
    clone = tmp_path / "clone"
    git("clone", "-q", share, clone)
    assert (clone / "progress" / "区法制办.jsonl").read_bytes() == (a / "progress" / "区法制办.jsonl").read_bytes()
    fsck = subprocess.run(["git", "-C", share, "fsck"], capture_output=True, text=True)
    assert fsck.returncode == 0 and "unborn" not in fsck.stdout + fsck.stderr


@GIT
@pytest.mark.parametrize("files", [["README.md"], ["README.md", "LICENSE", ".gitignore"]])
def test_a_server_repository_with_only_an_initial_readme_is_accepted_and_the_readme_left_alone(plan, tmp_path, cli,
                                                                                              files):
    share = tmp_path / "share.git"
    git("init", "-q", "--bare", "--initial-branch=main", share)
    work = tmp_path / "work"
    git("clone", "-q", share, work)
    for name in files:
        (work / name).write_text(f"# {name}\n内网同步仓库\n", encoding="utf-8")
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "Initial commit", cwd=work)
    git("push", "-q", "origin", "HEAD:main", cwd=work)
    a, b = tmp_path / "a", tmp_path / "b"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    r = cli("sync", share, "--data-dir", a)
    assert r.exit_code == 0, r.output
    mark(plan, b, "2.2", "区编办", on="2016-12-20")
    r = cli("sync", share, "--data-dir", b)
    assert r.exit_code == 0, r.output
    assert cli("sync", "--data-dir", a).exit_code == 0
    assert events(plan, a) == events(plan, b) and len(events(plan, a)) == 2
    assert not any((a / name).exists() for name in files)                     # never written into the data folder
    clone = tmp_path / "clone"
    git("clone", "-q", share, clone)
    for name in files:
        assert (clone / name).read_text(encoding="utf-8") == f"# {name}\n内网同步仓库\n"
    for pc in (a, b):
        r = cli("check", "--data-dir", pc)
        assert r.exit_code == 0, r.output


@GIT
def test_a_repository_with_other_content_is_still_not_fazhis(plan, tmp_path, cli):
    share = tmp_path / "share.git"
    git("init", "-q", "--bare", "--initial-branch=main", share)
    work = tmp_path / "work"
    git("clone", "-q", share, work)
    (work / "README.md").write_text("x\n")
    (work / "main.c").write_text("int main;\n")
    git("add", ".", cwd=work)
    git("commit", "-q", "-m", "code", cwd=work)
    git("push", "-q", "origin", "HEAD:main", cwd=work)
    r = cli("sync", share, "--data-dir", tmp_path / "a")
    assert r.exit_code == 2 and "fazhi" in one_line_error(r)


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class _daemon:
    """git's own daemon on 127.0.0.1, serving every repository under ``base`` for reading and writing."""

    def __init__(self, base: Path) -> None:
        self.base = base

    def __enter__(self) -> str:
        port = _free_port()
        self.proc = subprocess.Popen(["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}",
                                      f"--base-path={self.base}", "--export-all", "--enable=receive-pack",
                                      str(self.base)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        return f"git://127.0.0.1:{port}"

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(10)


@GIT
def test_sync_through_git_daemon(plan, tmp_path, cli):
    base = tmp_path / "srv"
    base.mkdir()
    run.sync(plan, tmp_path / "office", init_remote=str(base / "fazhi.git"))
    with _daemon(base) as server:
        url = f"{server}/fazhi.git"
        a, b = tmp_path / "a", tmp_path / "b"
        mark(plan, a, "7.1", "区法制办", on="2017-11-30")
        mark(plan, b, "2.2", "区编办", on="2016-12-20")
        for pc in (a, b, a):
            r = cli("sync", url, "--data-dir", pc)
            assert r.exit_code == 0, r.output
        assert events(plan, a) == events(plan, b) and len(events(plan, a)) == 2


@GIT
@pytest.mark.parametrize("readme", [False, True], ids=["empty", "a-readme-commit-on-master"])
def test_a_git_server_whose_head_names_master_gets_the_record_on_master(plan, tmp_path, cli, readme):
    """Issue 22, item 9, through a git server: fazhi cannot move a server's HEAD, so it writes the branch HEAD
    names (a plain `git init --bare`, or a server whose initialise button committed a README on master);
    a clone then checks the record out, and no second branch appears."""
    base = tmp_path / "srv"
    share = base / "fazhi.git"
    git("init", "-q", "--bare", "--initial-branch=master", share)
    if readme:
        work = tmp_path / "init"
        git("clone", "-q", share, work)
        (work / "README.md").write_text("# 督办台账\n")
        git("add", "README.md", cwd=work)
        git("commit", "-qm", "Initial commit", cwd=work)
        git("push", "-q", "origin", "HEAD:master", cwd=work)
    a, b = tmp_path / "a", tmp_path / "b"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    mark(plan, b, "2.2", "区编办", on="2016-12-20")
    with _daemon(base) as server:
        url = f"{server}/fazhi.git"
        for pc in (a, b, a):
            r = cli("sync", url, "--data-dir", pc)
            assert r.exit_code == 0, r.output
        clone = tmp_path / "clone"
        git("clone", "-q", url, clone)
    assert events(plan, a) == events(plan, b) and len(events(plan, a)) == 2
    for unit in ("区法制办", "区编办"):
        assert (clone / "progress" / f"{unit}.jsonl").read_bytes() == (a / "progress" / f"{unit}.jsonl").read_bytes()
    assert (clone / "README.md").exists() == readme
    branches = subprocess.run(["git", "-C", share, "for-each-ref", "--format=%(refname)", "refs/heads"],
                              capture_output=True, text=True).stdout.split()
    assert branches == ["refs/heads/master"]
    fsck = subprocess.run(["git", "-C", share, "fsck"], capture_output=True, text=True)
    assert fsck.returncode == 0 and "unborn" not in fsck.stdout + fsck.stderr

FAKE_SSH = """#!{python}
# stands in for ssh: notes that it ran, then runs the git command locally, as sshd would
import os, subprocess, sys
with open({log!r}, "a") as f:
    f.write(" ".join(sys.argv[1:]) + "\\n")
sys.exit(subprocess.call(sys.argv[-1], shell=True))
"""


@GIT
@pytest.mark.skipif(os.name != "posix", reason="a shell script as ssh")
@pytest.mark.parametrize("how", ["GIT_SSH_COMMAND", "core.sshCommand"])
def test_ssh_is_run_as_git_runs_it(plan, tmp_path, cli, monkeypatch, how):
    share = tmp_path / "share.git"
    run.sync(plan, tmp_path / "office", init_remote=str(share))
    log = tmp_path / "ssh.log"
    fake = tmp_path / "fake-ssh"
    fake.write_text(FAKE_SSH.format(python=sys.executable, log=str(log)))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("GIT_SSH_COMMAND", raising=False)
    monkeypatch.delenv("GIT_SSH", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    if how == "GIT_SSH_COMMAND":
        monkeypatch.setenv("GIT_SSH_COMMAND", f"{fake} -o BatchMode=yes")
    else:
        (home / ".gitconfig").write_text(f"[core]\n\tsshCommand = {fake}\n")
    a, b = tmp_path / "a", tmp_path / "b"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    url = f"ssh://clerk@127.0.0.1:2222{share}"
    for pc in (a, b):
        r = cli("sync", url, "--data-dir", pc)
        assert r.exit_code == 0, r.output
    assert events(plan, a) == events(plan, b) and len(events(plan, a)) == 1
    assert "clerk@127.0.0.1" in log.read_text()



@GIT
@pytest.mark.skipif(os.name != "posix", reason="a shell script as ssh")
def test_ssh_to_a_plain_git_init_bare_says_once_how_a_clone_sees_the_record(plan, tmp_path, cli, monkeypatch):
    """Issue 22, item 9, through SSH: an sshd that does not pass GIT_PROTOCOL (the usual configuration) speaks
    git's first protocol, which hides the target of an unborn HEAD; neither fazhi nor git can learn that the
    server's `git init --bare` named master. fazhi writes main, and its first sync says, once, the one command
    that lets a clone check the record out; later syncs say nothing of it."""
    share = tmp_path / "share.git"
    git("init", "-q", "--bare", "--initial-branch=master", share)
    fake = tmp_path / "fake-ssh"
    fake.write_text(FAKE_SSH.format(python=sys.executable, log=str(tmp_path / "ssh.log")))
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("GIT_SSH_COMMAND", str(fake))
    a, b = tmp_path / "a", tmp_path / "b"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    url = f"ssh://clerk@127.0.0.1:2222{share}"
    first = cli("sync", url, "--data-dir", a)
    assert first.exit_code == 0, first.output
    said = [line for line in first.output.splitlines() if "symbolic-ref HEAD" in line]
    assert len(said) == 1 and "git symbolic-ref HEAD refs/heads/main" in said[0], first.output
    again = cli("sync", url, "--data-dir", b)
    assert again.exit_code == 0 and "symbolic-ref" not in again.output, again.output
    git("--git-dir", share, "symbolic-ref", "HEAD", "refs/heads/main")     # as the note says
    clone = tmp_path / "clone"
    git("clone", "-q", share, clone)
    assert (clone / "progress" / "区法制办.jsonl").read_bytes() == (a / "progress" / "区法制办.jsonl").read_bytes()


def test_credentials_are_matched_as_git_matches_them(tmp_path):
    store = tmp_path / "credentials"
    store.write_text("https://other:x@git.example.gov.cn:8443/a.git\n"
                     "http://clerk:wrong-scheme@git.example.gov.cn/fazhi.git\n"
                     "https://clerk:right@git.example.gov.cn/other/path.git\n"
                     "https://clerk:port@git.example.gov.cn:8443/fazhi.git\n")
    url = "https://git.example.gov.cn/fazhi.git"
    assert remotes.stored_credential(store, url, None) == ("clerk", "right")
    assert remotes.stored_credential(store, "https://git.example.gov.cn:8443/fazhi.git", None) == ("other", "x")
    assert remotes.stored_credential(store, "https://git.example.gov.cn:8443/fazhi.git", "clerk") == ("clerk", "port")
    assert remotes.stored_credential(store, "https://git.example.gov.cn:9000/fazhi.git", None) is None
    assert remotes.stored_credential(store, url, "nobody") is None


def test_commits_name_the_unit_and_a_real_address_in_one_language(plan, tmp_path, monkeypatch):
    from dulwich.repo import Repo

    share = tmp_path / "share.git"
    run.sync(plan, tmp_path / "office", init_remote=str(share))
    a, b = tmp_path / "a", tmp_path / "b"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    monkeypatch.setenv("FAZHI_USER", "张三")
    run.sync(plan, a, str(share))
    monkeypatch.delenv("FAZHI_USER")
    monkeypatch.setenv("FAZHI_LANG", "en")
    from fazhi_cli import i18n

    i18n.set_lang(None)
    mark(plan, b, "2.2", "区编办", on="2016-12-20")
    run.sync(plan, b, str(share))
    r = Repo(str(share))
    try:
        newest = r[r.refs[MAIN]]
        first = r[newest.parents[0]]
    finally:
        r.close()
    assert first.author.decode() == "区法制办 <张三>"
    name, address = newest.author.decode().split(" <")
    assert name == "区编办" and address.endswith(">") and "@" in address and address != "@>"
    assert newest.message.decode().startswith("区编办 记录 1 条") and first.message.decode().startswith("区法制办 记录 1 条")


def test_the_address_is_kept_when_a_first_sync_fails_after_reaching_the_remote(plan, tmp_path, cli, monkeypatch):
    share = tmp_path / "share.git"
    run.sync(plan, tmp_path / "office", init_remote=str(share))
    a = tmp_path / "a"
    mark(plan, a, "7.1", "区法制办", on="2017-11-30")
    lock = share / "refs" / "heads" / "main.lock"
    lock.write_bytes(b"")                                   # a live sync holds the shared branch all along
    r = cli("sync", share, "--data-dir", a, env={"FAZHI_SYNC_DEADLINE": "2"})
    assert r.exit_code == 1 and "main.lock" in one_line_error(r)
    lock.unlink()
    r = cli("sync", "--data-dir", a)                        # no address typed: the one tried before
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"远端：{share}\n")


@pytest.mark.parametrize("address", ["ssh://-oProxyCommand=touch%20pwned/x.git", "ssh://git@-oProxyCommand=id/x.git",
                                     "git@-oProxyCommand=id:x.git", "ssh://-git@example.org/x.git",
                                     "git://-x/share.git", "https://-example.org/fazhi.git"])
def test_a_host_that_is_an_option_to_ssh_is_refused_as_such(cli, tmp_path, address):
    # refused before any program runs, and named for what it is (it read "the remote is damaged" before)
    r = cli("sync", address, "--data-dir", tmp_path / "d")
    assert r.exit_code == 2
    assert "主机名" in one_line_error(r)
    assert not (tmp_path / "d").exists() and not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("address", ["ssh://git@[::1]:22/x.git", "git@git.example.gov.cn:fazhi.git",
                                     "ssh://fazhi_user@host-1.example.gov.cn/srv/fazhi.git"])
def test_ordinary_ssh_addresses_still_read(address):
    assert remotes.parse(address).kind == "ssh"
