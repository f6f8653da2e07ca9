from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from . import admin_names, health

# The admin carries the product's name, in the chosen language (not "Django administration").
admin.site.site_header = _("Follower Tracker administration")
admin.site.site_title = _("Follower Tracker admin")
admin.site.index_title = _("Members, places, accounts and counts")
admin_names.install(admin.site)

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch works before login too (the login page offers Hindi).
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("metrics.api.urls")),
    path("", include("metrics.web.urls")),
]
