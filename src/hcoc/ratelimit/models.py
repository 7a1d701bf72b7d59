"""No models. The module exists so that Django sends `post_migrate` for this app, whose handler
creates the database cache's table (apps.py)."""
