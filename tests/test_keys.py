"""Records that prove who wrote them (README "Signatures"): keys, the office's keyring, signing and verifying.

Real data folders and key folders in temporary directories; the office and the units each on their own "PC"
(a data folder and a key folder, chosen with FAZHI_HOME / FAZHI_KEYS as a clerk's PC would have them).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import one_line_error, run_fazhi, snapshot
from fazhi_cli import dates, ledger, record
from fazhi_cli.errors import LedgerError, UsageError
from fazhi_cli.keys import crypto, store
from fazhi_cli.plan import load_plan

OFFICE, UNIT, OTHER = "区法制办", "区编办", "区司法局"


class PC:
    """One PC: its data folder and its key folder."""

    def __init__(self, base: Path, name: str, monkeypatch) -> None:
        self.root = base / name
        self.keys = base / f"keys-{name}"
        self.keys.mkdir(mode=0o700)
        self.mp = monkeypatch

    def use(self) -> "PC":
        self.mp.setenv("FAZHI_KEYS", str(self.keys))
        return self

    def init(self, unit: str, passphrase: bytes | None = None) -> store.LocalKey:
        self.use()
        return store.create(unit, passphrase)

    def lines(self, unit: str) -> list[dict]:
        path = self.root / "progress" / f"{unit}.jsonl"
        return [json.loads(x) for x in path.read_bytes().splitlines()] if path.exists() else []


def mark(plan, pc: PC, target="2.2", unit=UNIT, on="2016-12-20", note=None):
    pc.use()
    return record.mark(plan, pc.root, target=target, unit=unit, state="done", on=on, note=note, evidence=[], by="测试")


def register(plan, office: PC, unit: str, key: store.LocalKey):
    office.use()
    return record.key_act(plan, office.root, unit=unit, value=key.public, acting=OFFICE, revoke=False, by="测试")


@pytest.fixture
def district(tmp_path, monkeypatch, plan):
    """An office that trusts its own key on first use and registered one unit's key."""
    office, unit = PC(tmp_path, "office", monkeypatch), PC(tmp_path, "unit", monkeypatch)
    office_key = office.init(OFFICE)
    register(plan, office, OFFICE, office_key)
    unit_key = unit.init(UNIT)
    register(plan, office, UNIT, unit_key)
    return office, unit, office_key, unit_key


def write_lines(path: Path, objs: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ledger.encode(objs))
    return path


def forge(plan, unit: str, key_pc: PC | None, **fields) -> dict:
    """A record of ``unit`` made by hand, signed with the (first) key in ``key_pc``'s folder, or unsigned."""
    obj = ledger.new_event(plan, unit=unit, state=None, on=dates.now().date().isoformat(), by="mallory",
                           cmd=ledger.new_id(), **fields)
    if key_pc is not None:
        key_pc.use()
        mine = store.local_keys()[0]
        private = crypto.load_private(mine.path.read_bytes(), None)
        obj["sig"] = {"key": mine.fingerprint, "ed25519": crypto.sign(private, ledger.signing_bytes(obj))}
    return obj


def plan_with(tmp_path: Path, plan_text: str, extra: str, name: str = "plan.yaml"):
    text = plan_text.replace("  numbering: 番法治督办\n", "  numbering: 番法治督办\n" + extra, 1)
    assert text != plan_text
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_plan(path)


# --- 1. the library only where it is needed ---------------------------------------------------------------

def test_status_on_an_unsigned_folder_never_imports_cryptography(tmp_path):
    env = {"FAZHI_HOME": str(tmp_path / "data"), "FAZHI_KEYS": str(tmp_path / "nokeys")}
    assert run_fazhi("mark", "2.2", "-u", UNIT, "--on", "2016-12-20", env=env).returncode == 0
    for command in (["status"], ["due"], ["mark", "2.3", "-u", "区发改局", "--on", "2016-12-20"]):
        r = subprocess.run([sys.executable, "-X", "importtime", "-m", "fazhi_cli", *command], capture_output=True,
                           env={**os.environ, **env})
        assert r.returncode in (0, 2), r.stderr.decode()[-500:]
        assert b"cryptography" not in r.stderr, command
    # views never verify: a folder of signed lines is read as fast, without the library, as an unsigned one
    signed = {"FAZHI_HOME": str(tmp_path / "signed"), "FAZHI_KEYS": str(tmp_path / "keys")}
    assert run_fazhi("keys", "init", "--unit", UNIT, env=signed).returncode == 0
    assert run_fazhi("mark", "2.2", "-u", UNIT, "--on", "2016-12-20", env=signed).returncode == 0
    assert b'"sig"' in (tmp_path / "signed" / "progress" / f"{UNIT}.jsonl").read_bytes()
    for command in (["status"], ["due"], ["log"]):
        r = subprocess.run([sys.executable, "-X", "importtime", "-m", "fazhi_cli", *command], capture_output=True,
                           env={**os.environ, **signed})
        assert r.returncode == 0 and b"cryptography" not in r.stderr, command


# --- 2. keys on this PC ------------------------------------------------------------------------------------

def test_keys_init_keeps_a_private_key_for_the_user_alone_and_prints_what_to_read_over_the_phone(tmp_path):
    keys = tmp_path / "k"
    r = run_fazhi("keys", "init", "--unit", UNIT, env={"FAZHI_KEYS": str(keys)})
    assert r.returncode == 0 and r.stderr == b"", r.stderr.decode()
    out = r.stdout.decode()
    pem = next(keys.glob("*.pem"))
    assert stat.S_IMODE(os.stat(pem).st_mode) == 0o600 and stat.S_IMODE(os.stat(keys).st_mode) == 0o700
    assert pem.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    public = json.loads(next(keys.glob("*.pub")).read_text())["public"]
    fp = crypto.fingerprint(public)
    assert pem.name == f"{fp}.pem"
    assert f"公钥：{public}" in out and f"指纹：{fp[:4]} {fp[4:8]} {fp[8:12]} {fp[12:]}" in out
    assert f"fazhi keys add {UNIT} {public} --as 区法制办" in out
    r = run_fazhi("keys", "show", env={"FAZHI_KEYS": str(keys), "FAZHI_HOME": str(tmp_path / "d")})
    assert r.returncode == 0 and f"{UNIT}  {crypto.spoken(fp)}" in r.stdout.decode() and "未登记" in r.stdout.decode()


