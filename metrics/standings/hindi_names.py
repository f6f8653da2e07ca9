"""Names an admin gives in Hindi that the standings engine does not carry: the portfolio held on a day.

Read only when the language is Hindi (one query; none in English), then shown instead of the English
portfolio where one is given (``legislators.names.in_script``).
"""

from django.db.models import Q

from legislators.models import Appointment
from legislators.names import hindi_chosen, in_script


def portfolios_in_hindi(*, day):
    """{person id: the Hindi portfolio of the appointment held on ``day``} when the language is Hindi, else {}."""
    if not hindi_chosen():
        return {}
    return dict(
        Appointment.objects.filter(start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .exclude(portfolio_hi="")
        .values_list("legislator_id", "portfolio_hi")
    )


def localise_portfolios(members, *, day):
    """Set each member's ``portfolio`` to its Hindi one when the language is Hindi and one is given."""
    hindi = portfolios_in_hindi(day=day)
    if hindi:
        for member in members:
            member.portfolio = in_script(member.portfolio, hindi.get(member.id, ""))
    return members
