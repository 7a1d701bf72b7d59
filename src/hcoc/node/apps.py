from django.apps import AppConfig


class NodeConfig(AppConfig):
    """A state's national node (docs/node.md): its own verified copy of the exchange. Only the
    node's deployment (`hcoc node`) routes to it; the exchange's never imports it."""

    name = "hcoc.node"
    label = "node"
