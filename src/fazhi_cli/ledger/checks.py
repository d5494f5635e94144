"""The one validation path: every record, typed, imported, synced or read back, passes ``check_record``."""

from __future__ import annotations

import json
import re
from datetime import date

from ..errors import UsageError
from ..i18n import t
from ..plan import STATES, Plan
from .model import (ACTS, BAD_TEXT, DAY, ID, ID_RE, KEY_ACTS, LEGACY_PLAN, MAX_BY, MAX_EVIDENCE, MAX_EVIDENCE_FILE,
                    MAX_EVIDENCE_TEXT, MAX_KEPT, MAX_LINE, MAX_NOTE, NO_ACT, SHA, SHAPE, STAMP, STAMP_RE, VERDICTS, Event,
                    Lazy,
                    tuple_new)

# --- one validation path ------------------------------------------------------

_ROLES: dict[int, tuple[Plan, frozenset]] = {}


def role_list(plan: Plan) -> list[tuple[str, str]]:
    """Every (target, unit) pair the plan gives a role, in the plan's order (successors' after all others)."""
    order = [(p.id, u) for p in plan.parts.values() for u in (*p.lead_units, *p.support_units)]
    order += [(o.id, u) for o in plan.obligations.values() for u in o.units]
    if plan.successions:
        order += sorted(role_pairs(plan).difference(order))
    return list(dict.fromkeys(order))


def role_pairs(plan: Plan) -> frozenset:
    """Every (target, unit) pair the plan gives a role, computed once per plan."""
    hit = _ROLES.get(id(plan))
    if hit is not None and hit[0] is plan:
        return hit[1]
    pairs = {(p.id, u) for p in plan.parts.values() for u in (*p.lead_units, *p.support_units)}
    pairs.update((o.id, u) for o in plan.obligations.values() for u in o.units)
    for new in {s.new for s in plan.successions}:   # a successor answers for what its predecessors held
        held = {target for target, unit in pairs if unit in plan.predecessors(new)}
        pairs.update((target, new) for target in held)
    roles = frozenset(pairs)
    _ROLES[id(plan)] = (plan, roles)
    return roles


GOOD_DAYS: set[str] = set()


def real_day(text: str) -> bool:
    # The shape is checked by regular expression; this rejects 02-30 and the
    # like. Few distinct days occur, so each is parsed once.
    if text in GOOD_DAYS:
        return True
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    GOOD_DAYS.add(text)
    return True


def text_ok(value: object, limit: int) -> bool:
    return type(value) is str and len(value) <= limit and not (value and BAD_TEXT.search(value))


def evidence_ok(items: object) -> bool:
    if type(items) is not list or len(items) > MAX_EVIDENCE:
        return False
    for item in items:
        if type(item) is str:
            if not item or not text_ok(item, MAX_EVIDENCE_TEXT):
                return False
            continue
        if type(item) is not dict:
            return False
        kind = item.get("kind")
        if kind not in ("document", "url", "file") or not text_ok(item.get("value"), MAX_EVIDENCE_TEXT):
            return False
        if not item["value"] or not text_ok(item.get("name", ""), 255):
            return False
        if kind == "file" and "name" in item and ("/" in item["name"] or "\\" in item["name"]):
            return False  # a file's name, as `mark` records it: never a path
        if kind == "file":
            sha, size = item.get("sha256"), item.get("size")
            if (type(sha) is not str or not SHA.fullmatch(sha) or type(size) is not int
                    or not 0 <= size <= MAX_EVIDENCE_FILE):   # never more than `mark` copies
                return False
    return True


# The base64 of 32 and of 64 raw bytes, in its one canonical spelling (the unused low bits zero): a signature
# or a key has one way to be written, so two lines that say the same thing have the same bytes.
PUBLIC_KEY = Lazy(r"[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=", re.ASCII)
_SIG = Lazy(r"[0-9a-f]{16} [A-Za-z0-9+/]{85}[AQgw]==", re.ASCII)
FINGERPRINT = Lazy(r"[0-9a-f]{16}", re.ASCII)

