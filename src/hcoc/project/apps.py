from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The composition root's own app, at the top of the layers (docs/decisions/0005): what
    puts the whole exchange together. The demo, `serve`, backup and restore, and the pages that
    gather every app's news (the dashboard, the ICC console's front page). Nothing imports it."""

    name = "hcoc.project"
    label = "project"
