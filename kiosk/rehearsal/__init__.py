"""`accueil rehearse`: a hub, several headless kiosks and an arrival wave, with faults."""
