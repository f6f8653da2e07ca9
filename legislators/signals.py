"""Signals the people and places send for what is measured to follow, without knowing it.

``people_changed``: a write that bypasses the models' save signals (a bulk
update) changed who is a member or what is measured of them. Arguments:
``legislator_ids`` and ``since`` (the first day affected; None: every day).
"""

from django.dispatch import Signal

people_changed = Signal()
