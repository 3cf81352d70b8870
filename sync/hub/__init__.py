"""The organisers' hub: one HTTP API that every kiosk syncs with.

``sync.hub.db`` holds the storage (SQLite or PostgreSQL through SQLAlchemy Core, schema
revisions with Alembic in ``sync/hub/migrations``), ``sync.hub.app`` the FastAPI
application factory, ``sync.hub.routers`` its routes, ``sync.hub.models`` every request
and answer, ``sync/hub/templates`` and ``sync/hub/static`` the organiser page. This package
imports none of them on its own so the kiosk side (``sync.hub_client``) stays light.
"""
