from django.urls import path

from tenant_apps.questionnaires import views

app_name = "questionnaires"
urlpatterns = [
    path("", views.questionnaire_index, name="list"),
    path("nouveau/", views.questionnaire_new, name="new"),
    path("<int:pk>/", views.questionnaire_detail, name="detail"),
    path("<int:pk>/questions/", views.question_new, name="question_new"),
    path("<int:pk>/questions/<int:question_pk>/", views.question_change, name="question_change"),
    path("<int:pk>/ouvrir/", views.questionnaire_open_view, name="open"),
    path("<int:pk>/clore/", views.questionnaire_close_view, name="close"),
    path("<int:pk>/reponses/", views.answers_page, name="answers"),
    path("<int:pk>/reponses.xlsx", views.answers_export_xlsx, name="export_xlsx"),
    path("<int:pk>/reponses.csv", views.answers_export_csv, name="export_csv"),
]
