"""Badge rendering and ESC/POS printer back ends."""
