"""YAML to a node tree, safely, and PyYAML's complaints said so that whoever wrote the file can fix it.

Only safe YAML is read: no tags that build objects, no anchors or aliases.
Every syntax error names the file, line and column ("file:line:col: ...").
"""

from typing import Any

from ..errors import PlanError
from ..i18n import t


def compose(text: str, where: str) -> Any:
    """The document's root node; a PlanError at the first syntax error, alias or tag."""
    import yaml  # noqa: PLC0415

    Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = None
    try:
        loader = Loader(text)  # the pure-Python reader refuses control characters here already
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        if e.context_mark is not None and ("flow" in (e.context or "") or "end of stream" in (e.problem or "")):
            mark = e.context_mark  # an unclosed [ or quote: where it was opened, not where the file ran on to
        opened = _unclosed_quote(text, mark.line) if mark is not None else None
        if opened is not None and "quoted scalar" not in f"{e.problem or ''} {e.context or ''}":
            # a quote left open ran on into the next lines, and the scanner stumbled there (on an "indentation"
            # that is really the rest of the file): the error is where the quote was opened
            line, column = opened
            raise PlanError(f"{where}:{line + 1}:{column + 1}: " + t(
                "YAML 语法错误：引号没有闭合（每个值的引号都要成对）",
                "YAML syntax error: a quotation mark is not closed (every value's quotes come in pairs)")) from None
        if mark is None:
            raise PlanError(f"{where}: " + t("YAML 语法错误: {p}", "YAML syntax error: {p}",
                                             p=_yaml_problem(e, text))) from None
        raise PlanError(
            f"{where}:{mark.line + 1}:{mark.column + 1}: "
            + t("YAML 语法错误: {p}", "YAML syntax error: {p}", p=_yaml_problem(e, text))
        ) from None
    except yaml.reader.ReaderError as e:
        # the first such character is the one reported (libyaml counts its position in bytes)
        at = text.find(chr(e.character)) if isinstance(e.character, int) else -1
        line = text.count("\n", 0, at if at >= 0 else max(e.position, 0)) + 1
        raise PlanError(f"{where}:{line}: " + t(
            "YAML 语法错误: 含有不允许的控制字符 #x{c:04x},请删去", "YAML syntax error: control character #x{c:04x} is not allowed; remove it",
            c=e.character if isinstance(e.character, int) else 0)) from None
    except yaml.YAMLError as e:
        raise PlanError(f"{where}: {t('YAML 语法错误', 'YAML syntax error')}: {e}") from None
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        raise PlanError(t("{w}: 文件为空", "{w}: the file is empty", w=where))
    _refuse_aliases_and_tags(root, where)
    return root


# PyYAML's messages (both its C and its Python scanner), said so that the
# person who mis-indented a line can fix it: (words in the problem or its
# context, Chinese, English).
_YAML_PROBLEMS = (
    (("a tab character",), "此处有制表符(Tab):YAML 只能用空格缩进,请把 Tab 换成空格",
     "a tab character here: YAML is indented with spaces only; replace the tab with spaces"),
    (("mapping values are not allowed",),
     "此处不能出现“键: 值”:可能是这一行缩进不对,或值里含有“: ”(请给整个值加双引号)",
     "a 'key: value' is not allowed here: the line may be indented wrongly, or the value contains ': ' "
     "(put the whole value in double quotes)"),
    (("expected <block end>", "did not find expected key", "expected '-' indicator"),
     "缩进不一致:同一层的键和列表项(-)必须上下对齐",
     "inconsistent indentation: the keys and list items (-) of one level must line up"),
    (("could not find expected ':'",), "这一行缺少冒号:键和值之间应写“: ”",
     "this line lacks a colon: write 'key: value'"),
    (("expected ',' or ']'",), "方括号 [ ] 没有闭合,或列表项之间缺少逗号",
     "a [ ] list is not closed, or a comma is missing between its items"),
    (("expected ',' or '}'",), "花括号 { } 没有闭合,或项之间缺少逗号",
     "a { } mapping is not closed, or a comma is missing between its items"),
    (("unknown escape character",), "双引号里有无效的反斜杠转义:反斜杠请写成 \\\\,或改用单引号",
     "an invalid backslash escape inside double quotes: write a backslash as \\\\ or use single quotes"),
    (("quoted scalar",), "引号没有闭合(每个值的引号都要成对)",
     "a quotation mark is not closed (every value's quotes come in pairs)"),
    (("stray comma", "did not find expected node content", "expected the node content"),
     "此处有多余的逗号，或逗号后缺少内容：方括号 [ ] 中的项之间只用一个逗号，方括号外不要写逗号",
     "a stray comma, or nothing after a comma: separate the items of a [ ] list by one comma each, and write no "
     "comma outside the brackets"),
    (("alias", "anchor"), "不允许使用锚点和别名(& 和 *),请把内容直接写出",
     "anchors and aliases (& and *) are not allowed; write the content out"),
    (("tag handle",), "不允许使用 YAML 标签(以 ! 开头);如果 ! 是文字,请给整个值加双引号",
     "YAML tags (starting with !) are not allowed; if the ! is text, put the whole value in double quotes"),
    (("another document",), "一个文件只能有一个 YAML 文档,请删去 --- 分隔线",
     "a file holds one YAML document only; remove the --- separator"),
    (("cannot start any token",), "值不能以这个字符开头(如 @ ` % !):请给整个值加双引号",
     "a value cannot start with this character (such as @ ` % !): put the whole value in double quotes"),
)


