"""Portal pages of the messaging, included at /messagerie/ by tenant_apps.portal.urls."""

from django.urls import path

from tenant_apps.messaging import portal_views

app_name = "messaging"
urlpatterns = [
    path("", portal_views.conversation_list, name="list"),
    path("nouveau/", portal_views.conversation_new, name="new"),
    path("<int:pk>/", portal_views.conversation_page, name="conversation"),
]
