"""The read API under /api/v1/ (README "API"): Django REST framework and drf-spectacular.

The web layer, like metrics.web: it reads through metrics.standings and
metrics.reports with the pages' filter form and legislators.access's scope.
Nothing imports it but the URLs (and the settings, by name).
"""
