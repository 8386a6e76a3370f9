"""The WSGI entry point that gunicorn serves: ``gunicorn wsgi:app``."""

from intake import create_app

app = create_app()
