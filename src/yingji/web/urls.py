from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import audit, home, organisations, regions, tokens, users

app_name_patterns = [
    path("regions/", regions.region_list, name="region_list"),
    path("regions/new/", regions.region_create, name="region_create"),
    path("regions/import/", regions.region_import, name="region_import"),
    path("regions/import/template.<str:fmt>", regions.region_template, name="region_template"),
    path("regions/<str:code>/", regions.region_detail, name="region_detail"),
    path("regions/<str:code>/edit/", regions.region_edit, name="region_edit"),
    path("regions/<str:code>/population/", regions.population_add, name="population_add"),
    path("organisations/", organisations.organisation_list, name="organisation_list"),
    path("organisations/new/", organisations.organisation_create, name="organisation_create"),
    path("organisations/export.xlsx", organisations.organisation_export, name="organisation_export"),
    path("organisations/import/", organisations.organisation_import, name="organisation_import"),
    path(
        "organisations/import/template.<str:fmt>", organisations.organisation_template,
        name="organisation_template",
    ),
    path("organisations/<int:pk>/", organisations.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", organisations.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/delete/", organisations.organisation_delete, name="organisation_delete"),
    path("users/", users.user_list, name="user_list"),
    path("users/<int:pk>/", users.user_detail, name="user_detail"),
    path("me/tokens/", tokens.token_list, name="token_list"),
    path("me/tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("audit/", audit.audit_log, name="audit_log"),
]

urlpatterns = [
    path("", home.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include((app_name_patterns, "web"))),
]