def _unclosed_quote(text: str, upto: int) -> tuple[int, int] | None:
    """(line, column) of a value's opening double quote left unclosed on a line before ``upto`` (0-based)
    whose quote the scanner carried on to line ``upto``; None when every line up to there pairs its quotes."""
    import re  # noqa: PLC0415

    lines = text.split("\n")
    for i in range(min(upto, len(lines) - 1), -1, -1):
        code = lines[i].split(" #", 1)[0]
        quotes = [m.start() for m in re.finditer(r'(?<!\\)"', code)]
        if len(quotes) % 2:
            opened = quotes[-1] if i == upto else quotes[0]
            if i < upto and re.match(r"\s*(?:-\s+)?(?:[^\s:\"]+:\s+)?$", code[:quotes[0]]):
                return i, opened
            return None
    return None


def _yaml_problem(e: Any, text: str) -> str:
    """PyYAML's complaint in the reader's language, with what to do about it."""
    said = f"{e.problem or ''} {e.context or ''}"
    mark = e.problem_mark
    if mark is not None:
        lines = text.split("\n")
        if mark.line < len(lines) and lines[mark.line][mark.column:mark.column + 1] == ",":
            said = "stray comma"
    if mark is not None and "cannot start any token" in said:
        # The C scanner does not say which character it met: look.
        lines = text.split("\n")
        if mark.line < len(lines) and lines[mark.line][mark.column:mark.column + 1] == "\t":
            said = "a tab character"
    for words, zh, en in _YAML_PROBLEMS:
        if any(w in said for w in words):
            return t(zh, en)
    return (e.problem or e.context or "").strip()


_PLAIN_TAGS = frozenset(
    "tag:yaml.org,2002:" + s for s in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
)


def _refuse_aliases_and_tags(root: Any, where: str) -> None:
    # The composer hands an alias back as the very node its anchor named, so
    # a node met twice is an alias. Stopping at the first one also defuses
    # "billion laughs" documents before anything is built from them.
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            raise PlanError(t("{w}:{l}: 不允许使用锚点和别名(& 和 *),请把内容直接写出",
                              "{w}:{l}: anchors and aliases (& and *) are not allowed; write the content out",
                              w=where, l=node.start_mark.line + 1))
        seen.add(id(node))
        if node.tag not in _PLAIN_TAGS:
            raise PlanError(t("{w}:{l}: 不允许的 YAML 标签 {tag}",
                              "{w}:{l}: YAML tag {tag} is not allowed",
                              w=where, l=node.start_mark.line + 1, tag=node.tag))
        if node.id == "mapping":
            for k, v in node.value:
                stack.append(k)
                stack.append(v)
        elif node.id == "sequence":
            stack.extend(node.value)

