from django.urls import path

from tenant_apps.accounts.api import MeView

urlpatterns = [path("moi/", MeView.as_view(), name="api-me")]
