"""Adapters for the registration list: local store, importers, sync engine, hub."""
