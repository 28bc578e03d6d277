from django.urls import path

from tenant_apps.questionnaires import views

urlpatterns = [
    path("", views.portal_list, name="questionnaires"),
    path("<int:pk>/", views.portal_answer, name="questionnaire"),
]
