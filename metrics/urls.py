from django.urls import path

from . import views

app_name = "metrics"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("counts/enter/", views.count_enter, name="count_enter"),
]
