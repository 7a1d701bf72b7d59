from hcoc.locale_formats import *  # noqa: F403 (the one ISO 8601 format of every language)