# The y of every Ed25519 point of order 1, 2, 4 or 8 (1, -1, 0 and the two of order 8, as libsodium's
# ge25519_has_small_order lists them): the library verifies signatures by such a "public key" that anyone can
# make (for the identity point, R the identity and S zero verify for any record), so none is ever a key.
_P = 2 ** 255 - 19
_SMALL_ORDER_Y = frozenset((0, 1, _P - 1,
                            0x05FC536D880238B13933C6D305ACDFD5F098EFF289F4C345B027B2C28F95E826,
                            0x7A03AC9277FDC74EC6CC392CFA53202A0F67100D760B3CBA4FD84D3D706A17C7))


def small_order_key(public: str) -> bool:
    """Whether a public key (base64 of 32 bytes) is a point of small order, whatever the sign of x, and in the
    spelling y + p too: a key anyone can sign for."""
    import base64  # noqa: PLC0415 - only key acts and keys add ask

    raw = base64.b64decode(public)
    return len(raw) == 32 and (int.from_bytes(raw, "little") & ((1 << 255) - 1)) % _P in _SMALL_ORDER_Y


def sig_ok(sig: object) -> bool:
    """A record's ``sig`` has the shape of one: {"key": fingerprint, "ed25519": signature}, nothing else."""
    return (type(sig) is dict and len(sig) == 2 and type(sig.get("key")) is str and type(sig.get("ed25519")) is str
            and _SIG.fullmatch(f"{sig['key']} {sig['ed25519']}") is not None)


def plan_of(obj: dict) -> str:
    value = obj.get("plan", LEGACY_PLAN)
    return value if type(value) is str else ""


_USUAL = Lazy(rf"{ID} {DAY} {STAMP} (?:{ID})?", re.ASCII)


def usual_record(obj: dict, plan: Plan, today: str | None, file: str, line: int, file_unit: str | None) -> Event | None:
    """The record as an Event when it is plainly well formed, else None (and the careful path decides).

    A read of 100,000 records runs this 100,000 times, so the checks of the
    careful path below are made here in fewer, cheaper steps: one regular
    expression for the id, the day, the timestamp and the command id, a set
    lookup for days already seen valid, one search for control characters over the note
    and the name together. Whatever it accepts, the careful path accepts as the
    same Event; anything it is not sure of (another plan, a new day, a revoke or
    an attachment, an import's received_at...) goes down the careful path.
    """
    get = obj.get
    eid, on, stamp, cmd = get("id"), get("on"), get("recorded_at"), get("cmd", "")
    note, by, evidence, unit = get("note", ""), get("by", ""), get("evidence", []), get("unit")
    if (type(eid) is not str or type(on) is not str or type(stamp) is not str or type(cmd) is not str
            or type(note) is not str or type(by) is not str or type(evidence) is not list
            or get("plan", LEGACY_PLAN) != plan.key
            or (file_unit is not None and unit != file_unit) or len(note) > MAX_NOTE or len(by) > MAX_BY
            or "\n" in by or get("received_at") is not None or get("type", "mark") != "mark"
            or ("sig" in obj and not sig_ok(obj["sig"]))):
        return None
    target, state = get("part"), get("state")
    start = plan.start
    if (state not in STATES or type(unit) is not str or type(target) is not str or unit not in plan.units
            or (target, unit) not in role_pairs(plan) or (evidence and not evidence_ok(evidence))
            or (start is not None and on < start.isoformat())
            or (today is not None and (on > today or stamp[:10] > today)) or on > stamp[:10]
            or not _USUAL.fullmatch(f"{eid} {on} {stamp} {cmd}") or BAD_TEXT.search(note + by)
            or not real_day(on) or not real_day(stamp[:10])):
        return None
    return tuple_new(Event, (eid, "mark", target, unit, state, on, note, tuple(evidence), by, stamp, None, file,
                              line, cmd or eid, stamp, *NO_ACT))


