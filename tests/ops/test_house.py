"""The house keeps its shape: what the docs name exists, and no import hides in a function.

The layers themselves are checked by `lint-imports` in `make lint` (docs/decisions/0005).
"""

import ast
import functools
import importlib
import importlib.util
import io
import os
import re
import tokenize
from pathlib import Path

import pytest

from hcoc.api import api

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "hcoc"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
PACKAGES = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
MODULES = {p.stem for p in SRC.glob("*.py")} - {"__init__"}


# The tests below read and parse the same files again and again: each module of src/hcoc for six
# tests, each benchmark script once for each option a doc gives it. The checkout does not change
# during a run, so each file is read and parsed once (while this module runs), and every test
# walks the same text and tree it would have read and parsed itself (no test changes a tree).
# Python files are read as UTF-8, as Python itself reads them.
@functools.cache
def _source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(_source(path))


@pytest.fixture(autouse=True, scope="module")
def _parsed_once_per_module():
    """The trees are dropped after this module's tests: kept, their 420,000 nodes would slow
    every later full garbage collection of the worker."""
    yield
    for cached in (_source, _tree, _docstrings_in, _options_of, _exists):
        cached.cache_clear()


def _silent_imports_inside_functions(path: Path) -> list[int]:
    """Lines of imports inside functions with no comment on their line or in the three lines
    above; a run of imports shares the comment above its first one."""
    lines = _source(path).splitlines()
    silent = []
    for fn in ast.walk(_tree(path)):
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


@functools.cache  # the checkout does not change during a run (see `_source`)
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


# The code the bare names are looked for in; the client package and the tools are code too.
CODE_FOLDERS = [ROOT / d for d in ("src", "tests", "bench", "clients", "tools", ".ci")]
CODE_TEXT = {".html", ".txt", ".js", ".css", ".json", ".toml", ".sh", ".yml", ".sql"}
# Names of other software (PostgreSQL, nginx, numpy, gunicorn's uvicorn worker, Zulip and
# healthchecks in the style guide) and the style guide's placeholders: not ours to define.
ELSEWHERE = {
    "max_connections", "shared_buffers", "proxy_add_x_forwarded_for", "allclose",
    "uvicorn_worker", "UvicornWorker", "access_stream_by_id", "_get_check_for_user",
    "require_x", "may_x", "can_x", "test_a_state_cannot_amend_another_states_notification",
    "request_finished",  # Django's signal
}  # fmt: skip
# Names the docs mention as gone, on purpose, saying so where they name them.
GONE_ON_PURPOSE = {
    "HCOC_DELIVERY_THREADS",  # configuration.md: the old name, no longer read
    "HCOC_DELIVERY_BATCH",  # benchmarks.md: a branch's setting that was not merged
    "hcoc_ledger_api_custodial_key",  # formats.md: a removed operation
}
# The operation ids before the rename of issue 26: docs/changelog.md's table gives each with its
# successor, and formats.md's history names some of them.
GONE_ON_PURPOSE |= set(
    re.findall(
        r"^\| `\w+ [^`]+` \| `(\w+)` \| `\w+` \|$",
        (ROOT / "docs" / "changelog.md").read_text(encoding="utf-8"),
        re.M,
    )
)
FILE_SUFFIX = re.compile(r"\.(md|py|json|txt|html|js|css|toml|gz|csv|pdf|xlsx|kek|pem|sqlite3)$")


def _docstrings(tree: ast.AST) -> list[ast.Constant]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0].value if node.body and isinstance(node.body[0], ast.Expr) else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append(first)
    return found


@functools.cache
def _docstrings_in(path: Path) -> list[ast.Constant]:
    return _docstrings(_tree(path))


def _code_files() -> list[Path]:
    files = []
    for top in CODE_FOLDERS:
        for folder, dirs, names in os.walk(top):
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
            files += [Path(folder, n) for n in names]
    return sorted(files)


@functools.cache
def _code_words() -> frozenset[str]:
    """Every name the code uses: what it defines, imports, calls and reads, its strings, its
    templates, scripts and data, and its files' names. Not its docstrings nor its comments: a
    name only prose mentions is a name that is gone."""
    words = set()
    for path in _code_files():
        words.add(path.stem)
        if path.suffix == ".py":
            tree = _tree(path)
            prose = {id(d) for d in _docstrings_in(path)}
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    if id(node) not in prose:
                        words.update(re.findall(r"\w+", node.value))
                    continue
                for attr in ("id", "attr", "name", "arg", "asname"):
                    value = getattr(node, attr, None)
                    if isinstance(value, str):
                        words.update(re.findall(r"\w+", value))
        elif path.suffix in CODE_TEXT or path.name in {"run", "Makefile"}:
            words.update(re.findall(r"\w+", path.read_text(encoding="utf-8", errors="replace")))
    for build in ("Makefile", "pyproject.toml"):
        words.update(re.findall(r"\w+", (ROOT / build).read_text(encoding="utf-8")))
    return frozenset(words)


