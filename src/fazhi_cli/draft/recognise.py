"""A notice's text → a Draft: header, sections, tasks, parts, units, duties.

Pure: text in, Draft out; ``today`` only decides the plan's year when the
notice names none.
"""

from __future__ import annotations

import re
from datetime import date

from ..i18n import t as say  # what is said on the terminal: Chinese punctuation
from ..i18n import t_as_written as t
from . import deadlines as dl
from .header import date_line, read_header
from .duties import duties
from .model import MAX_ITEMS, Draft, DraftPart, DraftSection, DraftTask, NoticeError
from .roster import roster
from .structure import RANK, Item, build_items, tables_as_items
from .text import CLAUSE_END, chinese_number, mask_titles, norm, sentence_bounds, short, without_reading_aids
from .subjects import subject_lists
from .units import FIRST_LEADS, UnitList, find_lists


def recognise(text: str, today: date, where: str = "") -> Draft:
    table_rows: list[str] = []
    text = without_reading_aids(text)
    lines = [ln.strip() for ln in tables_as_items(text.split("\n"), table_rows)]
    lines = [ln for ln in lines if ln]
    if not lines:
        raise NoticeError(say("{w}: 文件没有文字内容", "{w}: the file holds no text", w=where))
    items = build_items(lines)
    if len(items) > MAX_ITEMS:
        raise NoticeError(say("{w}: 有 {n} 个编号条目,不像一份通知(最多 {m} 个)", "{w}: {n} numbered items do not look "
                            "like a notice (at most {m})", w=where, n=len(items), m=MAX_ITEMS))
    finder = find_lists
    lists = {id(i): finder(norm(i.own_text())) for i in items}
    if not any(lists.values()):
        # no item carries a labelled or bracketed list: the units may be the subjects of the items' sentences
        # (各县(市、区)务必于6月30日前…), read only then, so that no notice with lists drafts differently
        finder = subject_lists
        if not any(finder(norm(i.own_text())) for i in items):
            # a page that ran the items into one paragraph (……如下。 一、各地自查 ……): one item a line
            split = [p for ln in lines for p in re.split(r"(?<=[。:：])\s+(?=[一二三四五六七八九十]{1,3}、)", ln)]
            if len(split) > len(lines):
                lines = split
                items = build_items(lines)
        lists = {id(i): finder(norm(i.own_text())) for i in items}
    scores: dict[str, int] = {}
    for item in items:
        scores[item.level] = scores.get(item.level, 0) + bool(lists[id(item)])
    if not scores or max(scores.values()) == 0:
        raise NoticeError(say("{w}: 没有找到任务:没有一个编号条目写明牵头单位或责任单位(如“(牵头单位:…)”“责任单位:…”)",
                            "{w}: no tasks found: no numbered item names its lead or responsible units "
                            "(such as “(牵头单位:…)” or “责任单位:…”)", w=where))
    task_level = max(scores, key=lambda lv: (scores[lv], RANK[lv]))
    header = read_header(lines, items[0].line if items else len(lines))
    year, year_source = _plan_year(header, today)

    d = Draft(title=header.title, number=header.number, issuer=header.issuer, signed=header.signed,
              published=header.published, addressees=header.addressees, notes=dict(header.notes),
              year=year, year_source=year_source)

    # tasks: the items at the task level that name units (or whose section does)
    task_items: list[tuple[Item, list[str], list[UnitList], str]] = []
    for item in items:
        if item.level != task_level:
            continue
        full = item.full_lines()
        found = finder(norm("\n".join(full)))
        note = ""
        if not found:
            holder = item.parent
            while holder is not None and not lists[id(holder)]:
                holder = holder.parent
            if holder is None:
                d.skipped.append(f"{item.path()} {short(item.lines[0], 40)}")
                continue
            note = t("本条未写单位:沿用上级条目 {p} 的单位", "no units here: those of {p} above are used", p=holder.path())
            # the holder's list, re-found in the holder's own text, closes this item's whole text
            text = "\n".join(full)
            inherited = finder(norm(holder.own_text()))[-1]
            found = [UnitList(len(text), len(text), lead=[], support=[], note=note, shape="inherited")]
            found[0].lead = [(a, b) for a, b in inherited.lead]
            found[0].support = [(a, b) for a, b in inherited.support]
            found[0].deadline = inherited.deadline
            task_items.append((item, full, found, holder.own_text()))
            continue
        task_items.append((item, full, found, ""))
    if not task_items:
        raise NoticeError(say("{w}: 没有找到任务", "{w}: no tasks found", w=where))

    section_of = _sections_of(d, [ti[0] for ti in task_items])
    # the notice's own numbering is kept (tasks 5, 7, 18 stay 5, 7, 18); only numbering that restarts is renumbered
    numbers = [ti[0].value for ti in task_items]
    renumber = len(set(numbers)) != len(numbers)

    first_task_line = task_items[0][0].line
    # the signature and any date alone on its line are never the plan's deadline
    preamble = [ln for i, ln in enumerate(lines[:first_task_line])
                if (i > header.signed_line or header.signed_line > first_task_line) and date_line(ln) is None]
    _target(d, "\n".join(preamble), year)
    if _annual(d.title, year) and d.target != date(year, 12, 31):
        d.target = date(year, 12, 31)
        d.target_source = ""
        d.notes["target"] = t("年度方案:到 {y} 年12月31日为止", "a plan for one year: it ends on 31 December {y}", y=year)

    found_rule = FIRST_LEADS.search(norm("\n".join(lines[:first_task_line])))
    first_leads = found_rule[0] if found_rule else ""
    lead_rule, rule_leads = "", []
    for _, full, found, holder_text in task_items:
        for ul in found:
            if ul.lead_rule:       # 以下均需X落实,不再列出: X carries out this list's item (if none is named) and every later one
                lead_rule = ul.lead_rule
                rule_leads = _names(holder_text if ul.shape == "inherited" else "\n".join(full), ul.rule_lead)
            if lead_rule and not ul.lead and not ul.named_lead:
                ul.named_lead = list(rule_leads)
                ul.note = t("按通知“{r}”:由 {x} 负责(牵头),所列单位配合", "by the notice's rule “{r}”: {x} carries it "
                            "out (leads), the units named support", r=lead_rule, x="、".join(rule_leads))
            # the rule is stated once in the preamble, or in the first list with 下同 (for this list only without it)
            rule = ul.rule or first_leads
            if ul.rule and "下同" in ul.rule:
                first_leads = ul.rule
            if rule and ul.own and len(ul.lead) > 1:
                # 各项任务中列第一位的为牵头单位: the rule applies to every list that marks no lead
                ul.support = ul.lead[1:] + ul.support
                ul.lead = ul.lead[:1]
                ul.note = t("按通知“{r}”:第一个单位牵头,其余配合", "by the notice's rule “{r}”: the first unit leads, the "
                            "others support", r=rule)
    for n, (item, full, found, holder_text) in enumerate(task_items, 1):
        tid = str(n) if renumber else str(item.value)
        with_lists = [c for c in item.children if any(lists[id(x)] for x in _subtree(c))]
        if not renumber and not lists[id(item)] and len(with_lists) == 1 and not holder_text:
            tid = f"{item.value}.{with_lists[0].value}"     # 17(2): only that sub-item is assigned, and keeps its number
        task = _task(d, item, tid, section_of[id(item)], full, found, holder_text, year)
        if renumber:
            task.note = t("原文编号 {p}", "numbered {p} in the notice", p=item.path())
        d.tasks.append(task)

    # recurring duties: in the tasks' parts, and in the text outside the tasks
    task_lines: set[int] = set()
    for item, *_ in task_items:
        task_lines.update(range(item.line, item.line + len(item.full_lines())))
    outside = [ln for i, ln in enumerate(lines) if i not in task_lines and i > max(header.signed_line, 0)
               and i > first_task_line]
    # a table whose numbered rows were not all read as tasks: the summary says so, a wrong plan is never silent
    row_lines = {re.sub(r"^\d+\.", "", ln.strip()).strip() for ln in table_rows}   # an item's lines lose the number
    d.table_rows = len(table_rows)
    d.table_rows_left = len(table_rows) - sum(1 for item, *_ in task_items if item.lines[0].strip() in row_lines)
    duties(d, "\n".join(outside), year, where)
    roster(d)
    return d