def test_a_passphrase_encrypts_the_key_and_signing_asks_for_it(tmp_path, plan):
    keys, data = tmp_path / "k", tmp_path / "d"
    secret = tmp_path / "secret"
    secret.write_text("correct horse\n")
    env = {"FAZHI_KEYS": str(keys), "FAZHI_HOME": str(data)}
    assert run_fazhi("keys", "init", "--unit", UNIT, "--passphrase-file", secret, env=env).returncode == 0
    assert next(keys.glob("*.pem")).read_bytes().startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    r = run_fazhi("mark", "2.2", "-u", UNIT, "--on", "2016-12-20", env=env)           # no terminal, no file
    assert r.returncode == 2 and b"FAZHI_PASSPHRASE_FILE" in r.stderr and not (data / "progress" / f"{UNIT}.jsonl").exists()
    wrong = tmp_path / "wrong"
    wrong.write_text("battery staple\n")
    r = run_fazhi("mark", "2.2", "-u", UNIT, "--on", "2016-12-20", env={**env, "FAZHI_PASSPHRASE_FILE": str(wrong)})
    assert r.returncode == 2 and "口令不对" in r.stderr.decode() and b"Traceback" not in r.stderr
    r = run_fazhi("mark", "2.2", "-u", UNIT, "--on", "2016-12-20", env={**env, "FAZHI_PASSPHRASE_FILE": str(secret)})
    assert r.returncode == 0, r.stderr.decode()
    line = json.loads((data / "progress" / f"{UNIT}.jsonl").read_bytes())
    assert line["sig"]["key"] == next(keys.glob("*.pub")).stem


def test_a_key_folder_others_can_write_is_refused(tmp_path, monkeypatch, plan):
    keys = tmp_path / "k"
    keys.mkdir()
    os.chmod(keys, 0o777)
    monkeypatch.setenv("FAZHI_KEYS", str(keys))
    with pytest.raises(Exception, match="不是本用户独有"):
        store.create(UNIT, None)
    assert list(keys.iterdir()) == []


# --- 3. the keyring is the office's -------------------------------------------------------------------------

def test_the_keyring_replays_the_offices_acts(plan, district):
    office, unit, office_key, unit_key = district
    ring = record.keyring_of(plan, office.root)
    assert set(ring.entries) == {office_key.fingerprint, unit_key.fingerprint}
    assert ring.anchors == (office_key.fingerprint,) and ring.first_use
    acts = office.lines(OFFICE)
    assert [a["type"] for a in acts] == ["key", "key"] and all(a["sig"]["key"] == office_key.fingerprint for a in acts)
    assert acts[1]["subject"] == UNIT and acts[1]["key"] == unit_key.public


def test_keys_add_and_revoke_refuse_bad_input_with_one_line_and_change_nothing(plan, district, cli):
    office, unit, office_key, unit_key = district
    office.use()
    before = snapshot(office.root)
    cases = [("add", UNIT, "not-a-key"), ("add", UNIT, unit_key.public), ("revoke", UNIT, "0123456789abcdef"),
             ("revoke", OTHER, unit_key.fingerprint), ("revoke", UNIT, "xyz"), ("add", "没有这个单位", unit_key.public)]
    for action, who, value in cases:
        r = cli("keys", action, who, value, "--as", OFFICE, "--data-dir", office.root)
        assert r.exit_code == 2, (action, who, value, r.output)
        one_line_error(r)
    r = cli("keys", "add", OTHER, unit_key.public, "--as", UNIT, "--data-dir", office.root)
    assert r.exit_code == 2 and "不是督办单位" in one_line_error(r)
    assert snapshot(office.root) == before


def test_a_unit_pc_cannot_register_keys_without_a_registered_office_key(plan, district, tmp_path, monkeypatch):
    office, unit, office_key, unit_key = district
    # the unit's PC makes itself an "office" key: its self-registration is not the first (TOFU) one there
    thief = PC(tmp_path, "thief", monkeypatch)
    for name in os.listdir(office.root / "progress"):
        (thief.root / "progress").mkdir(parents=True, exist_ok=True)
        (thief.root / "progress" / name).write_bytes((office.root / "progress" / name).read_bytes())
    fake = thief.init(OFFICE)
    with pytest.raises(UsageError, match="未登记为督办单位的密钥"):
        record.key_act(plan, thief.root, unit=OFFICE, value=fake.public, acting=OFFICE, revoke=False, by="x")


def test_the_plan_pins_the_offices_first_key(plan_text, tmp_path, monkeypatch):
    office = PC(tmp_path, "office", monkeypatch)
    mine = office.init(OFFICE)
    wrong = plan_with(tmp_path, plan_text, "  fingerprint: 0123 4567 89ab cdef\n", "wrong.yaml")
    with pytest.raises(UsageError, match="未登记为督办单位的密钥"):
        record.key_act(wrong, office.root, unit=OFFICE, value=mine.public, acting=OFFICE, revoke=False, by="x")
    spoken = crypto.spoken(mine.fingerprint).upper()
    pinned = plan_with(tmp_path, plan_text, f"  fingerprint: \"{spoken}\"\n", "pinned.yaml")
    assert pinned.supervision.fingerprints == (mine.fingerprint,)
    record.key_act(pinned, office.root, unit=OFFICE, value=mine.public, acting=OFFICE, revoke=False, by="x")
    ring = record.keyring_of(pinned, office.root)
    assert ring.anchors == (mine.fingerprint,) and not ring.first_use


def test_plan_signature_settings_are_checked_with_file_and_line(plan_text, tmp_path):
    from fazhi_cli.errors import PlanError

    for extra, why in [("  fingerprint: abc\n", "16 位十六进制"), ("  require_signatures: 2017-02-30\n", "日期无效")]:
        with pytest.raises(PlanError, match=why) as e:
            plan_with(tmp_path, plan_text, extra)
        assert "plan.yaml:" in str(e.value)
    assert plan_with(tmp_path, plan_text, "  require_signatures: true\n").supervision.require_signatures == "0000-00-00"
    assert plan_with(tmp_path, plan_text, "  require_signatures: 2017-03-01\n").supervision.require_signatures == "2017-03-01"