CODE_LIKE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:\(\))?")


def _bare_names(text: str) -> set[str]:
    """Names in backticks that no module of ours qualifies and that look like code: a call
    (`event_transaction()`), a snake_case or CamelCase name (`number_next`, `PlannedDelivery`),
    an attribute (`Event.item`). A lower-case word alone (`seq`) is a word too often to judge."""
    names = set()
    for token in re.findall(r"`([^`\s]+)`", text):
        if not CODE_LIKE.fullmatch(token) or FILE_SUFFIX.search(token):
            continue
        if re.split(r"[./]", token.removeprefix("hcoc."))[0] in PACKAGES | MODULES:
            continue  # qualified by a module of ours: `_exists` judges it
        parts = token.removesuffix("()").split(".")
        looks_like_code = (
            token.endswith("()")
            or len(parts) > 1
            or "_" in parts[0].strip("_")
            or re.fullmatch(r"[A-Z][a-z0-9]+[A-Z]\w*", parts[0])
        )
        if looks_like_code:
            names.add(token)
    return names


@functools.cache
def _known_words() -> frozenset[str]:
    return _code_words() | ELSEWHERE | GONE_ON_PURPOSE


def _unknown(names: set[str]) -> set[str]:
    words = _known_words()
    return {n for n in names if not set(n.removesuffix("()").split(".")) <= words}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_module_function_and_file_the_docs_name_exists(doc):
    """datasette's habit: a doc that names `ledger.services.leaf_append` or `web/access.py`
    fails the suite when the code moves and the doc does not; so does a bare name in backticks
    (`seq_reserve()`) that no code uses any more."""
    from hcoc.exchange.models import EventKind  # after Django is set up by pytest-django

    kinds = set(EventKind.values)  # `registry.circular` is a feed item's kind, not a module
    text = doc.read_text()
    missing = sorted(n for n in _named_in(text) - kinds if not _exists(n))
    assert missing + sorted(_unknown(_bare_names(text))) == []


# Class names more than one module may define: Django's conventions, and the log's checkpoint,
# one thing both as C2SP's note (ledger/tlog, no Django) and as the row that stores it.
SHARED_CLASS_NAMES = {"Command", "Migration", "Config", "Meta", "Checkpoint"}


def test_no_two_modules_define_a_class_of_the_same_name():
    """One name, one thing (issue 28: `Delivery`, `Outcome`, `Audience` and `Planned` each named
    two different things in different apps)."""
    where: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in _tree(path).body:
            if isinstance(node, ast.ClassDef) and node.name not in SHARED_CLASS_NAMES:
                where.setdefault(node.name, []).append(str(path.relative_to(SRC)))
    assert {name: paths for name, paths in where.items() if len(paths) > 1} == {}


QUALIFIED = re.compile(r"(?<![\w/@.-])hcoc(?:\.[A-Za-z_]\w*)+")
REPOSITORY_PATH = re.compile(
    r"(?<![\w/.-])(?:tests|bench|docs)/[a-z0-9_/.-]*[a-z0-9_]\.(?:py|md)\b"
)


def _prose(path: Path) -> tuple[str, str]:
    """A file's prose: a Python module's docstrings, and its comments; a template's, a script's
    or a style sheet's whole text. Strings the code uses (a salt such as "hcoc.accounts.login-
    device", a host such as "hcoc.example") are not prose."""
    if path.suffix != ".py":
        return "", path.read_text(encoding="utf-8", errors="replace")
    text = _source(path)
    docstrings = "\n".join(d.value for d in _docstrings_in(path))
    lines = io.StringIO(text).readline
    comments = "\n".join(
        t.string for t in tokenize.generate_tokens(lines) if t.type == tokenize.COMMENT
    )
    return docstrings, comments


