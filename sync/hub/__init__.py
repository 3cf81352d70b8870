"""The organisers' hub: one HTTP API that every kiosk syncs with.

``sync.hub.db`` holds the storage (SQLite or PostgreSQL through SQLAlchemy Core),
``sync.hub.app`` the FastAPI application. This package imports neither on its own so the
kiosk side (``sync.hub_client``) stays light.
"""
