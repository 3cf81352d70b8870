"""Sub-commands of `accueil`: each module adds one with register(subparsers)."""
