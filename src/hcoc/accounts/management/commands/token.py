from django.core.management.base import BaseCommand, CommandError

from hcoc.accounts.models import ApiToken
from hcoc.accounts.services import operator_token_issue, token_revoke, user_by_username
from hcoc.lib.errors import DomainError


class Command(BaseCommand):
    help = (
        "API tokens: `hcoc token create USER [--name N]` (ICC users only: a state's user makes "
        "its own on /account), `hcoc token list USER`, `hcoc token revoke PREFIX`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser(
            "create",
            help="Create a token for an ICC user; it is printed once and stored hashed",
        )
        create.add_argument("username")
        create.add_argument("--name", default="")
        lst = sub.add_parser("list", help="List a user's tokens (prefixes only)")
        lst.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke the token starting with PREFIX")
        revoke.add_argument("prefix")

    def handle(self, *args, **opts):
        try:
            if opts["action"] == "create":
                user = user_by_username(opts["username"])
                _, raw = operator_token_issue(user=user, name=opts["name"])
                self.stdout.write(raw)
            elif opts["action"] == "list":
                for t in user_by_username(opts["username"]).api_tokens.all():
                    state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
                    self.stdout.write(
                        f"{t.prefix}…\t{t.name}\t{t.created_at:%Y-%m-%d %H:%M}Z\t{state}"
                    )
            else:
                matches = list(ApiToken.objects.filter(prefix__startswith=opts["prefix"][:12]))
                matches = [
                    t
                    for t in matches
                    if opts["prefix"].startswith(t.prefix) or t.prefix.startswith(opts["prefix"])
                ]
                if len(matches) != 1:
                    raise CommandError(
                        f"{len(matches)} tokens match {opts['prefix']!r}; give more of it"
                    )
                token_revoke(token=matches[0])
                self.stdout.write(f"revoked {matches[0].prefix}…")
        except DomainError as e:
            raise CommandError(e.detail) from e
