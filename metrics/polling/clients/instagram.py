"""Instagram professional accounts through Business Discovery.

``GET /{version}/{our business account id}?fields=business_discovery.username(h){…}``:
one account per call, asked on our own IG business account. Code 110 with
subcode 2207013 means the handle is a personal account or does not exist
(Instagram does not tell the two apart): status "private / not professional",
no number stored. Business Discovery works only by username, so a renamed
account looks the same; the id it last had is kept to help spot it.
"""

from legislators.models import SocialAccount

from .base import AccountResult, FetchOutcome, PlatformError, as_count
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
        )

    def fetch(self, accounts):
        outcome = FetchOutcome()
        for account in accounts:
            outcome.results.append(self._one(outcome, account))
        return outcome

    def _one(self, outcome, account):
        handle = account.handle.strip().lstrip("@").rstrip("/").rsplit("/", 1)[-1]
        fields = f"business_discovery.username({handle}){{id,username,followers_count,media_count}}"
        try:
            body = self.api.get(outcome, self.business_account_id, {"fields": fields})
        except GraphApiError as error:
            if error.code == 110 and error.subcode in NOT_PROFESSIONAL_SUBCODES:
                hint = f" (it had id {account.platform_id}: renamed?)" if account.platform_id else ""
                return AccountResult(
                    account_id=account.pk,
                    status=Status.PRIVATE,
                    error=f"not a professional account, or no such account{hint}",
                )
            if error.subcode in NOT_FOUND_SUBCODES or error.code in (100, 803):
                return AccountResult(account_id=account.pk, status=Status.NOT_FOUND, error=error.message)
            raise PlatformError(f"instagram: {error}") from None
        found = body.get("business_discovery")
        if not isinstance(found, dict):
            return AccountResult(account_id=account.pk, status=Status.ERROR, error="no business_discovery in the reply")
        followers = as_count(found.get("followers_count"))
        if followers is None:
            return AccountResult(account_id=account.pk, status=Status.HIDDEN, error="no follower count in the reply")
        return AccountResult(
            account_id=account.pk,
            followers=followers,
            posts=as_count(found.get("media_count")),
            platform_id=str(found.get("id") or ""),
        )
