from django.urls import path

from . import export_views, views

app_name = "metrics"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("exports/<slug:kind>.<str:fmt>", export_views.export, name="export"),
]
