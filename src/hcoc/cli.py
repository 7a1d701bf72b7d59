"""The `hcoc` console script: Django's management commands under the project's settings.

`hcoc demo`, `hcoc token create USER`, `hcoc subscription add ...`, `hcoc registry import FILE`,
`hcoc import-notifications FILE`, `hcoc serve`, plus Django's own (`hcoc migrate`, ...).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hcoc.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    # Django command names cannot contain hyphens-free aliases for our two-word style; map them.
    aliases = {"import-notifications": "import_notifications"}
    if len(argv) > 1 and argv[1] in aliases:
        argv[1] = aliases[argv[1]]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
