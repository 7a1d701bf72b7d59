from django.core.management.base import BaseCommand

from hcoc.sites.services import sites_load_catalogue
from hcoc.states.services import registry_load_defaults


class Command(BaseCommand):
    help = "Load the shipped reference data: the registry of states (new states only) and the launch-site catalogue."

    def handle(self, *args, **options):
        added = registry_load_defaults()
        sites = sites_load_catalogue()
        self.stdout.write(f"registry: {added} state(s) added; sites: {sites} loaded")