def check_record(obj: object, plan: Plan, *, today: str | None = None, file: str = "", line: int = 0,
                 file_unit: str | None = None) -> Event | None:
    """Validate one decoded record; None when it belongs to another plan.

    Raises ValueError with a message for users. ``today`` (an ISO day) refuses
    records dated after it; ``file_unit`` refuses records of any other unit.
    """
    if type(obj) is not dict:
        raise ValueError(t("记录应为 JSON 对象", "a record must be a JSON object"))
    event = usual_record(obj, plan, today, file, line, file_unit)
    if event is not None:
        return event
    if plan_of(obj) != plan.key:
        if type(obj.get("plan", "")) is not str:
            raise ValueError(t("plan 字段类型错误", "the plan field has the wrong type"))
        return None
    get = obj.get
    eid, kind, target, unit = get("id"), get("type", "mark"), get("part"), get("unit")
    on, stamp, state, revokes = get("on"), get("recorded_at"), get("state"), get("revokes")
    note, by, evidence = get("note", ""), get("by", ""), get("evidence", [])
    # The usual, well-formed record passes with one regular expression over
    # its id, day and timestamp; anything else is examined field by field
    # below so that the message can say which field is wrong.
    if not (type(eid) is str and type(on) is str and type(stamp) is str
            and SHAPE.fullmatch(f"{eid} {on} {stamp}") and real_day(on) and real_day(stamp[:10])):
        if type(eid) is not str or not ID_RE.fullmatch(eid):
            raise ValueError(t("记录编号无效", "invalid record id"))
        if type(on) is not str or not re.fullmatch(DAY, on, re.ASCII) or not real_day(on):
            raise ValueError(t("日期无效: {d!r}", "invalid date: {d!r}", d=on))
        raise ValueError(t("记录时间无效: {d!r}", "invalid recorded_at: {d!r}", d=stamp))
    if file_unit is not None and unit != file_unit:
        raise ValueError(t("记录的单位 {u!r} 与进度文件的单位 {f} 不符", "the record's unit {u!r} is not this file's unit {f}",
                           u=unit, f=file_unit))
    if type(unit) is not str or unit not in plan.units:
        raise ValueError(t("方案中没有单位 {u!r}", "the plan has no unit {u!r}", u=unit))
    extra: tuple = NO_ACT
    if kind in ACTS:
        extra = _act(obj, plan, kind, unit, target)
    elif kind == "revoke" and plan.supervises(unit):
        # the office takes back one of its acts (which may name any item, or none)
        if target != "" and target not in plan.parts and target not in plan.obligations:
            raise ValueError(t("方案中没有分项 {p!r}", "the plan has no part {p!r}", p=target))
    else:
        if type(target) is not str or (target not in plan.parts and target not in plan.obligations):
            raise ValueError(t("方案中没有分项 {p!r}", "the plan has no part {p!r}", p=target))
        if (target, unit) not in role_pairs(plan):
            raise ValueError(t("{u} 不负责 {p}", "{u} holds no responsibility for {p}", u=unit, p=target))
    start = plan.start
    if start is not None and on < start.isoformat():
        raise ValueError(t("日期 {d} 早于方案印发日期 {s}", "date {d} is before the plan was signed ({s})", d=on, s=start))
    if today is not None and (on > today or stamp[:10] > today):
        raise ValueError(t("日期晚于今天({d})", "dated after today ({d})", d=today))
    if on > stamp[:10]:
        # `mark` never records a day after the day it records on: such a record
        # was forged, and would count as known before the work it reports.
        raise ValueError(t("日期 {d} 晚于记录时间 {r}", "date {d} is after the time it was recorded ({r})", d=on, r=stamp))
    if kind == "mark":
        if state not in STATES:
            raise ValueError(t("未知状态 {s!r}(应为 todo、doing 或 done)", "unknown state {s!r} (todo, doing or done)",
                               s=state))
        revokes = None
    elif kind == "revoke":
        if type(revokes) is not str or not ID_RE.fullmatch(revokes):
            raise ValueError(t("撤销记录缺少被撤销的编号", "a revoke record lacks the id it revokes"))
        state = None
    elif kind == "attach" or kind in ACTS:
        state = revokes = None
    else:
        raise ValueError(t("未知的记录类型 {k!r}", "unknown record type {k!r}", k=kind))
    if not text_ok(note, MAX_NOTE):
        raise ValueError(t("备注无效(应为不超过 {m} 字、不含控制字符的文字)",
                           "invalid note (text of at most {m} characters, no control characters)", m=MAX_NOTE))
    if not text_ok(by, MAX_BY) or "\n" in by:
        raise ValueError(t("记录人无效(应为不超过 {m} 字的一行文字)", "invalid by (one line of at most {m} characters)",
                           m=MAX_BY))
    if type(evidence) is not list or (evidence and not evidence_ok(evidence)):
        raise ValueError(t("证明材料无效(最多 {m} 项,每项为文号、网址或带 SHA-256 的文件)",
                           "invalid evidence (at most {m} items: document numbers, URLs or files with SHA-256)",
                           m=MAX_EVIDENCE))
    cmd = get("cmd", "")
    if cmd and (type(cmd) is not str or not ID_RE.fullmatch(cmd)):
        raise ValueError(t("命令编号无效", "invalid command id"))
    if "sig" in obj and not sig_ok(obj["sig"]):
        raise ValueError(t("签名的格式无效", "the signature is malformed"))
    received = get("received_at")
    if received is not None and (type(received) is not str or not STAMP_RE.fullmatch(received)
                                 or not real_day(received[:10])):
        raise ValueError(t("接收时间无效: {d!r}", "invalid received_at: {d!r}", d=received))
    # tuple.__new__ skips the NamedTuple's Python-level constructor: this
    # runs once per record, 100,000 times for a large district.
    return tuple_new(Event, (eid, kind, target, unit, state, on, note, tuple(evidence), by, stamp, revokes,
                              file, line, cmd or eid, received or stamp, *extra))


