"""The house keeps its shape: what the docs name exists, and no import hides in a function.

The layers themselves are checked by `lint-imports` in `make lint` (docs/decisions/0005).
"""

import ast
import importlib
import importlib.util
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "hcoc"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
PACKAGES = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
MODULES = {p.stem for p in SRC.glob("*.py")} - {"__init__"}


def _silent_imports_inside_functions(path: Path) -> list[int]:
    """Lines of imports inside functions with no comment on their line or in the three lines
    above; a run of imports shares the comment above its first one."""
    lines = path.read_text().splitlines()
    silent = []
    for fn in ast.walk(ast.parse(path.read_text())):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        nodes = sorted(
            (n for n in ast.walk(fn) if isinstance(n, ast.Import | ast.ImportFrom)),
            key=lambda n: n.lineno,
        )
        previous, covered = None, False
        for node in nodes:
            follows = previous is not None and node.lineno - previous.end_lineno <= 1
            near = lines[max(0, node.lineno - 4) : node.lineno]
            covered = (follows and covered) or any("#" in line for line in near)
            if not covered:
                silent.append(node.lineno)
            previous = node
    return silent


def test_no_import_inside_a_function_without_a_comment_saying_why():
    """Imports inside functions hid cycles (issue 14); the few that remain say why."""
    silent = [
        f"{path.relative_to(ROOT)}:{lineno}"
        for path in sorted(SRC.rglob("*.py"))
        if "migrations" not in path.parts
        for lineno in _silent_imports_inside_functions(path)
    ]
    assert silent == []


def _named_in(text: str) -> set[str]:
    """Dotted names and paths in backticks that point into the code: `exchange.services.x`,
    `hcoc.ledger.middleware`, `web/access.py`, `tests/test_x.py`."""
    names = set()
    for token in re.findall(r"`([^`\s]+)`", text):
        token = token.rstrip("()").split("(")[0]
        first = re.split(r"[./]", token.removeprefix("hcoc."), maxsplit=1)[0]
        path_to_code = "/" in token and token.endswith((".py", ".html", ".js", ".css"))
        if first in PACKAGES | MODULES or path_to_code or token.startswith(("tests/", "bench/")):
            names.add(token)
    return names