# --- 4. signing ------------------------------------------------------------------------------------------

def test_every_new_record_is_signed_over_its_canonical_bytes(plan, district):
    office, unit, office_key, unit_key = district
    mark(plan, unit, note="第一次")
    record.attach(plan, unit.root, target="2.2", unit=UNIT, note="补充", evidence=[], by="测试")
    record.undo(plan, unit.root, UNIT)
    lines = unit.lines(UNIT)
    assert [x["type"] for x in lines] == ["mark", "attach", "revoke"]
    for obj in lines:
        assert obj["sig"]["key"] == unit_key.fingerprint
        assert crypto.verify(unit_key.public, obj["sig"]["ed25519"], ledger.signing_bytes(obj))
    office.use()
    record.extend(plan, office.root, target="2.2", unit=None, acting=OFFICE, to="2017-06-30", reason="机构调整",
                  approved_by=None, by="测试")
    act = office.lines(OFFICE)[-1]
    assert act["type"] == "extend" and act["sig"]["key"] == office_key.fingerprint


def test_a_pc_without_keys_writes_exactly_what_it_wrote_before(plan, tmp_path, monkeypatch):
    pc = PC(tmp_path, "plain", monkeypatch)
    mark(plan, pc)
    (obj,) = pc.lines(UNIT)
    assert "sig" not in obj and list(obj) == ["id", "type", "plan", "part", "unit", "on", "note", "evidence", "by",
                                              "recorded_at", "cmd", "state"]


def test_an_unsigned_folder_reads_the_same_with_keys_about(plan, tmp_path, monkeypatch, cli):
    """Views and check of a folder without signatures say what they always said, whatever keys the PC holds."""
    pc = PC(tmp_path, "plain", monkeypatch)
    mark(plan, pc)
    views = [("status", "--format", "json"), ("due", "--format", "json"), ("log",), ("check",)]
    before = [cli(*v, "--data-dir", pc.root).stdout for v in views]
    assert "签名" not in before[-1]
    PC(tmp_path, "other", monkeypatch).init(OTHER)      # a key of another unit on this PC
    assert [cli(*v, "--data-dir", pc.root).stdout for v in views] == before


# --- 5 and 6. verifying what arrives ------------------------------------------------------------------------

def test_signed_records_import_and_check_clean(plan, district, cli):
    office, unit, office_key, unit_key = district
    mark(plan, unit)
    office.use()
    lines, added = record.import_files(plan, office.root, [unit.root / "progress" / f"{UNIT}.jsonl"])
    assert len(added) == 1
    r = cli("check", "--data-dir", office.root)
    assert r.exit_code == 0, r.output
    assert "签名：有效签名 3 条，未签名 0 条；已登记密钥 2 个" in r.stdout


def test_a_forged_office_act_signed_with_a_units_key_is_refused_by_import(plan, district):
    office, unit, office_key, unit_key = district
    forged = forge(plan, OFFICE, unit, target="2.2", kind="extend", until="2019-12-31", note="延期")
    path = write_lines(unit.root / "progress" / f"{OFFICE}.jsonl", [forged])
    before = snapshot(office.root)
    with pytest.raises(LedgerError) as e:
        record.import_files(plan, office.root, [path], any_unit=True)
    assert f"{path}:1" in str(e.value) and f"是 {UNIT} 的，不是 {OFFICE} 的" in str(e.value)
    assert "未导入任何记录" in str(e.value)
    assert snapshot(office.root) == before


def test_an_unsigned_forged_act_is_refused_once_the_plan_requires_signatures(plan_text, district, tmp_path, cli):
    office, unit, office_key, unit_key = district
    strict = plan_with(tmp_path, plan_text, "  require_signatures: 2017-01-01\n")
    # a unit the office has registered no key for: only the plan's day makes its unsigned lines refused
    forged = dict(forge(strict, "市桥街", None, target="2.1", note="完成"), state="done")
    path = write_lines(tmp_path / "mail" / "市桥街.jsonl", [forged])
    before = snapshot(office.root)
    with pytest.raises(LedgerError, match="记录未签名；方案要求 2017-01-01 起的记录签名"):
        record.import_files(strict, office.root, [path])
    assert snapshot(office.root) == before
    # an unsigned record of before that day stays valid
    old = dict(forged, recorded_at="2016-12-30T10:00:00.000000+08:00", on="2016-12-30", id=ledger.new_id())
    record.import_files(strict, office.root, [write_lines(tmp_path / "old" / "市桥街.jsonl", [old])])
    r = cli("check", "--plan", strict.path, "--data-dir", office.root)
    assert r.exit_code == 0 and "签名：有效签名 2 条，未签名 1 条" in r.stdout, r.output


def test_a_signed_line_moved_edited_or_replayed_is_refused(plan, plan_text, district, tmp_path):
    office, unit, office_key, unit_key = district
    mark(plan, unit, target="2.1")      # 2.1 is 区编办's and 市桥街's
    (good,) = unit.lines(UNIT)
    raw = (unit.root / "progress" / f"{UNIT}.jsonl").read_bytes()
    cases = {
        # moved into another unit's file (its unit field made to match the file)
        "moved": ("市桥街.jsonl", json.dumps(dict(good, unit="市桥街"), ensure_ascii=False).encode(),
                  f"是 {UNIT} 的，不是 市桥街 的"),
        # one byte edited: the day it was done
        "edited": (f"{UNIT}.jsonl", raw.replace(b'"on":"2016-12-20"', b'"on":"2016-12-22"').rstrip(b"\n"), "签名不符"),
        # the same record made to belong to another plan
        "replayed": (f"{UNIT}.jsonl", json.dumps(dict(good, plan="番府办〔2016〕60号-副本"), ensure_ascii=False).encode(),
                     None),
    }
    before = snapshot(office.root)
    for name, (file, data, why) in cases.items():
        path = tmp_path / name / file
        path.parent.mkdir()
        path.write_bytes(data + b"\n")
        with pytest.raises(LedgerError) as e:
            record.import_files(plan, office.root, [path], any_unit=True)
        assert f"{path}:1" in str(e.value), name
        if why:
            assert why in str(e.value), (name, str(e.value))
        assert snapshot(office.root) == before, name
    # replayed into the other plan itself: the record's own signature no longer matches its plan field
    copy_text = plan_text.replace("plan:\n", "plan:\n  id: 番府办〔2016〕60号-副本\n", 1)
    (tmp_path / "copy.yaml").write_text(copy_text, encoding="utf-8")
    copy = load_plan(tmp_path / "copy.yaml")
    assert copy.key == "番府办〔2016〕60号-副本"
    with pytest.raises(LedgerError, match="签名|密钥"):
        record.import_files(copy, office.root, [tmp_path / "replayed" / f"{UNIT}.jsonl"])


