from django.urls import path

from tenant_apps.reminders import views

app_name = "reminders"
urlpatterns = [
    path("", views.reminders_page, name="list"),
    path("nouveau/", views.reminder_create_page, name="create"),
    path("<int:pk>/modifier/", views.reminder_edit_page, name="edit"),
    path("<int:pk>/apercu/", views.reminder_preview_page, name="preview"),
]
