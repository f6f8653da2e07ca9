from django.urls import path

from metrics.reports import views as export_views

from . import connections, local, tokens, views

app_name = "metrics"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("stagnant/", views.stagnant, name="stagnant"),
    path("divisions/", views.divisions, name="divisions"),
    path("divisions/<int:pk>/", views.division_detail, name="division"),
    path("districts/<int:pk>/", views.district_detail, name="district"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("constituencies/<int:pk>/", views.constituency_detail, name="constituency"),
    path("search/", views.search, name="search"),
    path("freshness/", views.freshness, name="freshness"),
    path("local/", local.local, name="local"),
    path("counts/enter/", views.count_enter, name="count_enter"),
    path("exports/<slug:kind>.<str:fmt>", export_views.export, name="export"),
    path("poll/", views.poll_now, name="poll"),
    path("members/<int:pk>/connections/", connections.member_connections, name="member_connections"),
    path("members/<int:pk>/connections/link/", connections.link_create, name="connect_link_create"),
    path("connections/start/<int:account_id>/", connections.connect_start, name="connect_start"),
    path("connections/callback/", connections.callback, name="connect_callback"),
    path("connections/<int:pk>/revoke/", connections.revoke, name="connection_revoke"),
    path("connect/<str:token>/", connections.link_page, name="connect_link"),
    path("account/tokens/", tokens.api_tokens, name="api_tokens"),
    path("account/tokens/<int:pk>/revoke/", tokens.api_token_revoke_view, name="api_token_revoke"),
]
