from django.urls import path

from shared_apps.console import backup_views, payfip_views, views
from shared_apps.jobs import views as jobs_views

app_name = "console"
urlpatterns = [
    path("", views.fleet, name="fleet"),
    path("connexion/", views.console_login, name="login"),
    path("deconnexion/", views.console_logout, name="logout"),
    path("nouvelle-commune/", views.commune_new, name="commune_new"),
    path("communes/<slug:slug>/", views.commune_detail, name="commune"),
    path("communes/<slug:slug>/domaines/", views.commune_domain_add, name="domain_add"),
    path(
        "communes/<slug:slug>/domaines/<int:domain_id>/supprimer/",
        views.commune_domain_remove,
        name="domain_remove",
    ),
    path("communes/<slug:slug>/sauvegardes/", backup_views.commune_backups, name="backups"),
    path(
        "communes/<slug:slug>/sauvegardes/maintenant/",
        backup_views.commune_backup_now,
        name="backup_now",
    ),
    path(
        "communes/<slug:slug>/sauvegardes/<int:backup_id>/restaurer/",
        backup_views.commune_restore,
        name="commune_restore",
    ),
    path("restaurations/<int:restore_id>/", backup_views.restore_detail, name="restore"),
    path("communes/<slug:slug>/supprimer/", views.commune_delete_page, name="commune_delete"),
    path("communes/<slug:slug>/payfip/", payfip_views.commune_payfip_update, name="payfip"),
    path(
        "communes/<slug:slug>/<slug:action>/",
        views.commune_status_action,
        name="commune_action",
    ),
    path("creations/<int:job_id>/", views.job_detail, name="job"),
    path("creations/<int:job_id>/relancer/", views.job_retry, name="job_retry"),
    path("annonces/", views.announcement_list, name="announcements"),
    path("annonces/nouvelle/", views.announcement_new, name="announcement_new"),
    path(
        "annonces/<int:announcement_id>/terminer/",
        views.announcement_end_now,
        name="announcement_end",
    ),
    path("journal/", views.audit_log, name="audit"),
    path("taches/", jobs_views.jobs_page, name="jobs"),
]
