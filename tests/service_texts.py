"""The texts the services write for people, read from their source: messages of the errors
they raise (and of their fields), the automatic checks' flags, history reasons and ledger
memos. f-strings become catalogue templates: `f"No fund {code}."` -> `No fund %(code)s.`"""
import ast
from pathlib import Path

from shared.settings import PROJECT_ROOT

SOURCES = [PROJECT_ROOT / "shared", *(PROJECT_ROOT / "services" / name
                                      for name in ("fund", "insurance", "volunteers", "families",
                                                   "notifications"))]
# Calls whose arguments are texts for people: errors, flags, and the state changes and
# postings that store a reason or memo, a family's timeline summaries, and the audit log's
# entries.
CALLS = {"InvalidInput", "NotFound", "Conflict", "Forbidden", "TooLarge", "DomainError",
         "ValidationError", "InvalidIdentifier", "BadAmount", "Flag", "move", "start", "post",
         "_post", "_decide", "in_order", "raise_for", "_open", "_summary", "note",
         "Barred", "Entry"}
# ...and the names such texts are put in before they are stored.
ASSIGNED = {"reason", "memo", "message", "purpose", "summary"}


def _name(expression: ast.AST) -> str:
    """The placeholder an f-string's value becomes: its last name (`fund.code` -> `code`)."""
    if isinstance(expression, ast.Attribute):
        return expression.attr
    if isinstance(expression, ast.Name):
        return expression.id
    if isinstance(expression, ast.Call):
        return _name(expression.func) if not expression.args else _name(expression.args[0])
    if isinstance(expression, ast.Subscript):
        key = expression.slice
        return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) \
            else _name(expression.value)
    return "value"


def template(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("%", "%%")
    if isinstance(node, ast.JoinedStr):
        text = ""
        used = []
        for part in node.values:
            if isinstance(part, ast.Constant):
                text += str(part.value).replace("%", "%%")
            else:
                name = _name(part.value)
                used.append(name)
                # The same name twice is two values: `from %(day)s to %(day_2)s`.
                text += f"%({name}_{used.count(name)})s" if used.count(name) > 1 \
                    else f"%({name})s"
        return text
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = template(node.left)
        right = template(node.right)
        return left + right if left is not None and right is not None else None
    return None


def _texts_in(node: ast.AST):
    """Strings, and strings inside lists, dicts' values and conditional expressions."""
    found = template(node)
    if found is not None:
        yield found
    elif isinstance(node, (ast.List, ast.Tuple)):
        for item in node.elts:
            yield from _texts_in(item)
    elif isinstance(node, ast.Dict):
        for value in node.values:
            yield from _texts_in(value)
    elif isinstance(node, ast.IfExp):
        yield from _texts_in(node.body)
        yield from _texts_in(node.orelse)


def service_texts() -> set[str]:
    texts: set[str] = set()
    for root in SOURCES:
        for path in Path(root).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and _name(node.func) in CALLS:
                    for argument in [*node.args, *(k.value for k in node.keywords)]:
                        texts.update(_texts_in(argument))
                elif isinstance(node, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id in ASSIGNED for t in node.targets):
                    texts.update(_texts_in(node.value))
                elif isinstance(node, ast.Dict):  # {"purpose": f"..."}
                    for key, value in zip(node.keys, node.values, strict=True):
                        if isinstance(key, ast.Constant) and key.value in ASSIGNED:
                            texts.update(_texts_in(value))
                elif isinstance(node, ast.Assign) and isinstance(node.value, ast.List) and \
                        any(isinstance(t, ast.Subscript) for t in node.targets):
                    texts.update(_texts_in(node.value))  # errors[field] = ["..."]
    return {t for t in texts if _is_prose(t)}


def _is_prose(text: str) -> bool:
    # Codes, statuses and field names travel as data, not as text for people.
    return " " in text.strip() or text.rstrip().endswith(".")
