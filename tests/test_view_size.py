"""Views are thin (STYLE §3, issue 10 acceptance: "no view over 25 lines"): they parse input,
call one domain function and render or redirect. Read from the source, so a new long view in
any room of app/web or app/api fails here."""

import ast
from pathlib import Path

import app as package

APP = Path(package.__file__).parent
MAX_LINES = 25
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "route"}


def _is_route(decorator) -> bool:
    if not isinstance(decorator, ast.Call):
        return False
    called = decorator.func
    name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
    return name in ROUTE_DECORATORS


def _views():
    for path in sorted([*(APP / "web").rglob("*.py"), *(APP / "api").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef) and any(map(_is_route, node.decorator_list)):
                yield path.relative_to(APP.parent), node


def test_no_view_is_longer_than_25_lines():
    views = list(_views())
    assert len(views) > 40  # the walk finds the views of both faces
    long = [f"{path}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for path, node in views if node.end_lineno - node.lineno + 1 > MAX_LINES]
    assert long == []