def test_a_revoked_keys_later_records_are_refused_and_its_earlier_ones_kept(plan, district, cli):
    office, unit, office_key, unit_key = district
    mark(plan, unit, target="2.2")
    office.use()
    record.import_files(plan, office.root, [unit.root / "progress" / f"{UNIT}.jsonl"])
    record.key_act(plan, office.root, unit=UNIT, value=unit_key.fingerprint, acting=OFFICE, revoke=True, by="测试")
    mark(plan, unit, target="2.2", note="钥匙已丢失之后")
    office.use()
    before = snapshot(office.root)
    with pytest.raises(LedgerError) as e:
        record.import_files(plan, office.root, [unit.root / "progress" / f"{UNIT}.jsonl"])
    assert f"{UNIT}.jsonl:2" in str(e.value) and "吊销" in str(e.value)
    assert snapshot(office.root) == before
    r = cli("check", "--data-dir", office.root)
    assert r.exit_code == 0, r.output                      # the record signed before the revocation stands
    # a new key, registered, signs again
    new = unit.init(UNIT)
    register(plan, office, UNIT, new)
    mark(plan, unit, target="2.2", note="新密钥")
    office.use()
    lines = unit.lines(UNIT)
    path = write_lines(unit.root / "mail" / f"{UNIT}.jsonl", [lines[0], lines[2]])
    record.import_files(plan, office.root, [path])


def test_check_reports_a_forged_line_already_in_the_folder(plan, district, cli):
    office, unit, office_key, unit_key = district
    forged = forge(plan, OFFICE, unit, target="2.2", kind="extend", until="2019-12-31", note="延期")
    with (office.root / "progress" / f"{OFFICE}.jsonl").open("ab") as f:
        f.write(ledger.encode([forged]))
    r = cli("check", "--data-dir", office.root)
    assert r.exit_code == 1
    assert f"{OFFICE}.jsonl:3: 签名所用的密钥 {unit_key.fingerprint} 是 {UNIT} 的，不是 {OFFICE} 的" in r.stdout


def test_an_unsigned_key_act_is_refused(plan, district, tmp_path):
    office, unit, office_key, unit_key = district
    fake = forge(plan, OFFICE, None, target="", kind="key", subject=OTHER, key=crypto.generate(None)[1])
    path = write_lines(tmp_path / "mail" / f"{OFFICE}.jsonl", [fake])
    with pytest.raises(LedgerError, match="密钥记录未签名"):
        record.import_files(plan, office.root, [path])


# --- sync: a forged act on a unit's PC never reaches the others ------------------------------------------------

def test_a_forged_office_act_is_neither_sent_nor_received_by_sync(plan, district, tmp_path, cli):
    from fazhi_cli.sync import run

    office, unit, office_key, unit_key = district
    share = tmp_path / "share" / "fazhi.git"
    share.parent.mkdir()
    office.use()
    run.sync(plan, office.root, init_remote=str(share))
    unit.use()
    run.sync(plan, unit.root, str(share))
    mark(plan, unit)
    run.sync(plan, unit.root)
    forged = forge(plan, OFFICE, unit, target="2.2", kind="extend", until="2019-12-31", note="延期")
    with (unit.root / "progress" / f"{OFFICE}.jsonl").open("ab") as f:
        f.write(ledger.encode([forged]))
    unit.use()
    r = cli("sync", "--data-dir", unit.root)                 # the unit's own PC refuses to send it
    assert r.exit_code == 1 and "未同步任何内容" in one_line_error(r) and f"是 {UNIT} 的" in one_line_error(r)
    # pushed with another tool: every other PC refuses it, naming the commit, the file and the line
    from test_sync import push_commit

    pushed = push_commit(share, lambda u: u.update({f"{OFFICE}.jsonl": u[f"{OFFICE}.jsonl"] + ledger.encode([forged])}))
    office.use()
    before = snapshot(office.root / "progress")
    r = cli("sync", "--data-dir", office.root)
    assert r.exit_code == 1
    msg = one_line_error(r)
    assert f"{pushed.decode()[:10]}:progress/{OFFICE}.jsonl:3" in msg and f"是 {UNIT} 的，不是 {OFFICE} 的" in msg
    assert "未合并任何内容" in msg
    assert snapshot(office.root / "progress") == before


# --- the CLI as a new user meets it -------------------------------------------------------------------------

def test_the_readme_walkthrough_through_the_real_cli(tmp_path):
    o_env = {"FAZHI_HOME": str(tmp_path / "o"), "FAZHI_KEYS": str(tmp_path / "ko"), "FAZHI_USER": "王"}
    u_env = {"FAZHI_HOME": str(tmp_path / "u"), "FAZHI_KEYS": str(tmp_path / "ku"), "FAZHI_USER": "李"}
    r = run_fazhi("keys", "init", "--unit", OFFICE, env=o_env)
    office_pub = r.stdout.decode().split("公钥：", 1)[1].split()[0]
    assert run_fazhi("keys", "add", OFFICE, office_pub, "--as", OFFICE, env=o_env).returncode == 0
    r = run_fazhi("keys", "init", "--unit", UNIT, env=u_env)
    unit_pub = r.stdout.decode().split("公钥：", 1)[1].split()[0]
    r = run_fazhi("keys", "add", UNIT, unit_pub, "--as", OFFICE, env=o_env)
    assert r.returncode == 0 and r.stdout.decode().startswith(f"已登记 {UNIT} 的密钥"), r.stderr.decode()
    assert run_fazhi("mark", "2.2", "-u", UNIT, "--on", "2016-12-20", env=u_env).returncode == 0
    r = run_fazhi("import", tmp_path / "u" / "progress" / f"{UNIT}.jsonl", env=o_env)
    assert r.returncode == 0 and r.stderr == b"", r.stderr.decode()
    # the unit's clerk writes an extension into the office's file on the unit's PC and mails it
    r = run_fazhi("extend", "2.2", "--to", "2019-12-31", "--reason", "自行延期", "--as", OFFICE, env=u_env)
    assert r.returncode == 0                       # nothing stops a PC writing: the office's PC refuses it
    forged_file = tmp_path / "u" / "progress" / f"{OFFICE}.jsonl"
    plan_file = tmp_path / "strict.yaml"
    from fazhi_cli.plan import bundled_plan_path

    plan_file.write_text(bundled_plan_path().read_text(encoding="utf-8").replace(
        "  numbering: 番法治督办\n", "  numbering: 番法治督办\n  require_signatures: true\n", 1), encoding="utf-8")
    before = snapshot(tmp_path / "o")
    r = run_fazhi("import", "--plan", plan_file, forged_file, env=o_env)
    assert r.returncode == 1 and r.stdout == b""
    err = r.stderr.decode()
    assert err.count("\n") == 1 and f"{forged_file}:1" in err and "未签名" in err and "Traceback" not in err
    assert snapshot(tmp_path / "o") == before