def test_every_name_the_code_s_docstrings_and_comments_give_exists():
    """The same for the code's own prose: a module, a function or a test file named in a
    docstring, a comment or a template (`hcoc.delivery.hub`, `tests/api/test_access.py`) must
    exist, and so must a bare name a docstring puts in backticks (issue 28: stale names lived
    on in three docstrings after the tests moved)."""
    from hcoc.exchange.models import EventKind  # after Django is set up by pytest-django

    kinds = set(EventKind.values)
    stale = []
    for path in _code_files():
        if path.suffix not in {".py", *CODE_TEXT} or "clients" in path.relative_to(ROOT).parts:
            continue  # hcoc-client is a package of its own, with no hcoc to import
        if path == Path(__file__):
            continue  # this file's docstrings quote stale names as examples
        docstrings, other = _prose(path)
        text = docstrings + "\n" + other
        names = {n for n in QUALIFIED.findall(text) if not FILE_SUFFIX.search(n)}  # hcoc.sqlite3
        names |= set(REPOSITORY_PATH.findall(text)) | _named_in(docstrings)
        unknown = {n for n in names - kinds if not _exists(n)}
        unknown |= _unknown(_bare_names(docstrings))
        stale += [f"{path.relative_to(ROOT)}: {n}" for n in sorted(unknown)]
    assert stale == []


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


