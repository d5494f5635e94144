"""`fazhi keys`: this PC's keys (init, show) and the office's keyring (add, revoke). README "Signatures"."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..i18n import t
from .app import app
from .common import acting_unit, data_root, emit, open_plan, own_unit
from .options import AsOption, ByOption, DataDirOption, PlanOption, UnitOption

keys_app = typer.Typer(
    name="keys", no_args_is_help=True, rich_markup_mode=None,
    help=t("签名密钥:本机的密钥(init、show)和督办单位登记的密钥(add、revoke)。\n\n示例: fazhi keys init --unit 区编办",
           "Signing keys: this PC's (init, show) and those the office registers (add, revoke).\n\n"
           "Example: fazhi keys init --unit 区编办"))
app.add_typer(keys_app)


def _say(lines: list[str]) -> None:
    from ..render import safe  # noqa: PLC0415

    emit("".join(safe(line) + "\n" for line in lines), "plain")


@keys_app.command(help=t("生成本单位在本机的签名密钥(Ed25519),私钥保存在数据文件夹之外。\n\n"
                         "示例: fazhi keys init --unit 区编办",
                         "Make this unit's signing key on this PC (Ed25519), kept outside the data folder.\n\n"
                         "Example: fazhi keys init --unit 区编办"))
def init(
    unit: UnitOption = None,
    passphrase_file: Annotated[Optional[Path], typer.Option(
        "--passphrase-file", metavar=t("文件", "FILE"),
        help=t("用此文件第一行的口令加密私钥；签名时用 FAZHI_PASSPHRASE_FILE 指明同一文件，或在终端中输入。",
               "Encrypt the private key with the first line of this file; when signing, name it with "
               "FAZHI_PASSPHRASE_FILE or type it in a terminal."))] = None,
    plan_file: PlanOption = None,
) -> None:
    from ..keys import create, read_passphrase, spoken  # noqa: PLC0415

    plan = open_plan(plan_file)
    who = own_unit(plan, unit)
    made = create(who, read_passphrase(str(passphrase_file) if passphrase_file is not None else None))
    office = plan.supervision.units[0] if plan.supervision.units else t("督办单位", "OFFICE")
    lines = [t("已为 {u} 生成签名密钥。", "made a signing key for {u}.", u=who),
             t("公钥：{k}", "public key: {k}", k=made.public),
             t("指纹：{f}（登记前请电话核对）", "fingerprint: {f} (read it over the phone before it is registered)",
               f=spoken(made.fingerprint)),
             t("私钥：{p}（只有本用户可读{e}）", "private key: {p} (readable by this user only{e})", p=made.path,
               e=t("，有口令保护", ", passphrase-protected") if made.encrypted else "")]
    if plan.supervises(who):
        lines.append(t("督办单位的第一个密钥：在本机运行 fazhi keys add {u} {k} --as {u}，并把指纹写入方案文件的 "
                       "supervision.fingerprint", "the office's first key: run fazhi keys add {u} {k} --as {u} on this "
                       "PC, and put the fingerprint under supervision.fingerprint in the plan file", u=who, k=made.public))
    else:
        lines.append(t("请督办单位登记：fazhi keys add {u} {k} --as {o}", "ask the office to register it: "
                       "fazhi keys add {u} {k} --as {o}", u=who, k=made.public, o=office))
    _say(lines)


@keys_app.command(help=t("列出本机的密钥和督办单位已登记的密钥。\n\n示例: fazhi keys show",
                         "List this PC's keys and the keys the office registered.\n\nExample: fazhi keys show"))
def show(plan_file: PlanOption = None, data_dir: DataDirOption = None) -> None:
    from ..keys import local_keys, spoken  # noqa: PLC0415
    from ..record import keyring_of  # noqa: PLC0415

    plan = open_plan(plan_file)
    ring = keyring_of(plan, data_root(data_dir))
    lines = [t("本机的密钥：", "this PC's keys:")]
    for k in local_keys():
        entry = ring.entries.get(k.fingerprint)
        state = (t("未登记", "not registered") if entry is None else
                 t("已吊销", "revoked") if entry.revoked is not None else t("已登记", "registered"))
        lines.append(f"  {k.unit}  {spoken(k.fingerprint)}  {k.created[:10]}  {state}"
                     + (t("  有口令", "  passphrase") if k.encrypted else ""))
    if len(lines) == 1:
        lines.append("  " + t("（无；用 fazhi keys init --unit 单位 生成）", "(none; make one with fazhi keys init --unit UNIT)"))
    lines.append(t("已登记的密钥：", "registered keys:"))
    for fp, e in ring.entries.items():
        lines.append(f"  {e.unit}  {spoken(fp)}  " + t("登记于 {a}", "registered {a}", a=e.added[:10])
                     + (t("，吊销于 {r}", ", revoked {r}", r=e.revoked[:19]) if e.revoked else "")
                     + ((t("（首次使用时信任）", " (trusted on first use)") if ring.first_use else
                         t("（方案文件指定）", " (named by the plan)")) if fp in ring.anchors else ""))
    if not ring.entries:
        lines.append("  " + t("（无）", "(none)"))
    _say(lines)


@keys_app.command(help=t("督办单位登记一个单位的公钥(记在督办单位自己的进度文件中,随导入和同步传递)。\n\n"
                         "示例: fazhi keys add 区编办 公钥 --as 区法制办",
                         "The office registers a unit's public key (a record in its own file, carried by import and "
                         "sync).\n\nExample: fazhi keys add 区编办 KEY --as 区法制办"))
def add(
    unit: Annotated[str, typer.Argument(metavar=t("单位", "UNIT"), help=t("密钥所属的单位。", "The key's unit."))],
    key: Annotated[str, typer.Argument(metavar=t("公钥", "KEY"), help=t("fazhi keys init 显示的公钥。",
                                                                     "The public key fazhi keys init showed."))],
    acting: AsOption = None,
    by: ByOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from ..keys import fingerprint, spoken  # noqa: PLC0415
    from ..record import key_act  # noqa: PLC0415

    plan = open_plan(plan_file)
    who = plan.resolve_unit(unit)
    key_act(plan, data_root(data_dir), unit=who, value=key, acting=acting_unit(plan, acting), revoke=False, by=by)
    _say([t("已登记 {u} 的密钥 {f}", "registered {u}'s key {f}", u=who, f=spoken(fingerprint(key.strip())))])


@keys_app.command(help=t("督办单位吊销一个单位的密钥:此后用它签名的记录一律拒收,此前的记录仍然有效。\n\n"
                         "示例: fazhi keys revoke 区编办 a1b2c3d4e5f60718 --as 区法制办",
                         "The office revokes a unit's key: records it signs from then on are refused, earlier ones "
                         "stay valid.\n\nExample: fazhi keys revoke 区编办 a1b2c3d4e5f60718 --as 区法制办"))
def revoke(
    unit: Annotated[str, typer.Argument(metavar=t("单位", "UNIT"), help=t("密钥所属的单位。", "The key's unit."))],
    fingerprint: Annotated[str, typer.Argument(metavar=t("指纹", "FINGERPRINT"),
                                               help=t("fazhi keys show 显示的指纹。", "The fingerprint fazhi keys show shows."))],
    acting: AsOption = None,
    by: ByOption = None,
    plan_file: PlanOption = None,
    data_dir: DataDirOption = None,
) -> None:
    from ..keys import plain_fingerprint, spoken  # noqa: PLC0415
    from ..record import key_act  # noqa: PLC0415

    plan = open_plan(plan_file)
    who = plan.resolve_unit(unit)
    act = key_act(plan, data_root(data_dir), unit=who, value=fingerprint, acting=acting_unit(plan, acting), revoke=True,
                  by=by)
    kept = act.get("kept")
    _say([t("已吊销 {u} 的密钥 {f}", "revoked {u}'s key {f}", u=who, f=spoken(plain_fingerprint(fingerprint) or "")),
          t("它签名的记录保留本机已有的 {n} 条，其余一律不再接收", "of the records it signed, the {n} this folder holds are "
            "kept; no other will be accepted", n=len(kept)) if kept is not None else
          t("它签名的记录太多，无法逐条列出：保留吊销前记下的", "it signed too many records to list: those recorded before "
            "the revocation are kept")])
