from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("Metrics")

    def ready(self):
        # The standings table follows the counts, people, rolls and targets it is computed from.
        from metrics.standings import upkeep

        upkeep.connect()
