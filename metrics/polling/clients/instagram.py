"""Instagram professional accounts through Business Discovery.

``GET /{version}/{our business account id}?fields=business_discovery.username(h){…}``:
one account per call, asked on our own IG business account. Code 110 with
subcode 2207013 means the handle is a personal account or does not exist
(Instagram does not tell the two apart): status "private / not professional",
no number stored. Business Discovery works only by username, so a renamed
account looks the same; the id it last had is kept to help spot it.

A code 100 that says our own account does not exist (subcode 33, or the
message names INSTAGRAM_BUSINESS_ACCOUNT_ID's value, or the object has no
``business_discovery`` field because the id is not an IG professional
account) comes back on every call: it is our configuration, not the member's
account, so the run stops naming the setting to fix. The results read before
a failing call stay in the outcome: a fault at call k keeps the k−1 counts.
"""

from legislators.models import SocialAccount

from . import replies
from .base import AccountResult, ClientUnavailable, FetchOutcome, PlatformError, as_count, keeping_progress
from .facebook import GraphApi, GraphApiError

Status = SocialAccount.Status
NOT_PROFESSIONAL_SUBCODES = {2207013}
NOT_FOUND_SUBCODES = {2207006}


class InstagramClient:
    name = "instagram"
    max_batch = 25  # one call per account: small batches keep a retry cheap

    def __init__(self, *, access_token, business_account_id, base_url, version, timeout, budget):
        self.business_account_id = business_account_id
        self.api = GraphApi(
            platform="instagram",
            access_token=access_token,
            base_url=base_url,
            version=version,
            timeout=timeout,
            budget=budget,
            token_setting="INSTAGRAM_ACCESS_TOKEN",
        )

    def fetch(self, accounts):
        outcome = FetchOutcome()
        with keeping_progress(outcome):
            self._fetch(accounts, outcome)
        return outcome

    def _fetch(self, accounts, outcome):
        for account in accounts:
            outcome.results.append(self._one(outcome, account))

    def _one(self, outcome, account):
        handle = account.handle.strip().lstrip("@").rstrip("/").rsplit("/", 1)[-1]
        fields = f"business_discovery.username({handle}){{id,username,followers_count,media_count}}"
        try:
            body = self.api.get(outcome, self.business_account_id, {"fields": fields}, endpoint=replies.GRAPH_DISCOVERY)
        except GraphApiError as error:
            if error.code == 110 and error.subcode in NOT_PROFESSIONAL_SUBCODES:
                hint = f" (it had id {account.platform_id}: renamed?)" if account.platform_id else ""
                return AccountResult(
                    account_id=account.pk,
                    status=Status.PRIVATE,
                    error=f"not a professional account, or no such account{hint}",
                )
            if error.subcode in NOT_FOUND_SUBCODES:
                return AccountResult(account_id=account.pk, status=Status.NOT_FOUND, error=error.message)
            if self._about_our_account(error):
                raise ClientUnavailable(
                    f"instagram: Graph code {error.code}/{error.subcode} on our own account "
                    f"{self.business_account_id} ({error.message}): set INSTAGRAM_BUSINESS_ACCOUNT_ID to the id "
                    "of the Instagram professional account linked to the token's Page"
                ) from None
            if error.code in (100, 803):
                # About the request for this member, not our account: that account's error.
                return AccountResult(account_id=account.pk, status=Status.ERROR, error=error.message)
            raise PlatformError(f"instagram: {error}") from None
        found = replies.graph_business_discovery(body, replies.GRAPH_DISCOVERY)
        followers = as_count(found.get("followers_count"))
        if followers is None:
            return AccountResult(account_id=account.pk, status=Status.HIDDEN, error="no follower count in the reply")
        return AccountResult(
            account_id=account.pk,
            followers=followers,
            posts=as_count(found.get("media_count")),
            platform_id=str(found.get("id") or ""),
        )

    def _about_our_account(self, error):
        """Whether a code 100/803 says our own business account id is wrong."""
        if error.code not in (100, 803):
            return False
        return (
            error.subcode == 33
            or self.business_account_id.lower() in error.names()
            or "nonexisting field (business_discovery)" in error.full_message
        )
