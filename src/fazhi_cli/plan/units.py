"""Who answers for the plan: its units (and their other spellings), groups of units, the supervising office,
and which unit took over from which. Each reader notes its problems in ``r`` and returns what it could read.
"""

import re
import unicodedata
from typing import Any

from ..errors import PlanError
from ..i18n import t
from .model import UNIT_KINDS, Group, Succession, Supervision, Unit
from .nodes import Nodes


def read_units(r: Nodes, node: Any) -> tuple[dict[str, Unit], dict[str, str] | None]:
    units: dict[str, Unit] = {}
    names: dict[str, str] = {}
    files: dict[str, str] = {}      # a name as Windows and macOS compare file names -> the unit's name
    try:
        items = r.seq(node, "units")
    except PlanError as e:
        r.errors.append(e)
        return units, None
    for item in items:
        with r.entry():
            m = r.mapping(item, t("单位", "a unit"), ("name", "full_name", "kind", "aliases"), ("name", "kind"))
            name = r.field(m, "name", r.text)
            if name is None:
                continue
            aliases = [r.label(a, "aliases") for a in r.field(m, "aliases", r.seq) or []]
            for spelling, where in [(name, m["name"])] + [(a, m["aliases"]) for a in aliases]:
                if spelling in names:
                    r.errors.append(r.fail(where, "单位名称 {n!r} 重复", "unit name {n!r} is defined twice",
                                           n=spelling))
            # known from here on, even when refused below, so that a
            # mistake here is reported once, not again at every part that
            # names the unit
            for spelling in [name, *aliases]:
                names.setdefault(spelling, name)
            r.field(m, "name", r.name)
            # A unit's name is its ledger's file name: two names one case-insensitive, normalising file
            # system takes for one file would share progress/<unit>.jsonl
            folded = unicodedata.normalize("NFC", name).casefold()
            other = files.setdefault(folded, name)
            if other != name:
                r.errors.append(r.fail(m["name"], "单位名称 {n!r} 与 {o!r} 只差大小写或字形:在 Windows 和 macOS 上是同一个进度文件,请改用不同的名称",
                                       "unit name {n!r} differs from {o!r} only in case or form: on Windows and macOS "
                                       "both are one progress file; use distinct names", n=name, o=other))
            kind = r.field(m, "kind", r.text)
            if kind is not None and kind not in UNIT_KINDS:
                r.errors.append(r.fail(m["kind"], "未知的单位类别 {k!r}(可用: {a})",
                                       "unknown unit kind {k!r} (use one of: {a})",
                                       k=kind, a=", ".join(UNIT_KINDS)))
            full = r.field(m, "full_name", r.label) or ""
            if full and full not in names:
                names[full] = name
            units.setdefault(name, Unit(name, kind or "other", full, tuple(aliases)))
    return units, names


def read_groups(r: Nodes, node: Any, names: dict[str, str] | None) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    try:
        items = r.seq(node, "groups")
    except PlanError as e:
        r.errors.append(e)
        return groups
    for item in items:
        with r.entry():
            m = r.mapping(item, t("单位组", "a group"), ("name", "members", "role", "note"), ("name", "members"))
            gname = r.field(m, "name", r.text)
            if gname is None:
                continue
            if gname in groups or (names is not None and gname in names):
                raise r.fail(m["name"], "名称 {n!r} 重复", "the name {n!r} is defined twice", n=gname)
            groups[gname] = Group(gname, ())  # known from here on, whatever is wrong below
            r.field(m, "name", r.name)
            members = []
            listed = r.field(m, "members", r.names)
            for member, mnode in listed or []:
                if names is None:
                    continue
                if member not in names:
                    r.errors.append(r.fail(mnode, "单位组 {g} 的成员 {u!r} 未在 units 中定义{h}",
                                           "group {g}: member {u!r} is not defined under units{h}",
                                           g=gname, u=member, h=r.hint(member, names)))
                    continue
                members.append(names[member])
            if listed == []:
                # A group drafted from a notice ("各镇、街") comes with no
                # members: tracking it would track nobody, so say so.
                r.errors.append(r.fail(
                    m["members"], "单位组 {g} 还没有成员:请在 members 中列出它包含的单位(每个单位先在 units 中定义)",
                    "group {g} has no members yet: list the units it stands for under members "
                    "(define each under units first)", g=gname))
            role = "role" in m and (r.field(m, "role", r.text) or "").lower() == "true"
            note = r.field(m, "note", r.text) or ""
            groups[gname] = Group(gname, tuple(dict.fromkeys(members)), role, note)
    return groups


