"""The hub's HTTP routes, one router per audience: ``kiosk`` (the sync protocol),
``admin`` (organisers' API) and ``dashboard`` (the organisers' page and its CSV files).

Routes take what they need as dependencies (``sync.hub.dependencies``) and answer with the
models of ``sync.hub.models``; the database answers with data, bodies are made here."""