def test_a_units_first_signed_records_travel_in_the_sync_that_brings_its_keys_registration(plan, tmp_path,
                                                                                           monkeypatch):
    from fazhi_cli.sync import run

    office, unit = PC(tmp_path, "office", monkeypatch), PC(tmp_path, "unit", monkeypatch)
    share = tmp_path / "share" / "fazhi.git"
    share.parent.mkdir()
    register(plan, office, OFFICE, office.init(OFFICE))
    office.use()
    run.sync(plan, office.root, init_remote=str(share))
    unit_key = unit.init(UNIT)
    unit.use()
    run.sync(plan, unit.root, str(share))
    mark(plan, unit)                                   # signed before the office registered the key
    register(plan, office, UNIT, unit_key)
    office.use()
    run.sync(plan, office.root)
    unit.use()
    out = run.sync(plan, unit.root)                    # receives the registration, sends the mark
    assert out.lines[-1].startswith("同步完成"), out.lines
    office.use()
    run.sync(plan, office.root)
    assert [x["sig"]["key"] for x in office.lines(UNIT)] == [unit_key.fingerprint]


def test_the_office_replaces_a_lost_key_named_in_the_plan_and_what_the_old_one_signed_stands(plan_text, tmp_path,
                                                                                             monkeypatch):
    office, unit = PC(tmp_path, "office", monkeypatch), PC(tmp_path, "unit", monkeypatch)
    old = office.init(OFFICE)
    first = plan_with(tmp_path, plan_text, f"  fingerprint: {old.fingerprint}\n", "first.yaml")
    register(first, office, OFFICE, old)
    unit_key = unit.init(UNIT)
    register(first, office, UNIT, unit_key)
    # the office's PC dies: a new PC, a new key, both fingerprints in the plan
    new_pc = PC(tmp_path, "office2", monkeypatch)
    new_pc.root = office.root
    new = new_pc.init(OFFICE)
    both = plan_with(tmp_path, plan_text, f"  fingerprint: [{old.fingerprint}, {new.fingerprint}]\n", "both.yaml")
    register(both, new_pc, OFFICE, new)
    new_pc.use()
    record.key_act(both, office.root, unit=OFFICE, value=old.fingerprint, acting=OFFICE, revoke=True, by="测试")
    ring = record.keyring_of(both, office.root)
    assert ring.entries[old.fingerprint].revoked and ring.entries[new.fingerprint].revoked is None
    assert ring.entries[unit_key.fingerprint].revoked is None          # registered by the old key, before
    mark(both, unit)
    office.use()
    record.import_files(both, office.root, [unit.root / "progress" / f"{UNIT}.jsonl"])
    # the lost key signs an act after its revocation: refused
    forged = forge(both, OFFICE, office, target="2.2", kind="extend", until="2019-12-31", note="延期")
    with pytest.raises(LedgerError, match="吊销"):
        record.import_files(both, office.root, [write_lines(tmp_path / "m" / f"{OFFICE}.jsonl", [forged])])