def _act(obj: dict, plan: Plan, kind: str, unit: str, target: object) -> tuple:
    """Check a supervision act; its (subject, verdict, until, number, approved_by, key, kept)."""
    if not plan.supervises(unit):
        from ..i18n import act_kind_label  # noqa: PLC0415

        what = act_kind_label(kind)
        if not plan.supervision.units:
            raise ValueError(t("方案未指定督办单位，不能记录“{k}”", "the plan names no supervising unit, so no {k} can be "
                               "recorded", k=what))
        raise ValueError(t("只有督办单位（{w}）可以记录“{k}”", "only the supervising unit ({w}) may record a {k}",
                           w="、".join(plan.supervision.units), k=what))
    get = obj.get
    subject, verdict, until, number, approved = get("subject"), get("verdict"), get("until"), get("number"), get(
        "approved_by", "")
    if kind in ("review", "extend", "waive"):
        if target not in plan.parts and target not in plan.obligations:
            raise ValueError(t("方案中没有分项 {p!r}", "the plan has no part {p!r}", p=target))
        if subject is not None and (type(subject) is not str or (target, subject) not in role_pairs(plan)):
            raise ValueError(t("{u!r} 不负责 {p}", "{u!r} holds no responsibility for {p}", u=subject, p=target))
        if kind == "review" and (subject is None or verdict not in VERDICTS):
            raise ValueError(t("审核记录需要单位和结论(accept 或 return)", "a review needs a unit and a verdict (accept or return)"))
        if kind == "extend" and (type(until) is not str or not re.fullmatch(DAY, until) or not real_day(until)):
            raise ValueError(t("延期记录的新期限无效: {d!r}", "invalid extended due date: {d!r}", d=until))
    elif kind == "remind":
        if type(subject) is not str or subject not in plan.units:
            raise ValueError(t("催办记录的单位无效: {u!r}", "invalid unit in a reminder: {u!r}", u=subject))
        if type(number) is not int or not 1 <= number <= 1_000_000:
            raise ValueError(t("催办编号无效: {n!r}", "invalid reminder number: {n!r}", n=number))
    elif target != "":
        raise ValueError(t("{k} 记录不应指明分项", "a {k} record names no part", k=kind))
    key = get("key", "")
    if kind in KEY_ACTS:
        if type(subject) is not str or subject not in plan.units:
            raise ValueError(t("密钥记录的单位无效：{u!r}", "invalid unit in a key record: {u!r}", u=subject))
        if (type(key) is not str or not (PUBLIC_KEY if kind == "key" else FINGERPRINT).fullmatch(key)
                or (kind == "key" and small_order_key(key))):
            raise ValueError(t("密钥记录的公钥或指纹无效：{k!r}", "invalid public key or fingerprint in a key record: {k!r}",
                               k=key))
    kept = get("kept")
    if kept is not None and (kind != "unkey" or type(kept) is not list or len(kept) > MAX_KEPT
                             or not all(type(x) is str and ID_RE.fullmatch(x) for x in kept) or len(set(kept)) != len(kept)):
        raise ValueError(t("吊销记录保留的记录编号无效", "invalid ids kept by a revocation"))
    if not text_ok(approved, MAX_BY) or "\n" in approved:
        raise ValueError(t("批准人无效", "invalid approved_by"))
    return (subject, verdict if kind == "review" else None, until if kind == "extend" else None,
            number if kind == "remind" else None, approved, key if kind in KEY_ACTS else "",
            tuple(kept) if kept is not None else None)


