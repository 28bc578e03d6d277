from django.urls import path

from tenant_apps.schooling import views

app_name = "schooling"
urlpatterns = [
    path("", views.index, name="index"),
    path("annees/nouvelle/", views.school_year_create_page, name="year-create"),
    path("annees/<int:pk>/courante/", views.school_year_set_current_action, name="year-current"),
    path("ecoles/nouvelle/", views.school_create_page, name="school-create"),
    path("ecoles/<int:pk>/", views.school_detail, name="school"),
    path("ecoles/<int:pk>/modifier/", views.school_edit_page, name="school-edit"),
    path("ecoles/<int:pk>/activation/", views.school_active_action, name="school-active"),
    path("ecoles/<int:pk>/classes/nouvelle/", views.class_create_page, name="class-create"),
    path("classes/<int:pk>/", views.class_detail, name="class"),
    path("classes/<int:pk>/modifier/", views.class_edit_page, name="class-edit"),
    path("classes/<int:pk>/affecter/", views.enrolment_set_action, name="enrol"),
    path("affectations/<int:pk>/retirer/", views.enrolment_delete_action, name="unenrol"),
]
