from django.contrib import admin
from django.urls import include, path

from .api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("yingji.surveillance.urls", namespace="surveillance")),
    path("", include("yingji.detection.urls", namespace="detection")),
    path("", include("yingji.response.urls", namespace="response")),
    path("", include("yingji.web.urls")),
]
