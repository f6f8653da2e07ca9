"""Names the standings engine does not carry: the portfolio held on a day in Hindi, and the party's full name.

The Hindi portfolios are read only when the language is Hindi (one query; none in English), then shown instead
of the English portfolio where one is given (``legislators.names.in_script``). The parties' full names: one
query, in Hindi when the language is Hindi and one is given.
"""

from django.db.models import Q

from legislators.models import Appointment, Party
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


def party_full_names(members):
    """{party id: the party's full name in the chosen script} for the members' parties (one query)."""
    ids = {member.party_id for member in members if member.party_id}
    if not ids:
        return {}
    return {
        pk: in_script(name, name_hi)
        for pk, name, name_hi in Party.objects.filter(pk__in=ids).values_list("pk", "name", "name_hi")
    }
