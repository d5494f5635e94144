"""The commands that write a unit's own records: mark, attach, undo, import and sync."""

import sys
from pathlib import Path
from typing import Annotated, Literal, Optional

import typer

from ..i18n import t
from .app import command
from .common import data_root, emit, open_plan, own_unit
from .options import STATES, ByOption, DataDirOption, EvidenceOption, NoteOption, PlanOption, RefOption, UnitOption, \
    complete_target, dry_run_option, on_option, target_argument


@command(help=t('记录本单位的进度。\n\n示例: fazhi mark 7 --unit 区法制办 --on 2017-11-30 --evidence 番府办〔2017〕12号',
                "Record a unit's progress.\n\nExample: fazhi mark 7 --unit 区法制办 --on 2017-11-30 --evidence 番府办〔2017〕12号"))
def mark(
    target: Annotated[str, target_argument(autocompletion=complete_target)],
    unit: UnitOption = None,
    state: Annotated[Literal[tuple(STATES)], typer.Option("--state",  # type: ignore[valid-type]
                                       metavar=t("已完成|进行中|未开始", "done|doing|todo"),
                                       help=t("状态:已完成(done,默认)、进行中(doing)或未开始(todo)。",
                                              "State: done (the default), doing or todo."))] = "done",
    on: Annotated[Optional[str], on_option(t("达到该状态的日期(默认今天)。", "Day the work reached the state (default today)."))] = None,
    note: NoteOption = None,
    evidence: EvidenceOption = None,
    ref: RefOption = None,
    by: ByOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from .. import record, render  # noqa: PLC0415

    plan = open_plan(plan_file)
    done = record.mark(plan, data_root(data_dir), target=target, unit=own_unit(plan, unit), state=STATES[state],
                       on=on, note=note, evidence=evidence or [], by=by, refs=ref or [])
    emit(render.marked_lines(done.events), "plain")
    _notes(done.notes)


@command(help=t('为已记录的进度补充证明材料或备注,不改变状态和完成日期。\n\n示例: fazhi attach 19.1 --unit 区法制办 --evidence 番府办〔2017〕12号',
                "Add evidence or a note to what is recorded, without changing its state or date.\n\n"
                "Example: fazhi attach 19.1 --unit 区法制办 --evidence 番府办〔2017〕12号"))
def attach(
    target: Annotated[str, target_argument()],
    unit: UnitOption = None,
    evidence: EvidenceOption = None,
    ref: RefOption = None,
    note: NoteOption = None,
    by: ByOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from .. import record, render  # noqa: PLC0415

    plan = open_plan(plan_file)
    done = record.attach(plan, data_root(data_dir), target=target, unit=own_unit(plan, unit), note=note,
                         evidence=evidence or [], by=by, refs=ref or [])
    emit(render.attached_lines(done.events), "plain")
    _notes(done.notes)


def _notes(lines: list[str]) -> None:
    from ..render import safe  # noqa: PLC0415

    for line in lines:
        sys.stderr.write(safe(line) + "\n")


@command(help=t('撤销本单位最近一次命令记下的全部记录(追加撤销记录,原记录保留)。\n\n示例: fazhi undo --unit 区法制办',
                "Revoke everything the unit's latest command recorded (revoking records are added; nothing is deleted)."
                "\n\nExample: fazhi undo --unit 区法制办"))
def undo(
    unit: UnitOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from .. import record, render  # noqa: PLC0415

    plan = open_plan(plan_file)
    emit(render.revoked_lines(record.undo(plan, data_root(data_dir), own_unit(plan, unit)).revoked), "plain")


@command("import", help=t('合并收到的进度文件(邮件或其他电脑拷来的 .jsonl),重复的记录只保留一份。\n\n示例: fazhi import 区编办.jsonl',
                          'Merge progress files received by mail or copied from another PC; repeated records are kept '
                          'once.\n\nExample: fazhi import 区编办.jsonl'))
def import_(
    files: Annotated[list[Path], typer.Argument(metavar=t("文件或文件夹...", "FILE_OR_FOLDER..."), help=t(
        "收到的进度文件(<单位>.jsonl),或对方的数据文件夹(其中的证明材料一并导入)。",
        "Progress files received (<unit>.jsonl), or another PC's data folder (its evidence comes along)."))],
    dry_run: Annotated[bool, dry_run_option(t("只列出将新增的记录,不写入。", "List what would be added; write nothing."))] = False,
    any_unit: Annotated[bool, typer.Option("--any-unit", help=t(
        "允许文件中含有其他单位的记录(默认拒绝:一个单位的文件只能带来该单位自己的记录)。",
        "Accept records of units other than the file's own (refused by default)."))] = False,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from .. import record  # noqa: PLC0415
    from ..render import safe  # noqa: PLC0415

    plan = open_plan(plan_file)
    lines, _ = record.import_files(plan, data_root(data_dir), files, dry_run=dry_run, any_unit=any_unit)
    typer.echo("\n".join(safe(x) for x in lines))


@command(help=t("与远端(共享盘上的仓库或 git 服务器)同步进度记录:发出本机的新记录,收到其他电脑的记录。"
                "第一次写远端,以后只需 fazhi sync。\n\n示例: fazhi sync \\\\server\\share\\fazhi.git",
                "Sync the record with the remote (a repository on a shared drive, or a git server): send this PC's new "
                "records and receive the others'. Give the remote the first time; afterwards fazhi sync is enough."
                "\n\nExample: fazhi sync \\\\server\\share\\fazhi.git"))
def sync(
    remote: Annotated[Optional[str], typer.Argument(metavar=t("远端", "REMOTE"), show_default=False, help=t(
        "共享盘上的仓库路径、http(s):// 或 ssh:// 地址;第一次之后可省略(已记在数据文件夹中,不含密码)。",
        "A repository path on a shared drive, or an http(s):// or ssh:// address; remembered after the first time "
        "(without any password)."))] = None,
    init_remote: Annotated[Optional[str], typer.Option("--init-remote", metavar=t("路径", "PATH"), show_default=False, help=t(
        "在共享盘上新建一个空的同步仓库作为远端,并完成第一次同步。", "Create an empty repository on a shared drive as "
        "the remote, and sync with it the first time."))] = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from ..render import safe  # noqa: PLC0415
    from ..sync.run import sync as run_sync  # noqa: PLC0415

    plan = open_plan(plan_file)
    done = run_sync(plan, data_root(data_dir), remote, init_remote=init_remote)
    typer.echo("\n".join(safe(x) for x in done.lines))
    _notes(done.notes)