def _plan_year(header, today: date) -> tuple[int, str]:
    """The plan's year and a comment saying where it comes from; today's year only when nothing says, and then said."""
    m = re.search(r"((?:19|20)\d{2})\s*年", norm(header.title))
    if m:
        return int(m[1]), t("方案年度 {y} 取自标题", "the plan's year, {y}, is the title's", y=m[1])
    m = re.search(r"[〔\[【(]\s*((?:19|20)\d{2})\s*[〕\]】)]", norm(header.number))
    if m:
        return int(m[1]), t("方案年度 {y} 取自文号 {n}", "the plan's year, {y}, is that of its number {n}", y=m[1],
                            n=header.number)
    if header.signed is not None:
        return header.signed.year, t("方案年度 {y} 取自落款日期", "the plan's year, {y}, is that of its signature date",
                                     y=header.signed.year)
    if header.published is not None:
        return header.published.year, t("方案年度 {y} 取自网页的发布时间", "the plan's year, {y}, is that of the page's "
                                        "publication date", y=header.published.year)
    return today.year, t("通知中没有找到年份(标题、文号、落款、发布时间都没有):暂取今年 {y},请核对",
                         "no year in the notice (title, number, signature, publication date): this year, {y}, is "
                         "taken for now; please confirm", y=today.year)


