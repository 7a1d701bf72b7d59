import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hcoc.settings")
application = get_wsgi_application()

from hcoc.project.warm import warm  # noqa: E402

warm()
