from django.urls import path

from tenant_apps.messaging import views

app_name = "messaging"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.conversation_detail, name="conversation"),
    path("<int:pk>/repondre/", views.conversation_reply, name="reply"),
    path("<int:pk>/etat/", views.conversation_status, name="status"),
    path("services/", views.boxes, name="boxes"),
    path("services/<int:pk>/", views.box_edit, name="box_edit"),
]