def _subtree(item: Item) -> list[Item]:
    out = [item]
    for child in item.children:
        out += _subtree(child)
    return out


def _annual(title: str, year: int) -> bool:
    """A plan for one year (2024年度…工作要点, 2023年重点工作任务分工方案): it ends on 31 December."""
    n = norm(title)
    years = re.findall(r"(?:19|20)\d{2}", n)
    return bool(years) and set(years) == {str(year)} and not re.search(r"\d{4}\s*[-—–~至到]", n)


def _sections_of(d: Draft, tasks: list[Item]) -> dict[int, str]:
    """The sections: the items right above the tasks (一、 over (一), (一) over 1.)."""
    seen: dict[int, DraftSection] = {}
    ids: set[str] = set()
    # tasks under headings of two levels (some under 一、, others under 二、's (一)): the lower headings are
    # named with the ones above them (二、(一)), so that 四、 later on is not taken for an earlier (四)
    mixed = len({p.level for p in (i.parent for i in tasks) if p is not None}) > 1
    for item in tasks:
        parent = item.parent
        key = id(parent) if parent is not None else 0
        if key in seen:
            continue
        if parent is None:
            sec = DraftSection("一", t("(未分章节)", "(no sections)"),
                               t("原文任务不在任何章节之下:请填写章节名称", "the notice puts these tasks under no heading: name it"))
        else:
            sid = parent.label if parent.level in ("A", "B") else str(parent.value)
            if sid in ids or (mixed and parent.parent is not None):
                sid = parent.path().rstrip(".、")
            n = 2
            while sid in ids:     # the same heading twice: still one id each
                sid, n = f"{sid.rsplit('-', 1)[0] if n > 2 else sid}-{n}", n + 1
            heading = parent.lines[0]
            cut = re.search(r"[。]", norm(heading))
            if cut and cut.end() < len(heading):   # "(一)加强领导。我区……": the heading is the first sentence
                heading = heading[:cut.end()]
            sec = DraftSection(sid, heading.strip())
        ids.add(sec.id)
        seen[key] = sec
        d.sections.append(sec)
    return {id(item): seen[id(item.parent) if item.parent is not None else 0].id for item in tasks}


