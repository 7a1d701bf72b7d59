from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from hcoc.accounts.services import operator_enrolment_issue, user_by_username
from hcoc.lib.errors import DomainError


class Command(BaseCommand):
    help = (
        "Users: `hcoc user enrol USERNAME` prints a single-use enrolment link (valid "
        "HCOC_ENROLMENT_LINK_HOURS) with which the person sets the user's password."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        enrol = sub.add_parser(
            "enrol",
            help="Print an enrolment link for USERNAME (a state's user only while it has no "
            "password of its own); earlier links of the user stop working",
        )
        enrol.add_argument("username")

    def handle(self, *args, **opts):
        try:
            raw = operator_enrolment_issue(user=user_by_username(opts["username"]))
        except DomainError as e:
            raise CommandError(e.detail) from e
        self.stdout.write(settings.SITE_URL + reverse("accounts:enrol", kwargs={"token": raw}))