@functools.cache
def _options_of(script: Path) -> set[str]:
    """The options a benchmark's argparse parser accepts, read from its source."""
    return {
        arg.value
        for node in ast.walk(_tree(script))
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


# The operation id of every operation of the OpenAPI document, by method and path. States generate
# their clients from the document, so an id is a name of the API: renaming one breaks their code.
# Issue 26 renamed them once, from the module paths ninja derives (`hcoc_exchange_api_acknowledge`)
# to `<noun>_<verb>`, as the services are named (docs/changelog.md has the table); each router
# names its ids (`operation_id=`), so moving code between modules renames nothing. A change here
# is a breaking change for states' software: it goes in docs/changelog.md too.
PUBLISHED_OPERATION_IDS = {
    ("GET", "/states"): "state_list",
    ("GET", "/states/{iso3}"): "state_get",
    ("POST", "/states/{iso3}/subscription"): "subscription_record",
    ("POST", "/circulars"): "circular_publish",
    ("GET", "/circulars"): "circular_list",
    ("GET", "/users"): "state_user_list",
    ("GET", "/sites"): "site_list",
    ("POST", "/notifications"): "notification_submit",
    ("GET", "/notifications"): "notification_list",
    ("POST", "/notifications/{reference}/amendments"): "notification_amend",
    ("POST", "/notifications/{reference}/cancellation"): "notification_cancel",
    ("POST", "/notifications/{reference}/launch-report"): "notification_report_launch",
    ("POST", "/unnotified-launches"): "unnotified_launch_report",
    ("POST", "/imports/notifications"): "notification_import",
    ("GET", "/notifications/{reference}"): "notification_get",
    ("GET", "/notifications/{reference}/notam"): "notification_notam_get",
    ("GET", "/notifications/{reference}/geojson"): "notification_geojson_get",
    ("GET", "/notifications/{reference}/versions"): "notification_version_list",
    ("POST", "/declarations"): "declaration_submit",
    ("GET", "/declarations"): "declaration_list",
    ("GET", "/declarations/{state}/{year}"): "declaration_get",
    ("GET", "/declarations/{state}/{year}/versions"): "declaration_version_list",
    ("GET", "/deadlines"): "deadline_list",
    ("POST", "/deadlines"): "deadline_set",
    ("POST", "/deadlines/{year}/extensions"): "deadline_extend",
    ("GET", "/feed"): "feed_list",
    ("GET", "/inbox"): "inbox_list",
    ("POST", "/acknowledgements"): "acknowledgement_create",
    ("GET", "/acknowledgements"): "acknowledgement_status_get",
    ("GET", "/feed/stream"): "feed_stream",
    ("GET", "/compliance/{year}"): "compliance_get",
    ("GET", "/log/checkpoint"): "checkpoint_get",
    ("GET", "/log/checkpoints"): "checkpoint_list",
    ("GET", "/log/entries"): "entry_list",
    ("GET", "/log/proof/inclusion"): "inclusion_proof_get",
    ("GET", "/log/proof/consistency"): "consistency_proof_get",
    ("GET", "/log/receipts/{index}"): "receipt_get",
    ("GET", "/log/keys"): "key_list",
    ("POST", "/log/cosignatures"): "cosignature_add",
    ("POST", "/states/{iso3}/roots"): "root_register",
    ("POST", "/states/{iso3}/roots/{key_id}/confirm"): "root_confirm",
    ("POST", "/states/{iso3}/keys"): "key_register",
    ("POST", "/states/{iso3}/keys/{key_id}/revoke"): "key_revoke",
    ("POST", "/invitations"): "invitation_issue",
    ("GET", "/invitations"): "invitation_list",
    ("GET", "/invitations/{reference}"): "invitation_get",
    ("POST", "/invitations/{reference}/replies"): "invitation_reply",
    ("POST", "/invitations/{reference}/confirmations"): "invitation_confirm",
    ("POST", "/invitations/{reference}/withdraw"): "invitation_withdraw",
    ("GET", "/meetings"): "meeting_list",
    ("POST", "/meetings"): "meeting_create",
    ("GET", "/meetings/{number}"): "meeting_get",
    ("POST", "/meetings/{number}/open"): "meeting_open",
    ("POST", "/meetings/{number}/close"): "meeting_close",
    ("POST", "/meetings/{number}/agenda"): "agenda_item_add",
    ("POST", "/meetings/{number}/attendance"): "attendance_record",
    ("GET", "/meetings/{number}/attendance"): "attendance_get",
    ("POST", "/meetings/{number}/proposals"): "proposal_table",
    ("GET", "/meetings/{number}/proposals"): "proposal_list",
    ("GET", "/proposals/{reference}"): "proposal_get",
    ("POST", "/proposals/{reference}/positions"): "position_take",
    ("POST", "/proposals/{reference}/call"): "decision_call",
    ("GET", "/meetings/{number}/decisions"): "decision_list",
    ("GET", "/decisions/{reference}"): "decision_get",
    ("POST", "/meetings/{number}/documents"): "document_add",
    ("GET", "/meetings/{number}/documents"): "document_list",
    ("GET", "/meetings/{number}/documents/{document_id}"): "document_get",
    ("POST", "/webhooks"): "webhook_register",
    ("GET", "/webhooks"): "webhook_list",
    ("DELETE", "/webhooks/{endpoint_id}"): "webhook_delete",
    ("GET", "/webhooks/{endpoint_id}/deliveries"): "webhook_delivery_list",
    ("POST", "/webhooks/{endpoint_id}/replay"): "webhook_replay",
}
ID_SCHEME = re.compile(r"^[a-z]+(_[a-z]+)+$")


def _document_ids(document: dict) -> dict[tuple[str, str], str]:
    return {
        (method.upper(), path.removeprefix("/api/v1")): op["operationId"]
        for path, operations in document["paths"].items()
        for method, op in operations.items()
        if isinstance(op, dict)
    }


def test_every_operation_keeps_its_published_id_and_a_new_one_is_pinned_here(client):
    """Fails when an id changes, when an operation is added without being pinned above, or when
    one disappears."""
    ids = _document_ids(client.get("/api/v1/openapi.json").json())
    assert ids == PUBLISHED_OPERATION_IDS


def test_every_operation_names_its_id_itself_as_noun_then_verb():
    """An id ninja derives is the module's path and the function's name: it changes when the code
    moves (issue 14). Every operation gives `operation_id=` itself, in one scheme."""
    # ninja keeps the routers as they were added in `_routers`; each holds its operations as
    # declared, before they are bound to the API.
    operations = [
        (method, router_prefix + path, operation.operation_id)
        for router_prefix, router in api._routers
        for path, view in router.path_operations.items()
        for operation in view.operations
        for method in operation.methods
    ]
    assert len(operations) == len(PUBLISHED_OPERATION_IDS)
    unnamed = [f"{method} {path}" for method, path, given in operations if not given]
    assert unnamed == []
    assert [i for i in PUBLISHED_OPERATION_IDS.values() if not ID_SCHEME.match(i)] == []
    assert len(set(PUBLISHED_OPERATION_IDS.values())) == len(PUBLISHED_OPERATION_IDS)


def test_the_changelog_names_every_operation_id():
    """A renamed id is a breaking change for states' software: docs/changelog.md tells them, with
    the operation's method and path beside the id."""
    changelog = (ROOT / "docs" / "changelog.md").read_text()
    rows = set(re.findall(r"^\| `(\w+) ([^`]+)` \| `\w+` \| `(\w+)` \|$", changelog, re.M))
    unnamed = [
        f"{method} {path}: {operation_id}"
        for (method, path), operation_id in PUBLISHED_OPERATION_IDS.items()
        if (method, path, operation_id) not in rows
    ]
    assert unnamed == []


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


def _role_comparisons(source: str | ast.Module) -> list[int]:
    """Lines that compare a role (`user.role == Role.ICC`, `role in (Role.SUBMITTER, ...)`) or
    select users by one (`.filter(role=...)`, `.exclude(user__role=...)`), in a source or its
    tree."""

    def compares(node: ast.AST) -> bool:
        return isinstance(node, ast.Compare) and any(map(_is_role, [node.left, *node.comparators]))

    def selects(node: ast.AST) -> bool:
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"filter", "exclude", "get"}
            and any(k.arg and (k.arg == "role" or k.arg.endswith("__role")) for k in node.keywords)
        )

    tree = ast.parse(source) if isinstance(source, str) else source
    return [n.lineno for n in ast.walk(tree) if compares(n) or selects(n)]


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
        for lineno in _role_comparisons(_tree(path))
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
        for node in _tree(path).body:
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
