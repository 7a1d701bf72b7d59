"""Dates and times the same in every language (issue 27: "Dates stay ISO 8601 in UTC in every
language"): Django formats a date or time a template shows bare in the active language's own
way ("Dec. 24, 2026", "2026年12月24日", "24 декабря 2026 г."); settings.FORMAT_MODULE_PATH
points here, where each of the six languages takes the one format below."""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
YEAR_MONTH_FORMAT = "Y-m"
MONTH_DAY_FORMAT = "m-d"
