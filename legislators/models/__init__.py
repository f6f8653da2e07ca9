"""Who is tracked: divisions, districts, constituencies, voter rolls, parties,
legislators and their social accounts.

Every rule that protects the numbers is a database constraint, so that the
admin, the importers and a stray shell session are all held to it.
"""

from .accounts import AccountKind, AccountStatus, ChangeSource, HandleChange, Platform, SocialAccount, UserScope
from .people import MINISTER_ROLES, Appointment, Aspirant, Legislator, Role, Term, overlapping
from .places import Constituency, ConstituencyShape, District, Division, Party, VoterRoll
from .records import AuditEntry, ChangeMark, ImportBatch

__all__ = [
    "MINISTER_ROLES",
    "AccountKind",
    "AccountStatus",
    "Appointment",
    "Aspirant",
    "AuditEntry",
    "ChangeMark",
    "ChangeSource",
    "Constituency",
    "ConstituencyShape",
    "District",
    "Division",
    "HandleChange",
    "ImportBatch",
    "Legislator",
    "Party",
    "Platform",
    "Role",
    "SocialAccount",
    "Term",
    "UserScope",
    "VoterRoll",
    "overlapping",
]
