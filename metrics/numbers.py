"""Numbers as an Indian reader writes them: digit grouping (1,23,45,678), lakh and crore, n/a.

Pure functions (no database, no template machinery): the template filters,
the charts and the commands all call these.
"""

import math

from django.utils.translation import gettext as _


def indian_number(value):
    """12345678 → '1,23,45,678'; None → 'n/a'."""
    if value is None or value == "":
        return _("n/a")
    try:
        number = int(round(float(value)))
    except (TypeError, ValueError, OverflowError):
        return _("n/a")
    sign = "-" if number < 0 else ""
    digits = str(abs(number))
    if len(digits) <= 3:
        return sign + digits
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return sign + ",".join(groups + [tail])


def lakh_crore(value):
    """A headline figure: 5,60,57,953 → '5.61 crore'; 2,45,000 → '2.45 lakh'."""
    if value is None:
        return _("n/a")
    try:
        value = float(value)
    except (TypeError, ValueError):
        return _("n/a")
    if not math.isfinite(value):
        return _("n/a")
    if abs(value) >= 1e7:
        return _("%(n).2f crore") % {"n": value / 1e7}
    if abs(value) >= 1e5:
        return _("%(n).2f lakh") % {"n": value / 1e5}
    return indian_number(value)
