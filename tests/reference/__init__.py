"""Plain per-agent reference implementations used to dock the array model (see ``twin.py``)."""
