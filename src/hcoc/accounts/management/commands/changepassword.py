"""`hcoc changepassword USERNAME`: Django's command, refused for a state's user.

A state's user's password is that person's alone (set through an enrolment link): were the
server's operator able to set it, the relay could log in and act as the state. This command
takes the place of django.contrib.auth's (hcoc.accounts is listed before it in INSTALLED_APPS,
and the first app to have a command wins).
"""

import getpass

from django.contrib.auth.management.commands import changepassword
from django.core.management.base import CommandError

from hcoc.accounts.access import is_state_user
from hcoc.accounts.models import User


class Command(changepassword.Command):
    help = (
        "Change the password of an ICC user (or an administrator of no state). A state's user "
        "sets its own, through an enrolment link (`hcoc user enrol USERNAME`)."
    )

    def handle(self, *args, **options):
        username = options["username"] or getpass.getuser()
        user = User._default_manager.using(options["database"]).filter(username=username).first()
        if user is not None and is_state_user(user):
            if user.has_usable_password():
                remedy = (
                    "If they have lost it, create a new user for them in the ICC console and "
                    "disable this one."
                )
            else:
                remedy = f"Give them an enrolment link: `hcoc user enrol {username}`."
            raise CommandError(
                f"{username} is a user of {user.state_id or 'a state'}: only they set their "
                f"password, so that no one running the exchange can act as their state. {remedy}"
            )
        return super().handle(*args, **options)
