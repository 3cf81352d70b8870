"""The check-in core: pure domain logic, no IO library imported (see pyproject's contracts)."""
