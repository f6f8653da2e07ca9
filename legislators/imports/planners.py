"""The checker of each import kind (plan.py for places, accounts and counts; people.py for legislators)."""

from legislators.models import ImportBatch

from .people import plan_legislators
from .plan import plan_accounts, plan_constituencies, plan_counts, plan_voter_rolls

Kind = ImportBatch.Kind

PLANNERS = {
    Kind.CONSTITUENCIES: plan_constituencies,
    Kind.VOTER_ROLLS: plan_voter_rolls,
    Kind.LEGISLATORS: plan_legislators,
    Kind.ACCOUNTS: plan_accounts,
    Kind.COUNTS: plan_counts,
}
