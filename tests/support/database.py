"""The reference data every test starts from: the registry of states and the launch sites."""


def load_reference() -> None:
    from hcoc.sites.services import sites_load_catalogue
    from hcoc.states.services import registry_load_defaults

    registry_load_defaults()
    sites_load_catalogue()
