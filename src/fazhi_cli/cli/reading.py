"""The commands that read: status, due, log, show, units and check."""

import os
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import UsageError
from ..i18n import t
from .app import command
from .common import as_of_day, data_root, destination, emit, known_moment, note_problems, open_ledger, open_plan, \
    today_iso, view_unit
from .options import AllUnitsOption, AsOfOption, DataDirOption, ExportOption, FormatOption, KnownAtOption, \
    LightOption, OutputOption, PlanOption, UnitOption, ViewFormatOption, WarnOption, complete_section, complete_task, \
    format_of, light_of, task_option, unit_option, within_option, year_option

EXIT_OVERDUE = 3


@command(help=t('总览:各任务的状态与红黄绿灯。\n\n示例: fazhi status --as-of 2017-12-01 --light red',
                "Overview: every task's state and light.\n\nExample: fazhi status --as-of 2017-12-01 --light red"))
def status(
    as_of: AsOfOption = None,
    unit: Annotated[Optional[str], unit_option(t("只看这个单位负责的分项和年度事项,按本单位自己的进度亮灯。",
                                                 "Only what this unit holds, lit by its own progress."))] = None,
    task: Annotated[Optional[str], task_option(t("只看一个任务及各单位状态;年度事项(如 plan-2017)看报送情况。",
                                                 "One task and every unit's state in it; a yearly duty "
                                                 "(e.g. plan-2017) shows who submitted it."))] = None,
    section: Annotated[Optional[str], typer.Option("--section", "-s", metavar=t("章节", "N"), autocompletion=complete_section,
                                                   help=t("只看一个章节(一…八 或 1…8)。", "One section (一…八 or 1…8)."))] = None,
    light: LightOption = None,
    duties: Annotated[bool, typer.Option("--duties", help=t("列出年度事项及各单位报送情况。",
                                                             "List the yearly duties and who submitted them."))] = False,
    by_part: Annotated[bool, typer.Option("--parts", help=t("每个分项一行(含尚欠单位),而不是每个任务一行。",
                                                             "One row per part (with the units still owing) instead "
                                                             "of one per task."))] = False,
    warn_days: WarnOption = None,
    known_at: KnownAtOption = None,
    fmt: ViewFormatOption = "table",
    output: OutputOption = None,
    export: ExportOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from .. import progress, render  # noqa: PLC0415

    if sum(map(bool, (unit, task, duties))) > 1:
        raise UsageError(t("--unit、--task 与 --duties 不能同时使用", "--unit, --task and --duties cannot be used together"))
    fmt, light = format_of(fmt), light_of(light)
    plan = open_plan(plan_file)
    dest = destination(fmt, output, export, plan, data_dir)
    fmt = getattr(dest, "value", dest)        # the format the view is computed in
    day = as_of_day(as_of)
    who = plan.resolve_unit(unit) if unit else None
    # a unit's view is decided by the records of the units it shares parts and duties with,
    # and by the supervising office's acts (reviews, extensions, waivers, closing)
    units = _readers(plan, progress.sharing(plan, who)) if who else None
    st, got = _status(plan, data_dir, units, day, warn_days, known_at)
    chosen_section = plan.section_id(section) if section else None
    tasks = [ts for ts in st.tasks if chosen_section is None or ts.task.section == chosen_section]
    if task and task.strip() in plan.obligations:
        emit(render.duty_detail_view(plan, st, next(d for d in st.duties if d.duty.id == task.strip()), fmt), dest)
    elif task:
        chosen = plan.task_of(task)
        emit(render.task_detail_view(plan, st, next(ts for ts in st.tasks if ts.task is chosen), fmt), dest)
    elif duties:
        emit(render.duties_view(plan, st, fmt, light), dest)
    elif who:
        emit(render.unit_view(plan, st, who, tasks, fmt, light), dest)
    else:
        synced = _sync_lines(plan, data_dir, got.last) if fmt in ("table", "plain", "markdown") else ()
        emit(render.status_view(plan, st, tasks, fmt, light, by_part, synced), dest)


def _status(plan: Any, data_dir: Path | None, units: Any, day: Any, warn_days: int | None,
            known_at: str | None) -> Any:
    """The Status that `status` and `due` show, and the standing it came from (by the snapshot when it stands, else
    by reading every record)."""
    from .. import progress  # noqa: PLC0415
    from ..snapshot import standing  # noqa: PLC0415

    known = known_moment(known_at)
    got = standing(data_root(data_dir), plan, today=today_iso(), as_of=day, known_at=known, units=units)
    note_problems(got.problems)
    return progress.status_of(plan, got.pairs, got.acts, day, warn_days, known), got


def _readers(plan: Any, units: set[str]) -> set[str]:
    """The ledger files a view of these units reads: theirs, and the supervising office's."""
    return set(units) | set(plan.supervision.units)


def _sync_lines(plan: Any, data_dir: Path | None, last: dict[str, str]) -> Any:
    """When the folder syncs: when it last did, and whose files have not changed for long (never in JSON or CSV,
    which stay the same on every PC)."""
    root = data_root(data_dir)
    if not os.path.lexists(root / ".sync"):     # sync.SYNC_DIR; the usual case costs one stat, and no import
        return ()
    from ..sync import read_state, status_lines  # noqa: PLC0415

    state = read_state(root)
    if state is None:
        return ()
    from ..dates import now  # noqa: PLC0415

    return status_lines(state, last, plan, now())


@command(help=t('即将到期与已逾期的事项,最近的在前。\n\n示例: fazhi due --as-of 2016-11-15 --within 60',
                'What falls due and what is late, soonest first.\n\nExample: fazhi due --as-of 2016-11-15 --within 60'))
def due(
    as_of: AsOfOption = None,
    within: Annotated[int, within_option(36600, t("列出今后多少天内到期的事项。",
                                                  "List what falls due within this many days."))] = 30,
    unit: UnitOption = None,
    all_units: AllUnitsOption = False,
    everything: Annotated[bool, typer.Option("--all", help=t("列出方案的全部期限(含已完成的)。",
                                                             "List every deadline of the plan, done ones included."))] = False,
    check: Annotated[bool, typer.Option("--check", help=t("有红灯时以状态码 3 退出(供定时任务使用)。",
                                                          "Exit with status 3 when anything is red."))] = False,
    warn_days: WarnOption = None,
    known_at: KnownAtOption = None,
    fmt: ViewFormatOption = "table",
    output: OutputOption = None,
    export: ExportOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from .. import progress, render  # noqa: PLC0415

    fmt = format_of(fmt)
    plan = open_plan(plan_file)
    dest = destination(fmt, output, export, plan, data_dir)
    fmt = getattr(dest, "value", dest)        # the format the view is computed in
    day = as_of_day(as_of)
    who = view_unit(plan, unit, all_units)
    # a unit's due list is lit by its own records, those of the units it shares items with (an
    # item done as a whole is no longer owed) and the supervising office's acts
    units = _readers(plan, progress.sharing(plan, who)) if who else None
    st = _status(plan, data_dir, units, day, warn_days, known_at)[0]
    items = progress.due_items(st, within=within, unit=who, everything=everything)
    emit(render.due_view(plan, items, day, fmt, st.known_at, everything, who), dest)
    if check and st.closed:
        sys.stderr.write(t("注意: 方案已于 {d} 结束,不再检查逾期事项\n", "note: the plan was closed on {d}; overdue items are no "
                           "longer checked\n", d=st.closed))
    elif check and any(i.light == "red" for i in items):
        raise typer.Exit(EXIT_OVERDUE)


@command(help=t('记录历史,最新的在前。\n\n示例: fazhi log --unit 区法制办 --since 2017-01-01',
                'The history of records, newest first.\n\nExample: fazhi log --unit 区法制办 --since 2017-01-01'))
def log(
    unit: UnitOption = None,
    task: Annotated[Optional[str], task_option(t("只看一个任务。", "One task only."))] = None,
    since: Annotated[Optional[str], typer.Option("--since", metavar=t("日期", "DATE"),
                                                 help=t("只看此日以后记录的。", "Only records made on or after this day."))] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", "-n", min=1, help=t("最多显示几条。", "At most this many."))] = None,
    all_units: AllUnitsOption = False,
    known_at: KnownAtOption = None,
    fmt: FormatOption = "table",
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from .. import render  # noqa: PLC0415
    from ..dates import parse_date  # noqa: PLC0415
    from ..progress.history import history  # noqa: PLC0415

    fmt = format_of(fmt)
    plan = open_plan(plan_file)
    who = view_unit(plan, unit, all_units)
    which = (task.strip() if task.strip() in plan.obligations else plan.task_of(task).id) if task else None
    day = parse_date(since, "--since") if since is not None else None
    events = history(plan, open_ledger(plan, data_dir, _readers(plan, {who}) if who else None).events, unit=who,
                     task=which, since=day, known_at=known_moment(known_at))
    emit(render.log_view(events[:limit] if limit else events, fmt), fmt)


@command(help=t('任务全文、分项、牵头与配合单位、期限。\n\n示例: fazhi show 7 --format json',
                "A task's full text, parts, units and deadlines.\n\nExample: fazhi show 7 --format json"))
def show(
    task: Annotated[str, typer.Argument(metavar=t("任务", "TASK"), autocompletion=complete_task, help=t(
        "任务编号(如 7)、分项(7.1)或年度事项(如 plan-2017)。", "A task (7), a part (7.1) or a yearly duty (plan-2017)."))],
    fmt: FormatOption = "table",
    plan_file: PlanOption = None,
) -> None:
    from .. import render  # noqa: PLC0415

    fmt = format_of(fmt)
    plan = open_plan(plan_file)
    ref = task.strip()
    if ref in plan.obligations:
        emit(render.duty_show_view(plan, plan.obligations[ref], fmt), fmt)
        return
    chosen = plan.parts[ref].task if ref in plan.parts else ref
    emit(render.show_view(plan, plan.task_of(chosen), fmt), fmt)


@command(help=t('单位、单位组,以及各单位牵头和配合的分项数;--record 为各单位落实情况。\n\n示例: fazhi units --record --year 2017',
                'Units, groups, and how many parts each unit leads and supports; --record: how each unit has done.'
                '\n\nExample: fazhi units --record --year 2017'))
def units(
    record_: Annotated[bool, typer.Option("--record", help=t(
        "各单位落实情况(月度督办表):牵头分项的完成、逾期、待审核、退回,年度事项按时、逾期、未报;最差的在前。",
        "The units' record (the monthly supervision table): parts led done, late, overdue, awaiting review, returned; "
        "yearly duties on time, late, missing; worst first."))] = False,
    year: Annotated[Optional[int], year_option(1949, 2200, t("只看这一年的年度事项和到期分项(配合 --record)。",
                                                             "Only that year's duties and parts due (with --record)."))] = None,
    as_of: AsOfOption = None,
    known_at: KnownAtOption = None,
    fmt: FormatOption = "table",
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from .. import render  # noqa: PLC0415

    fmt = format_of(fmt)
    plan = open_plan(plan_file)
    if not record_:
        if year is not None or as_of is not None:
            raise UsageError(t("--year 和 --as-of 需配合 --record 使用", "--year and --as-of go with --record"))
        emit(render.units_view(plan, fmt), fmt)
        return
    from ..progress.supervision import units_record  # noqa: PLC0415
    from ..render.supervision import record_view  # noqa: PLC0415

    # the same standing as `status` (by the snapshot when it stands)
    st = _status(plan, data_dir, None, as_of_day(as_of), None, known_at)[0]
    emit(record_view(plan, st, units_record(plan, st, year), fmt, year), fmt)


@command(help=t('检查方案文件与进度记录;有问题时逐条列出并以状态码 1 退出。\n\n示例: fazhi check --plan 其他区方案.yaml',
                'Validate the plan and the progress files; list every problem and exit 1 if any.\n\n'
                'Example: fazhi check --plan other.yaml'))
def check(
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from .. import cache, record  # noqa: PLC0415
    from ..errors import PlanError, PlanProblems  # noqa: PLC0415
    from ..ledger import read_ledger  # noqa: PLC0415
    from ..render import safe  # noqa: PLC0415

    note = cache.folder_note()
    if note:
        sys.stderr.write(t("注意: ", "note: ") + safe(note) + "\n")
    try:
        plan = open_plan(plan_file, fresh=True)  # the file itself, never the cache
    except PlanProblems as e:  # every mistake, one a line, then a count (not the first one again)
        typer.echo("\n".join(safe(p) for p in e.problems))
        raise PlanError(t("方案文件有 {n} 个问题,已逐条列出如上;改正后再运行 fazhi check",
                          "the plan file has {n} problem(s), listed above; fix them and run fazhi check again",
                          n=len(e.problems))) from None

    root = data_root(data_dir)
    report, problems = record.check(plan, read_ledger(root, plan, today=today_iso()), root)
    typer.echo("\n".join(safe(x) for x in report))
    if problems:
        raise typer.Exit(1)
