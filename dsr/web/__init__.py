"""dsr's web page: ``dsr serve`` on a member's own computer, or hosted by an NGO.

    from dsr.web import create_app
    app = create_app(hosted=True, operator="Example NGO",
                     privacy_url="https://example.org/privacy")

``create_app`` returns a WSGI application (Flask): ``dsr serve`` runs it on
waitress; behind gunicorn, ``gunicorn -w 4 'dsr.web:create_app(hosted=True)'``
(set DSR_SECRET_KEY to the same value on every instance, so that a form made by
one is accepted by another).
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