def _target(d: Draft, preamble: str, year: int) -> None:
    found = dl.one_off(mask_titles(norm(preamble)), year)
    if found:
        best = max(found, key=lambda f: f.day)
        a, _ = sentence_bounds(norm(preamble), best.start, best.end, stops=CLAUSE_END)
        _, b = sentence_bounds(norm(preamble), best.start, best.end)
        d.target = best.day
        d.target_source = short(preamble[a:b], 80)
        d.notes["target"] = best.note or t("取自通知的总体目标", "from the notice's overall aim")
        return
    d.target = date(year, 12, 31)
    d.target_source = ""
    d.notes["target"] = t("通知未写总体期限:取方案年度 {y} 年12月31日,请核对",
                          "the notice gives no overall deadline: 31 December of the plan's year, {y}; please confirm", y=year)


def _task(d: Draft, item: Item, tid: str, section: str, full: list[str], found: list[UnitList], holder_text: str,
          year: int) -> DraftTask:
    text = "\n".join(full)
    ntext = norm(text)
    masked = mask_titles(ntext)
    parts: list[DraftPart] = []
    cursor = 0
    last_end = 0
    for ul in found:
        src = holder_text if ul.shape == "inherited" else text
        lead = _names(src, ul.lead) + [u for u in ul.named_lead if u not in _names(src, ul.lead)]
        support = [u for u in _names(src, ul.support) if u not in lead]
        start = cursor
        while start < ul.start and ntext[start] in " \n。;,,":
            start += 1
        body = text[start:ul.start].strip()
        cursor = ul.end
        last_end = ul.end if ul.shape != "inherited" else len(text)
        if not body.strip(" 。;,") and parts:
            # a list right after another (牵头单位:… then 配合单位:…): the same part
            parts[-1].lead += [u for u in lead if u not in parts[-1].lead]
            parts[-1].support += [u for u in support if u not in parts[-1].support + parts[-1].lead]
            if ul.deadline is not None and not parts[-1].due_source:     # (牵头单位:…)完成时限:…
                _part_deadline(parts[-1], text, masked, ul.start, ul, src, year, d.signed)
            continue
        note = ul.note
        if re.match(r"推广范围:", ul.note):
            # a territory in a rollout table's 推广范围 (see structure.py): its lead is a reading of the drafter's
            note = t("原文“{s}”未写单位:按通知主送的 {x} 读作牵头,请核对",
                     "the notice's “{s}” names no body: {x}, whom the notice is addressed to, is read as the lead; "
                     "confirm", s=ul.note.strip(), x="、".join(lead))
        part = DraftPart(f"{tid}.{len(parts) + 1}", one_line(body), lead, support, d.target, d.target_source,
                         role_note=note)
        part.people = "、".join(ul.people)
        if not lead:
            # a draft works before anyone edits it: those named answer for the part until a person says who leads
            part.lead, part.support = part.support, []
            part.role_note = t("原文只写了配合或指导单位,暂作牵头单位:请核对由谁落实",
                               "the notice names only units that support or guide: they lead for now; say who "
                               "carries it out")
        _part_deadline(part, text, masked, start, ul, src, year, d.signed)
        parts.append(part)
    # a short bracket inside the first words (跨市(区)审理) is part of the title; a longer one (a unit list) ends it
    title_m = re.search(r"[,。;:]|\((?![^()]{1,6}\))", norm(full[0]))
    title = full[0][:title_m.start()] if title_m and title_m.start() > 0 else full[0]
    kept = text
    note = ""
    if text[last_end:].strip(" \n。;,,.") and found[-1].shape != "inherited":
        kept = text[:last_end].rstrip()   # e.g. a page footer after the last task
        note = t("最后一个单位列表之后的文字不属于任何分项:{x}", "the words after the last unit list are in no part: {x}",
                 x=short(text[last_end:], 30))
    return DraftTask(tid, section, title.strip(), one_line(kept), parts, note)