def test_a_plain_key_is_read_without_the_serialization_formats_and_as_the_library_reads_it():
    from cryptography.hazmat.primitives import serialization

    for _ in range(20):
        pem, public = crypto.generate(None)
        fast = crypto.load_private(pem, None)
        slow = serialization.load_pem_private_key(pem, None)
        assert crypto.public_of(fast) == crypto.public_of(slow) == public
    pem, public = crypto.generate(b"secret")
    assert crypto.public_of(crypto.load_private(pem, b"secret")) == public
    with pytest.raises(ValueError):
        crypto.load_private(pem, None)
    with pytest.raises(ValueError):
        crypto.load_private(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", None)


def test_an_office_and_three_units_on_four_pcs_set_up_keys_sync_and_refuse_a_forged_act(tmp_path):
    """The README's commands, run as four clerks would, each on a data folder and a key folder of their own."""
    from fazhi_cli.plan import bundled_plan_path

    plan_file = tmp_path / "方案.yaml"
    plan_file.write_text(bundled_plan_path().read_text(encoding="utf-8").replace(
        "  numbering: 番法治督办\n", "  numbering: 番法治督办\n  require_signatures: true\n", 1), encoding="utf-8")
    share = tmp_path / "share.git"

    def pc(name):
        return {"FAZHI_HOME": str(tmp_path / name), "FAZHI_KEYS": str(tmp_path / f"keys-{name}"),
                "FAZHI_PLAN": str(plan_file), "FAZHI_USER": name}

    def ok(env, *args):
        r = run_fazhi(*args, env=env)
        assert r.returncode == 0, (args, r.stderr.decode())
        return r.stdout.decode()

    office = pc("office")
    pub = ok(office, "keys", "init", "--unit", OFFICE).split("公钥：", 1)[1].split()[0]
    ok(office, "keys", "add", OFFICE, pub, "--as", OFFICE)
    ok(office, "sync", "--init-remote", share)
    units = {"区编办": ("2.2", pc("a")), "区发展改革局": ("5.1", pc("b")), "区政务办": ("3.1", pc("c"))}
    for name, (_, env) in units.items():
        pub = ok(env, "keys", "init", "--unit", name).split("公钥：", 1)[1].split()[0]
        ok(office, "keys", "add", name, pub, "--as", OFFICE)
    ok(office, "sync")
    for name, (part, env) in units.items():
        ok(env, "sync", share)
        ok(env, "mark", part, "-u", name, "--on", "2017-06-01")
        ok(env, "sync")
    ok(office, "sync")
    assert "签名：有效签名 7 条，未签名 0 条" in ok(office, "check")          # 4 registrations, 3 marks
    # 区编办's clerk tries to record an extension as the office on 区编办's PC: refused, nothing written
    a = units["区编办"][1]
    r = run_fazhi("extend", "2.2", "--to", "2019-12-31", "--reason", "自行延期", "--as", OFFICE, env=a)
    assert r.returncode == 2 and "本机没有它的私钥" in r.stderr.decode() and r.stderr.decode().count("\n") == 1
    # so the clerk writes the line by hand, as an extension would read, and syncs: refused, nothing sent
    office_file = tmp_path / "a" / "progress" / f"{OFFICE}.jsonl"
    line = ledger.new_event(load_plan(plan_file), target="2.2", unit=OFFICE, state=None, on="2017-06-02", by="a",
                            cmd=ledger.new_id(), kind="extend", until="2019-12-31", note="自行延期")
    with office_file.open("ab") as fh:
        fh.write(ledger.encode([line]))
    r = run_fazhi("sync", env=a)
    err = r.stderr.decode()
    assert r.returncode == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert f"{OFFICE}.jsonl:" in err and "记录未签名" in err and "未同步任何内容" in err
    # pushed with another tool all the same: the office's PC and the other units' refuse it
    from test_sync import push_commit

    forged = (tmp_path / "a" / "progress" / f"{OFFICE}.jsonl").read_bytes().splitlines(keepends=True)[-1]
    push_commit(share, lambda u: u.update({f"{OFFICE}.jsonl": u[f"{OFFICE}.jsonl"] + forged}))
    for env in (office, units["区发展改革局"][1]):
        before = snapshot(Path(env["FAZHI_HOME"]) / "progress")
        r = run_fazhi("sync", env=env)
        err = r.stderr.decode()
        assert r.returncode == 1 and f"progress/{OFFICE}.jsonl:" in err and "记录未签名" in err, err
        assert "未合并任何内容" in err
        assert snapshot(Path(env["FAZHI_HOME"]) / "progress") == before


def test_a_keys_run_builds_only_the_keys_commands(cli):
    from fazhi_cli import cli as program
    from fazhi_cli.cli.startup import only_the_command_asked_for

    every = list(program.app.registered_commands)
    try:
        only_the_command_asked_for(["keys", "show"])
        assert program.app.registered_commands == []
        assert [g.typer_instance.info.name for g in program.app.registered_groups] == ["keys"]
    finally:
        program.app.registered_commands[:] = every
    r = cli("keys", "init", "--help")
    assert r.exit_code == 0 and "示例：fazhi keys init --unit 区编办" in r.stdout


@pytest.mark.parametrize("change", [
    lambda s: "abc", lambda s: [], lambda s: None, lambda s: {"key": s["key"]},
    lambda s: {**s, "by": "x"}, lambda s: {**s, "key": s["key"].upper()},
    lambda s: {**s, "ed25519": s["ed25519"][:-3] + ("B==" if s["ed25519"][-3] != "B" else "C==")},
    lambda s: {**s, "ed25519": s["ed25519"] + "AAAA"}, lambda s: {**s, "key": 12345},
    lambda s: {"key": s["key"], "ed25519": s["ed25519"] + "\u202e"},
], ids=["text", "list", "null", "no-signature", "extra-field", "upper-hex", "non-canonical-base64", "too-long",
        "number", "bidi"])
def test_a_malformed_signature_is_one_line_and_nothing_changes(plan, district, tmp_path, change):
    office, unit, office_key, unit_key = district
    mark(plan, unit)
    (good,) = unit.lines(UNIT)
    path = tmp_path / "mail" / f"{UNIT}.jsonl"
    path.parent.mkdir()
    path.write_text(json.dumps(dict(good, sig=change(good["sig"])), ensure_ascii=False) + "\n", encoding="utf-8")
    before = snapshot(office.root)
    env = {"FAZHI_HOME": str(office.root), "FAZHI_KEYS": str(office.keys)}
    r = run_fazhi("import", path, env=env)
    err = r.stderr.decode()
    assert r.returncode == 1 and err.count("\n") == 1 and "Traceback" not in err and f"{path}:1" in err, err
    assert "签名的格式无效" in err and "\u202e" not in err
    assert snapshot(office.root) == before


def test_a_key_act_cannot_be_undone_and_a_forged_revoke_does_not_bring_a_key_back(plan, district, tmp_path):
    office, unit, office_key, unit_key = district
    office.use()
    with pytest.raises(UsageError, match="不能撤销"):
        record.undo(plan, office.root, OFFICE)
    record.key_act(plan, office.root, unit=UNIT, value=unit_key.fingerprint, acting=OFFICE, revoke=True, by="测试")
    unkey = office.lines(OFFICE)[-1]
    # an unsigned "undo" of the revocation, written on the unit's PC and mailed as the office's: refused (the
    # office signs), and, dated before the office's first key, admitted yet powerless against the keyring
    forged = forge(plan, OFFICE, None, target="", revokes=unkey["id"])
    with pytest.raises(LedgerError, match="记录未签名"):
        record.import_files(plan, office.root, [write_lines(tmp_path / "m" / f"{OFFICE}.jsonl", [forged])])
    early = dict(forged, recorded_at="2016-12-30T10:00:00.000000+08:00", on="2016-12-30")
    record.import_files(plan, office.root, [write_lines(tmp_path / "m2" / f"{OFFICE}.jsonl", [early])])
    assert record.keyring_of(plan, office.root).entries[unit_key.fingerprint].revoked == unkey["recorded_at"]


# --- once the office signs, an unsigned line in its name (or a registered unit's) is a forgery ------------

def test_an_unsigned_forged_act_is_refused_once_the_office_has_a_key_without_any_plan_setting(plan, district,
                                                                                                 tmp_path, cli):
    office, unit, office_key, unit_key = district
    forged = forge(plan, OFFICE, None, target="2.2", kind="extend", until="2019-12-31", note="延期")
    path = write_lines(tmp_path / "mail" / f"{OFFICE}.jsonl", [forged])
    before = snapshot(office.root)
    with pytest.raises(LedgerError, match="记录未签名；区法制办 自 .* 起已登记签名密钥"):
        record.import_files(plan, office.root, [path])
    assert snapshot(office.root) == before
    # the same for a registered unit's unsigned line mailed in its name
    fake = dict(forge(plan, UNIT, None, target="2.2", note="假的"), state="done")
    with pytest.raises(LedgerError, match=f"记录未签名；{UNIT} 自"):
        record.import_files(plan, office.root, [write_lines(tmp_path / "mail2" / f"{UNIT}.jsonl", [fake])])
    assert snapshot(office.root) == before
    # a unit with no registered key still records unsigned, as before signing existed
    free = dict(forge(plan, "市桥街", None, target="2.1"), state="done")
    record.import_files(plan, office.root, [write_lines(tmp_path / "mail3" / "市桥街.jsonl", [free])])


def test_a_pc_without_the_offices_key_cannot_record_in_its_name(plan, district, tmp_path, cli):
    office, unit, office_key, unit_key = district
    unit.use()                    # this PC holds 区编办's key only
    for args in (["extend", "7.1", "--to", "2019-12-31", "--reason", "伪造", "--as", OFFICE],
                 ["waive", "7.1", "--reason", "伪造", "--as", OFFICE],
                 ["mark", "7.1", "--unit", OFFICE, "--on", "2017-01-05"]):
        shutil.copytree(office.root, tmp_path / "copy", dirs_exist_ok=False)     # the office's record, on a unit's PC
        before = snapshot(tmp_path / "copy")
        r = cli(*args, "--data-dir", tmp_path / "copy")
        assert r.exit_code == 2, (args, r.output)
        assert "已登记签名密钥，本机没有它的私钥" in r.stderr and r.stderr.count("\n") == 1, r.stderr
        assert snapshot(tmp_path / "copy") == before
        shutil.rmtree(tmp_path / "copy")


# --- check remembers the signatures it verified: a shortcut, never a source ------------------------------------

def _spy_verify(monkeypatch) -> list:
    calls: list = []
    real = crypto.verify

    def spy(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(crypto, "verify", spy)
    return calls


@pytest.fixture
def verified_office(plan, district, tmp_path, monkeypatch):
    """The office's folder holding three signed marks of the unit, and a private cache folder."""
    office, unit, office_key, unit_key = district
    for target in ("2.2", "2.1", "16.1"):
        mark(plan, unit, target=target)
    office.use()
    record.import_files(plan, office.root, [unit.root / "progress" / f"{UNIT}.jsonl"])
    monkeypatch.setenv("FAZHI_CACHE_DIR", str(tmp_path / "cache"))
    return office


def test_check_verifies_a_signature_once_and_answers_the_same_with_and_without_what_it_remembers(
        verified_office, cli, monkeypatch):
    office = verified_office
    calls = _spy_verify(monkeypatch)
    first = cli("check", "--data-dir", office.root)
    assert first.exit_code == 0 and "有效签名 5 条" in first.stdout, first.output
    # the keyring's replay verifies the office's 2 key acts every time (a district has a few); then 5 lines
    assert len(calls) == 2 + 5
    assert stat.S_IMODE(os.stat(office.root.parent / "cache" / "verified-2.bin").st_mode) == 0o600
    del calls[:]
    again = cli("check", "--data-dir", office.root)
    assert (again.exit_code, again.stdout, again.stderr) == (first.exit_code, first.stdout, first.stderr)
    assert len(calls) == 2
    del calls[:]
    monkeypatch.setenv("FAZHI_NO_CACHE", "1")
    plain = cli("check", "--data-dir", office.root)
    assert (plain.exit_code, plain.stdout, plain.stderr) == (first.exit_code, first.stdout, first.stderr)
    assert len(calls) == 2 + 5


def test_a_line_changed_after_its_signature_was_remembered_is_verified_again_and_refused(verified_office, cli):
    office = verified_office
    assert cli("check", "--data-dir", office.root).exit_code == 0
    path = office.root / "progress" / f"{UNIT}.jsonl"
    path.write_bytes(path.read_bytes().replace(b'"on":"2016-12-20"', b'"on":"2016-12-22"', 1))
    r = cli("check", "--data-dir", office.root)
    assert r.exit_code == 1 and f"{UNIT}.jsonl:1: 签名不符" in r.stdout, r.output


def test_a_remembered_signature_is_still_judged_by_the_keyring(plan, verified_office, district, cli):
    """Only the check of the signature is remembered: a revocation that falls before a remembered line refuses it."""
    office, unit, office_key, unit_key = district
    assert cli("check", "--data-dir", office.root).exit_code == 0
    last = office.lines(UNIT)[-1]
    unkey = ledger.new_event(plan, target="", unit=OFFICE, state=None, on=last["on"], by="测试", cmd=ledger.new_id(),
                             kind="unkey", subject=UNIT, key=unit_key.fingerprint)
    unkey["recorded_at"] = office.lines(UNIT)[-2]["recorded_at"]       # before the last mark
    private = crypto.load_private(office_key.path.read_bytes(), None)
    unkey["sig"] = {"key": office_key.fingerprint, "ed25519": crypto.sign(private, ledger.signing_bytes(unkey))}
    with (office.root / "progress" / f"{OFFICE}.jsonl").open("ab") as f:
        f.write(ledger.encode([unkey]))
    r = cli("check", "--data-dir", office.root)
    assert r.exit_code == 1 and f"{UNIT}.jsonl:3: 签名所用的密钥 {unit_key.fingerprint} 已于" in r.stdout, r.output


@pytest.mark.parametrize("damage", ["garbage", "no-head", "cut", "a-folder", "a-link-to-dev-zero"])
def test_a_damaged_memory_of_verified_signatures_is_no_memory(verified_office, cli, monkeypatch, damage):
    office = verified_office
    truth = cli("check", "--data-dir", office.root)
    entry = office.root.parent / "cache" / "verified-2.bin"
    good = entry.read_bytes()
    entry.unlink()
    if damage == "garbage":
        entry.write_bytes(os.urandom(1000))
    elif damage == "no-head":
        entry.write_bytes(good[good.index(b"\n") + 1:])
    elif damage == "cut":
        entry.write_bytes(good[:-5])
    elif damage == "a-folder":
        entry.mkdir()
    else:
        if os.name != "posix":
            pytest.skip("links to devices are POSIX")
        entry.symlink_to("/dev/zero")
    calls = _spy_verify(monkeypatch)
    r = cli("check", "--data-dir", office.root)
    assert (r.exit_code, r.stdout, r.stderr) == (truth.exit_code, truth.stdout, truth.stderr)
    assert len(calls) == 2 + 5                  # every line verified again


def test_the_fingerprint_is_the_sha256_of_the_key_as_hashlib_computes_it():
    import base64
    import hashlib

    for _ in range(20):
        public = crypto.generate(None)[1]
        assert crypto.fingerprint(public) == hashlib.sha256(base64.b64decode(public)).hexdigest()[:16]


def test_an_entry_planted_in_the_cache_does_not_make_a_forged_signature_hold(plan, verified_office, district, cli):
    """A cache entry is hostile like any file that arrives: whoever can write the cache folder (a shared
    FAZHI_CACHE_DIR, a restored backup) could add the digest of a forged line's (key, signature, bytes), computed
    as the code computes it, so that check and import take the forgery as verified. What is remembered is
    keyed with a secret kept beside this PC's private keys, which a planted digest cannot match."""
    import base64
    import hashlib

    office, unit, office_key, unit_key = district
    assert cli("check", "--data-dir", office.root).exit_code == 0
    forged = dict(forge(plan, UNIT, None, target="2.2", note="伪造"), state="done")
    forged["sig"] = {"key": unit_key.fingerprint, "ed25519": base64.b64encode(os.urandom(64)).decode()}
    data = ledger.signing_bytes(forged)
    sig = forged["sig"]["ed25519"]
    public = unit_key.public
    head = f"{len(public)}:{public}{len(sig)}:{sig}".encode()
    planted = [hashlib.blake2b(head + data, digest_size=32, person=b"fazhi-verified").digest()]
    planted += [hashlib.blake2b(head + data, digest_size=32, person=b"fazhi-verified", key=k).digest()
                for k in (b"", b"\0" * 32)]
    for entry in (office.root.parent / "cache").glob("verified-*.bin"):
        entry.write_bytes(entry.read_bytes() + b"".join(planted))
    with (office.root / "progress" / f"{UNIT}.jsonl").open("ab") as f:
        f.write(ledger.encode([forged]))
    r = cli("check", "--data-dir", office.root)
    assert r.exit_code == 1 and f"{UNIT}.jsonl:4: 签名不符" in r.stdout, r.output


def test_a_revocation_keeps_by_name_the_records_the_office_held_and_no_line_the_lost_key_signs_later(
        plan, district, cli):
    """A record's time is what its signer wrote: whoever finds a lost key could date a line before the
    revocation. `keys revoke` names the records signed with the key that the office holds (kept); a line the
    key signed that is not named is refused whatever time it claims, including a real one the office had not
    received yet (the unit records it again with its new key); the named ones stand."""
    office, unit, office_key, unit_key = district
    mark(plan, unit, target="2.2")
    office.use()
    record.import_files(plan, office.root, [unit.root / "progress" / f"{UNIT}.jsonl"])
    mark(plan, unit, target="2.1", note="吊销前记下，尚未报送")
    office.use()
    act = record.key_act(plan, office.root, unit=UNIT, value=unit_key.fingerprint, acting=OFFICE, revoke=True,
                         by="测试")
    held = unit.lines(UNIT)
    assert act["kept"] == [held[0]["id"]]
    back = dict(forge(plan, UNIT, unit, target="16.1", note="拾得密钥者倒填"), state="done")
    back["recorded_at"] = held[0]["recorded_at"]            # dated with the first, long before the revocation
    back = forge_signed_again(back, unit)
    office.use()
    before = snapshot(office.root)
    for line in (held[1], back):
        path = write_lines(unit.root / "mail" / f"{UNIT}.jsonl", [held[0], line])
        with pytest.raises(LedgerError) as e:
            record.import_files(plan, office.root, [path])
        assert f"{UNIT}.jsonl:2" in str(e.value) and "保留的 1 条记录中没有这一条" in str(e.value), str(e.value)
    assert snapshot(office.root) == before
    r = cli("check", "--data-dir", office.root)
    assert r.exit_code == 0 and "有效签名" in r.stdout, r.output      # the kept record stands


def forge_signed_again(obj: dict, pc: PC) -> dict:
    """``obj`` signed again with ``pc``'s key after a field was changed by hand."""
    pc.use()
    mine = store.local_keys()[0]
    private = crypto.load_private(mine.path.read_bytes(), None)
    obj = {k: v for k, v in obj.items() if k != "sig"}
    obj["sig"] = {"key": mine.fingerprint, "ed25519": crypto.sign(private, ledger.signing_bytes(obj))}
    return obj


@pytest.mark.parametrize("kept", ["a1" * 16, ["x"], ["a1" * 16, "a1" * 16], [1], {"a": 1}])
def test_a_revocation_whose_kept_ids_are_malformed_is_refused(plan, district, kept):
    office, unit, office_key, unit_key = district
    act = ledger.new_event(plan, target="", unit=OFFICE, state=None, on=dates.now().date().isoformat(), by="测试",
                           cmd=ledger.new_id(), kind="unkey", subject=UNIT, key=unit_key.fingerprint)
    act["kept"] = kept
    act = forge_signed_again(act, office)
    path = write_lines(office.root / "mail" / f"{OFFICE}.jsonl", [act])
    before = snapshot(office.root)
    with pytest.raises(LedgerError) as e:
        record.import_files(plan, office.root, [path])
    assert "吊销记录保留的记录编号无效" in str(e.value), str(e.value)
    assert snapshot(office.root) == before