def no_constants(name: str) -> None:
    raise ValueError(t("记录中不能有 {n}", "{n} is not allowed in a record", n=name))


# json.loads' own scanner (C) and its own blanks, made once: json.loads with parse_constant makes a decoder
# per call
_SCAN = json.JSONDecoder(parse_constant=no_constants).scan_once
_BLANK = json.decoder.WHITESPACE.match


def decode_line(raw: bytes) -> object:
    """One line's JSON value, the line read alone; ValueError for anything that is not plain, bounded JSON.

    The one reading of a line, whoever reads it (a view, ``check``, ``import``, ``sync``): a line is a record
    only if it alone is one JSON value, so a record split over two lines, or two on one line, is none.
    """
    if len(raw) > MAX_LINE:
        raise ValueError(t("记录过长({n} 字节)", "record too long ({n} bytes)", n=len(raw)))
    # What json.loads does with bytes, without its layers of Python around the C scanner (a view reads
    # every line that is not a plain mark here): strict UTF-8, blanks, one value, blanks to the end. A BOM,
    # UTF-16 or a NUL fails here; then, as for anything else, json.loads decides and says what is wrong.
    try:
        text = raw.decode("utf-8")
        value, end = _SCAN(text, _BLANK(text).end())
        if end == len(text) or _BLANK(text, end).end() == len(text):
            return value
    except (ValueError, RecursionError, StopIteration):
        pass
    try:
        return json.loads(raw, parse_constant=no_constants)
    except json.JSONDecodeError as e:
        raise ValueError(t("不是有效的 JSON(第 {c} 个字符处)", "not valid JSON (at character {c})", c=e.pos + 1)) from None
    except RecursionError:
        raise ValueError(t("嵌套过深", "nested too deeply")) from None
    except UnicodeDecodeError:
        raise ValueError(t("不是有效的 UTF-8", "not valid UTF-8")) from None
    except ValueError:
        # what else json.loads refuses speaks Python to the user: a number of over 4,300 digits
        raise ValueError(t("不是有效的 JSON(数字过长)", "not valid JSON (a number too long)")) from None



# --- checks on what users type ---------------------------------------------

def clean_text(value: str, what: str, *, limit: int = MAX_NOTE, allow_empty: bool = True) -> str:
    if BAD_TEXT.search(value):
        raise UsageError(t("{w} 含有控制字符或无效编码的字符,请删去", "{w} contains control characters or invalid encoding; remove them",
                           w=what))
    value = value.strip()
    if not value and not allow_empty:
        raise UsageError(t("{w} 不能为空", "{w} must not be empty", w=what))
    if len(value) > limit:
        raise UsageError(t("{w} 过长({n} 字,上限 {m} 字)", "{w} is too long ({n} characters, at most {m})",
                           w=what, n=len(value), m=limit))
    return value
