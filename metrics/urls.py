from django.urls import path

from . import views

app_name = "metrics"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("poll/", views.poll_now, name="poll"),
]
