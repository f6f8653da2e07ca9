from django.urls import path

from . import views

app_name = "api"
urlpatterns = [
    path("members/", views.MembersView.as_view(), name="members"),
    path("members/<int:pk>/", views.MemberView.as_view(), name="member"),
    path("members/<int:pk>/history/", views.MemberHistoryView.as_view(), name="member_history"),
    path("constituencies/", views.ConstituenciesView.as_view(), name="constituencies"),
    path("constituencies/<int:pk>/", views.ConstituencyView.as_view(), name="constituency"),
    path("standings/", views.StandingsView.as_view(), name="standings"),
    path("rollups/", views.RollupsView.as_view(), name="rollups"),
    path("fetch-runs/", views.FetchRunsView.as_view(), name="fetch_runs"),
    path("freshness/", views.FreshnessView.as_view(), name="freshness"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.docs_view, name="docs"),
]
