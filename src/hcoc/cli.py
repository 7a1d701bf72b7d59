"""The `hcoc` console script: Django's management commands under the project's settings.

`hcoc demo`, `hcoc serve`, `hcoc token create USER`, `hcoc subscription add ...`,
`hcoc registry import FILE`, `hcoc import-notifications FILE`, `hcoc node` (a state's national
node, hcoc.node), plus Django's own (`hcoc migrate`).
`hcoc serve` reads the settings but sets no app up: it becomes gunicorn at once.
`hcoc verify`, `hcoc witness` and `hcoc keygen` run without Django or a database: they are what a
state runs on its own machine against the exchange (hcoc.ledger.offline).
"""

import os
import sys


def _node_environment(argv: list[str]) -> None:
    """`hcoc node`: the node's settings, chosen before Django reads them (its URL map, its
    database from --db, its upstream and state for the pages)."""
    os.environ["HCOC_NODE"] = "1"
    for flag, variable in (
        ("--db", "DATABASE_URL"),
        ("--upstream", "HCOC_NODE_UPSTREAM"),
        ("--state", "HCOC_NODE_STATE"),
    ):
        for n, arg in enumerate(argv):
            if arg == flag and n + 1 < len(argv):
                os.environ[variable] = argv[n + 1]
            elif arg.startswith(flag + "="):
                os.environ[variable] = arg.split("=", 1)[1]


# The offline commands' names (hcoc.ledger.offline.COMMANDS; tests/ops/test_cli.py checks
# that the two agree): named here so that the other commands do not import the offline module
# (the verifier, its HTTP client, cryptography) to learn that they are not among them, 0.07
# CPU-s of every `hcoc serve`, which execs gunicorn before Django would have imported them.
OFFLINE_COMMANDS = frozenset({"verify", "witness", "keygen", "key"})


def main() -> None:
    if len(sys.argv) > 1:
        if sys.argv[1] in OFFLINE_COMMANDS:
            # Imported here, not at the top: the offline commands run on a state's own machine
            # without Django, and Django must not be imported before its settings are chosen.
            from hcoc.ledger.offline import main as offline_main

            sys.exit(offline_main(sys.argv[1:]))
        if sys.argv[1] == "node":
            _node_environment(sys.argv)
        if sys.argv[1] == "export-bundle":  # the name the docs use; Django's is export_bundle
            sys.argv[1] = "export_bundle"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hcoc.settings")
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        # Before Django sets its apps up: this process only becomes gunicorn, whose workers
        # load the exchange (hcoc.project.server_exec says what that saved).
        from hcoc.project.server_exec import main as serve_main

        serve_main(sys.argv[2:])
    # Here, not at the top: after the settings module is chosen (see above).
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