def one_line(text: str) -> str:
    """A text of several lines as one: a plan's text is printed on one line (a kept line break showed as \\x0a)."""
    return re.sub(r"\s*\n\s*", lambda m: "" if m.start() == 0 or text[m.start() - 1] in "。;;,,::!?!?)” " else " ",
                  text.strip())


def _names(text: str, spans: list[tuple[int, int]]) -> list[str]:
    out: dict[str, None] = {}      # a dict keeps the order and tests membership in O(1): a list may hold 10⁴ names
    for a, b in spans:
        name = text[a:b].strip()
        if name:
            out.setdefault(name)
    return list(out)


def _part_deadline(part: DraftPart, text: str, masked: str, start: int, ul: UnitList, src: str, year: int,
                   signed: date | None = None) -> None:
    """The part's due date: a 完成时限 line, else a date in its words, else the plan's target."""
    if ul.deadline is not None:
        a, b = ul.deadline
        words = src[a:b].strip().rstrip("。.;；,，").strip()
        found = dl.one_off(norm(words), year)
        if found:
            part.due = max(f.day for f in found)
            part.due_source = words
            part.due_note = found[-1].note
            return
        if dl.WHOLE_YEAR.match(norm(words).strip(" 。")):
            part.due = date(year, 12, 31)
            part.due_source = words
            part.due_note = t("“{w}”取方案年度 {y} 年12月31日", "“{w}” is taken as 31 December of the plan's year, {y}",
                              w=words, y=year)
            return
        if dl.ongoing(norm(words)):
            _ongoing(part, words)
            return
    segment = masked[start:ul.start]
    raw = text[start:ul.start]
    if ul.deadline is not None and dl.WORKING_DAYS.search(norm(src[ul.deadline[0]:ul.deadline[1]])):
        raw = src[ul.deadline[0]:ul.deadline[1]]
        segment = norm(raw)
    wd = dl.WORKING_DAYS.search(segment)
    if wd and signed is not None:
        n = int(wd[1]) if wd[1].isdigit() else chinese_number(wd[1]) or 0
        day, note = dl.working_days(signed, n)
        a, b = sentence_bounds(segment, wd.start(), wd.end(), stops=CLAUSE_END)
        part.due_source = short(raw[a:b], 80)
        part.due_note = note + t(";起算日取印发日期(落款),请核对", "; counted from the day signed; please confirm")
        if day is not None:
            part.due = day
        return
    found = dl.one_off(segment, year)
    if found:
        best = max(found, key=lambda f: f.day)
        a, _ = sentence_bounds(segment, best.start, best.end, stops=CLAUSE_END)
        _, b = sentence_bounds(segment, best.start, best.end)
        part.due = best.day
        part.due_source = short(text[start + a:start + b], 80)
        notes = [best.note] if best.note else []
        if len(found) > 1:
            notes.append(t("文中还有其他期限,取最晚的", "other dates in the text: the latest is taken"))
        part.due_note = ";".join(notes)
        return
    # 加强信用监管。持续推进。: a short sentence of its own saying only that the work goes on
    for clause in re.split(r"[。;\n]", text[start:ul.start]):
        clause = clause.strip(" ,")
        if 2 <= len(clause) <= 6 and dl.ONGOING.match(norm(clause)):
            _ongoing(part, clause)
            return
    part.due_note = (t("定期事项见 recurring;本分项取方案总体期限", "its recurring duty is under recurring; the part takes "
                       "the plan's overall deadline") if dl.recurring(segment) else
                     t("原文未写期限:取方案总体期限", "no deadline in the notice: the plan's overall deadline"))


def _ongoing(part: DraftPart, words: str) -> None:
    part.ongoing = True
    part.due_source = words
    part.due_note = t("长期:原文“{w}”,没有完成期限,不计逾期;如有具体期限请改写为日期",
                      "长期 (ongoing): the notice says “{w}”, no deadline, never overdue; write a date instead if "
                      "there is one", w=words)