def _exists(name: str) -> bool:
    if name.endswith(".py") and "/" not in name:
        return any(SRC.glob(f"**/{name}"))
    if "/" in name:
        bases = [ROOT, SRC, *SRC.glob("*/templates")]
        bases += [SRC / "static", SRC / "static" / "hcoc"]
        return any((base / name).exists() for base in bases) or any(SRC.glob(f"*/{name}"))
    parts = name.removeprefix("hcoc.").split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module("hcoc." + ".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_module_function_and_file_the_docs_name_exists(doc):
    from hcoc.exchange.models import EventKind  # after Django is set up by pytest-django

    """datasette's habit: a doc that names `ledger.services.leaf_append` or `web/access.py`
    fails the suite when the code moves and the doc does not."""
    kinds = set(EventKind.values)  # `registry.circular` is a feed item's kind, not a module
    missing = sorted(n for n in _named_in(doc.read_text()) - kinds if not _exists(n))
    assert missing == []


BENCH = ROOT / "bench"
BENCH_DOCS = [ROOT / "README.md", BENCH / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _bench_commands(text: str) -> list[tuple[str, list[str]]]:
    """Each `bench/NAME.py` a doc names, with the options it gives it: the rest of the line in a
    code block (its comment too, which names options of the same script), the rest of the
    backticked span in prose, up to the next script named."""
    found, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        for match in re.finditer(r"(?<![\w/.-])bench/(\w+\.py)", line):
            rest = line[match.end() :] if fenced else line[match.end() :].split("`", 1)[0]
            rest = re.split(r"(?<![\w/.-])bench/\w+\.py", rest, maxsplit=1)[0]
            found.append((match.group(1), re.findall(r"(?<![\w-])--[a-z][\w-]*", rest)))
    return found


def _options_of(script: Path) -> set[str]:
    """The options a benchmark's argparse parser accepts, read from its source."""
    return {
        arg.value
        for node in ast.walk(ast.parse(script.read_text()))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_argument"
        for arg in node.args
        if isinstance(arg, ast.Constant) and str(arg.value).startswith("--")
    } | {"--help"}


def _missing_from_benchmarks(commands: list[tuple[str, list[str]]]) -> list[str]:
    missing = []
    for script, options in commands:
        if not (BENCH / script).exists():
            missing.append(f"bench/{script}")
            continue
        missing += [f"bench/{script} {o}" for o in options if o not in _options_of(BENCH / script)]
    return sorted(set(missing))


@pytest.mark.parametrize("doc", BENCH_DOCS, ids=lambda p: p.name)
def test_every_benchmark_command_the_docs_give_runs_a_script_with_options_it_has(doc):
    """docs/benchmarks.md names the command behind each figure (issue 29): a renamed script or
    option fails here, before anyone tries to reproduce a figure with it."""
    assert _missing_from_benchmarks(_bench_commands(doc.read_text())) == []


def test_make_bench_runs_every_benchmark_with_options_it_has():
    spec = importlib.util.spec_from_file_location("bench_report", ROOT / "tools/bench_report.py")
    bench_report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_report)
    commands = [
        (c[0].removeprefix("bench/"), [o for o in c[1:] if o.startswith("--")])
        for c in bench_report.FULL
    ]
    assert _missing_from_benchmarks(commands) == []
    every = {p.name for p in BENCH.glob("*.py")} - {"common.py"}
    assert every - {script for script, _ in commands} == set()


# The operation ids of the OpenAPI document as published before issue 14 moved code between apps.
# States generate their clients from the document, so an id is a name of the API: moving an
# operation to another module must not rename it (ninja derives ids from the module's path).
# (Issue 22 removed one on purpose: custodial_key. The exchange holds no key of a state's any
# more, so there is no operation that makes one.)
PUBLISHED_OPERATION_IDS = [
    "hcoc_compliance_api_compliance",
    "hcoc_declarations_api_deadline_extend",
    "hcoc_declarations_api_deadline_set",
    "hcoc_declarations_api_deadlines",
    "hcoc_declarations_api_get",
    "hcoc_declarations_api_list_",
    "hcoc_declarations_api_submit",
    "hcoc_declarations_api_versions",
    "hcoc_delivery_stream_feed_stream",
    "hcoc_exchange_api_acknowledge",
    "hcoc_exchange_api_acknowledgement_status",
    "hcoc_exchange_api_feed",
    "hcoc_exchange_api_inbox",
    "hcoc_ledger_api_checkpoint",
    "hcoc_ledger_api_checkpoints",
    "hcoc_ledger_api_consistency",
    "hcoc_ledger_api_cosign",
    "hcoc_ledger_api_entries",
    "hcoc_ledger_api_inclusion",
    "hcoc_ledger_api_key_register",
    "hcoc_ledger_api_key_revoke",
    "hcoc_ledger_api_keys",
    "hcoc_ledger_api_receipt",
    "hcoc_meetings_api_agenda_add",
    "hcoc_meetings_api_attendance_get",
    "hcoc_meetings_api_attendance_record",
    "hcoc_meetings_api_decision_call",
    "hcoc_meetings_api_decision_get",
    "hcoc_meetings_api_decision_list",
    "hcoc_meetings_api_document_add",
    "hcoc_meetings_api_document_get",
    "hcoc_meetings_api_document_list",
    "hcoc_meetings_api_meeting_close",
    "hcoc_meetings_api_meeting_create",
    "hcoc_meetings_api_meeting_get",
    "hcoc_meetings_api_meeting_list",
    "hcoc_meetings_api_meeting_open",
    "hcoc_meetings_api_position_take",
    "hcoc_meetings_api_proposal_get",
    "hcoc_meetings_api_proposal_list",
    "hcoc_meetings_api_proposal_table",
    "hcoc_notifications_api_amend",
    "hcoc_notifications_api_cancel",
    "hcoc_notifications_api_get",
    "hcoc_notifications_api_import_notification",
    "hcoc_notifications_api_list_",
    "hcoc_notifications_api_report_launch",
    "hcoc_notifications_api_submit",
    "hcoc_notifications_api_unnotified",
    "hcoc_notifications_api_versions",
    "hcoc_observers_api_confirm",
    "hcoc_observers_api_get",
    "hcoc_observers_api_issue",
    "hcoc_observers_api_list_",
    "hcoc_observers_api_reply",
    "hcoc_observers_api_withdraw",
    "hcoc_sites_api_list_sites",
    "hcoc_states_api_circular_list",
    "hcoc_states_api_circular_publish",
    "hcoc_states_api_get_state",
    "hcoc_states_api_list_states",
    "hcoc_states_api_subscribe",
]


def test_the_published_operation_ids_keep_their_names(client):
    document = client.get("/api/v1/openapi.json").json()
    ids = {
        op["operationId"]
        for path in document["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert sorted(set(PUBLISHED_OPERATION_IDS) - ids) == []


# ---- the contract (docs/formats.md) and the links -----------------------------------------------

FORMATS = ROOT / "docs" / "formats.md"
SCHEMA_ROW = re.compile(r"^\| `(\w+)` \| (.*) \|$")


def _published_schemas(text: str) -> dict[str, list[str]]:
    """The table of docs/formats.md's section "Every published schema": schema -> fields."""
    section = text.split("\n## Every published schema\n", 1)[1].split("\n## ", 1)[0]
    return {
        m[1]: re.findall(r"`(\w+)`", m[2])
        for line in section.splitlines()
        if (m := SCHEMA_ROW.match(line))
    }


def test_formats_md_names_every_field_of_every_published_schema_and_no_other(client):
    """States build their clients from the OpenAPI document and read docs/formats.md: a field the
    document publishes and the contract does not name, or one the contract names and the document
    dropped, fails here (issue 25)."""
    components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    published = {name: list(s.get("properties", {})) for name, s in components.items()}
    documented = _published_schemas(FORMATS.read_text())
    assert documented == published, (
        "docs/formats.md, 'Every published schema', must list exactly the document's schemas"
    )


def test_every_field_the_openapi_document_publishes_is_described_in_words(client):
    """The table alone describes nothing: each field is also named where its format is told, in
    docs/formats.md, or for the rules of an operation in docs/api.md."""
    components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    prose = FORMATS.read_text().split("\n## Every published schema\n", 1)[0]
    prose += (ROOT / "docs" / "api.md").read_text()
    named = set(re.findall(r"[A-Za-z_][\w-]*", prose))
    fields = {field for s in components.values() for field in s.get("properties", {})}
    assert sorted(fields - named) == []


# Every text file of the repository a reader or a program opens: docs, code, templates, static
# files, tests, tools, the build. Not the virtualenv, run-time files or vendored packages.
TEXT = {".md", ".py", ".html", ".txt", ".js", ".css", ".toml", ".cfg", ".ini", ".sh", ".yml"}
SKIPPED_DIRS = {".venv", ".git", "var", "vendor", "node_modules", "__pycache__", "migrations"}


def _text_files() -> list[Path]:
    files = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [
            d for d in dirs if d not in SKIPPED_DIRS and (d == ".ci" or not d.startswith("."))
        ]
        files += [
            Path(folder, n) for n in names if Path(n).suffix in TEXT or n in {"Makefile", "run"}
        ]
    return sorted(files)


OUTSIDE = re.compile(r"\.\./shared|\bshared/(spec|data|STYLE)")
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def test_nothing_in_the_repository_points_outside_it():
    """A clone has no folder beside it: no file cites the team's shared folder (issue 25)."""
    outside = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in _text_files()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert outside == []


def test_every_link_between_the_docs_leads_to_a_file_and_a_heading_that_exist():
    broken = []
    for doc in [
        *DOCS,
        *sorted((ROOT / "data").rglob("*.md")),
        *sorted((ROOT / "tests").rglob("*.md")),
    ]:
        for target in MARKDOWN_LINK.findall(doc.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # a web address or mailto: not a file of the repository
            path, _, anchor = target.partition("#")
            file = (doc.parent / path).resolve() if path else doc
            if not file.is_relative_to(ROOT) or not file.exists():
                broken.append(f"{doc.relative_to(ROOT)}: {target}")
            elif anchor and file.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", file.read_text(encoding="utf-8"), re.M)
                if anchor not in {_slug(h) for h in headings}:
                    broken.append(f"{doc.relative_to(ROOT)}: {target}")
    assert broken == []


# ---- one access vocabulary, roles compared in one place --------------------------------------

# Where a role may be compared: the access rules, and the model that defines the roles.
ROLES_DECIDED_IN = {"access.py", "models.py"}


def _is_role(node: ast.AST) -> bool:
    """`x.role`, a member of `Role` (`Role.ICC`), or a collection holding one."""
    if isinstance(node, ast.Attribute):
        is_member = isinstance(node.value, ast.Name) and node.value.id == "Role"
        return node.attr == "role" or (is_member and node.attr.isupper())
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_is_role(e) for e in node.elts)
    return False


def _role_comparisons(source: str) -> list[int]:
    """Lines that compare a role (`user.role == Role.ICC`, `role in (Role.SUBMITTER, ...)`) or
    select users by one (`.filter(role=...)`, `.exclude(user__role=...)`)."""

    def compares(node: ast.AST) -> bool:
        return isinstance(node, ast.Compare) and any(map(_is_role, [node.left, *node.comparators]))

    def selects(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"filter", "exclude", "get"}
            and any(k.arg and (k.arg == "role" or k.arg.endswith("__role")) for k in node.keywords)
        )

    return [n.lineno for n in ast.walk(ast.parse(source)) if compares(n) or selects(n)]


TEMPLATE_ROLE = re.compile(r"\brole\s*(==|!=|\bin\b|\bnot in\b)")


def test_the_house_test_sees_a_role_compared_in_each_way_it_is_written():
    source = """
a = user.role == Role.ICC
b = request.user.role != "icc"
c = role in (Role.SUBMITTER, Role.READER)
d = User.objects.filter(role=Role.ICC)
e = ApiToken.objects.exclude(user__role="icc")
f = role in Role.values  # a valid value, not a user's role
g = may_act_as_icc(user)
"""
    assert _role_comparisons(source) == [2, 3, 4, 5, 6]
    assert TEMPLATE_ROLE.search('{% if user.role == "icc" %}')
    assert not TEMPLATE_ROLE.search("{% if may_act_as_icc %}")


def test_roles_are_compared_only_in_the_access_rules_and_the_models():
    """What a role may do is written once, in an app's `access.py` (or the model defining the
    roles); views, services, selectors and templates ask `may_x`/`require_x` or the flags of
    hcoc.ui.pages.page_access (issue 28: `user.role == "icc"` in ui/base.html and in views)."""
    found = [
        f"{path.relative_to(ROOT)}:{lineno}"
        for path in sorted(SRC.rglob("*.py"))
        if "migrations" not in path.parts and path.name not in ROLES_DECIDED_IN
        for lineno in _role_comparisons(path.read_text())
    ]
    found += [
        f"{path.relative_to(ROOT)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in sorted(SRC.rglob("templates/**/*"))
        if path.is_file()
        for text in [path.read_text()]
        for m in TEMPLATE_ROLE.finditer(text)
    ]
    assert found == []


def test_access_rules_have_one_vocabulary_require_x_raising_and_may_x_derived_from_it():
    """No `can_x`, no `x_require`, and no `may_x` written by hand beside its `require_x` (two
    copies of one rule drift): a `may_x` at module level is `may(require_x)`
    (hcoc.lib.access.may)."""
    strays = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                name = node.name
                if name.startswith(("can_", "may_")) or name.endswith("_require"):
                    strays.append(f"{path.relative_to(ROOT)}:{node.lineno} def {name}")
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id.startswith("may_") for t in node.targets
            ):
                value = node.value
                derived = (
                    isinstance(value, ast.Call)
                    and isinstance(value.func, ast.Name)
                    and value.func.id == "may"
                    and len(value.args) == 1
                    and isinstance(value.args[0], ast.Name)
                    and value.args[0].id.startswith("require_")
                )
                if not derived or path.name != "access.py":
                    strays.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
    assert strays == []
