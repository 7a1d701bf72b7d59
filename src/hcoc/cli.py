"""The `hcoc` console script: Django's management commands under the project's settings.

`hcoc demo`, `hcoc serve`, `hcoc token create USER`, `hcoc subscription add ...`,
`hcoc registry import FILE`, `hcoc import-notifications FILE`, plus Django's own (`hcoc migrate`).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hcoc.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