def read_supervision(r: Nodes, node: Any, names: dict[str, str] | None) -> Supervision:
    """``names`` None: the units could not be read, already reported once; their names are not checked again."""
    m = r.mapping(node, "supervision", ("units", "review_required", "numbering", "fingerprint", "require_signatures"),
                  ("units",))
    units = []
    for name, n in r.names(m["units"], "units"):
        if names is not None and name not in names:
            raise r.fail(n, "supervision 中的 {u!r} 不是已定义的单位{h}", "supervision: {u!r} is not a defined unit{h}",
                         u=name, h=r.hint(name, names))
        units.append(names[name] if names is not None else name)
    required = False
    if "review_required" in m:
        value = r.text(m["review_required"], "review_required").lower()
        if value not in ("true", "false"):
            raise r.fail(m["review_required"], "review_required 应为 true 或 false",
                         "review_required should be true or false")
        required = value == "true"
    numbering = r.text(m["numbering"], "numbering") if "numbering" in m else "督办"
    return Supervision(tuple(dict.fromkeys(units)), required, numbering, _fingerprints(r, m.get("fingerprint")),
                       _from_day(r, m.get("require_signatures")))


def _fingerprints(r: Nodes, node: Any) -> tuple[str, ...]:
    """supervision.fingerprint: the office's key(s) every PC trusts, as `fazhi keys init` prints them."""
    if node is None:
        return ()
    out = []
    for n in (r.seq(node, "fingerprint") if node.id == "sequence" else [node]):
        value = re.sub(r"[\s-]", "", r.text(n, "fingerprint")).lower()
        if not re.fullmatch(r"[0-9a-f]{16}", value, re.ASCII):
            raise r.fail(n, "fingerprint 应为 fazhi keys init 显示的 16 位十六进制指纹（如 a1b2 c3d4 e5f6 0718）",
                         "fingerprint should be the 16 hex digits fazhi keys init shows (like a1b2 c3d4 e5f6 0718)")
        out.append(value)
    return tuple(dict.fromkeys(out))


def _from_day(r: Nodes, node: Any) -> str:
    """supervision.require_signatures: a day (records recorded from then on must be signed), true or false."""
    if node is None:
        return ""
    value = r.text(node, "require_signatures").lower()
    if value in ("true", "false"):
        return "0000-00-00" if value == "true" else ""
    return r.day(node, "require_signatures").isoformat()


def read_successions(r: Nodes, node: Any, names: dict[str, str] | None, meta: dict[str, Any]
                     ) -> tuple[Succession, ...]:
    out: list[Succession] = []
    for item in r.seq(node, "successions"):
        with r.entry():
            m = r.mapping(item, t("职责承继", "a succession"), ("from", "to", "on", "note"), ("from", "to", "on"))
            ends = []
            for key in ("from", "to"):
                name = r.text(m[key], key)
                if names is not None and name not in names:
                    raise r.fail(m[key], "{k} 中的 {u!r} 不是已定义的单位{h}", "{k}: {u!r} is not a defined unit{h}",
                                 k=key, u=name, h=r.hint(name, names))
                ends.append(names[name] if names is not None else name)
            old, new = ends
            on = r.day(m["on"], "on")
            start = meta.get("signed") or meta.get("published")
            if old == new:
                raise r.fail(m["to"], "{u} 不能承继自己的职责", "{u} cannot succeed itself", u=old)
            if start is not None and on < start:
                raise r.fail(m["on"], "承继日期 {d} 早于方案印发日期 {s}", "succession date {d} is before the plan was signed ({s})",
                             d=on, s=start)
            if any(s.old == old for s in out):
                raise r.fail(m["from"], "{u} 的职责已写明由其他单位承继", "{u}'s responsibilities already pass to another unit",
                             u=old)
            chain, cur = {old}, new
            while True:  # A -> B -> ... -> A would leave nobody responsible
                if cur in chain:
                    raise r.fail(m["to"], "职责承继形成循环: {u}", "the successions form a cycle through {u}", u=cur)
                chain.add(cur)
                nxt = next((s for s in out if s.old == cur), None)
                if nxt is None:
                    break
                cur = nxt.new
            out.append(Succession(old, new, on, r.text(m["note"], "note") if "note" in m else ""))
    return tuple(out)
