"""Login throttling with django-axes: who the client is, and what its failures are counted by.

Two limits (README "Security"):
- AXES_FAILURE_LIMIT failed logins for one username from one address lock that pair out;
- AXES_ADDRESS_FAILURE_LIMIT (higher) failed logins from one address, whatever the usernames,
  lock the whole address out (one machine trying many usernames).

django-axes 8 has a single failure limit for all its lockout parameters, so the second one is
expressed through its parameters: an address below its own limit is counted by the
(username, address) pair only; once it has reached it, by the address alone, whose count is then
at least AXES_ADDRESS_FAILURE_LIMIT >= AXES_FAILURE_LIMIT, so every login from it is refused until
the cool-off has passed. A successful login resets its pair only (not the address's other failures).
"""

import ipaddress
from datetime import datetime

from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

PAIR = [["username", "ip_address"]]
ADDRESS = ["ip_address"]


def _valid(address):
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request):
    """AXES_CLIENT_IP_CALLABLE: the connecting address, or behind TRUSTED_PROXY_COUNT proxies the
    address the outermost one appended to X-Forwarded-For (entries further left are whatever the
    client sent). Falls back to the connecting address when the header is shorter than that."""
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            address = _valid(forwarded[-count])
            if address:
                return address
    return request.META.get("REMOTE_ADDR")


def address_failures(address, since):
    from axes.models import AccessAttempt

    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def lockout_parameters(request_or_attempt, credentials=None):
    """AXES_LOCKOUT_PARAMETERS: the pair, or the address alone once it reached its own limit."""
    if isinstance(request_or_attempt, HttpRequest):
        address = getattr(request_or_attempt, "axes_ip_address", None) or client_ip(request_or_attempt)
        now = getattr(request_or_attempt, "axes_attempt_time", None)
    else:  # an axes AccessAttempt
        address, now = request_or_attempt.ip_address, None
    since = (now if isinstance(now, datetime) else timezone.now()) - settings.AXES_COOLOFF_TIME
    if address_failures(address, since) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
        return ADDRESS
    return PAIR
