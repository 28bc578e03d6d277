"""Ops API routes, mounted at /api/v1/ on the ops host."""

from django.urls import path

from shared_apps.opsapi import api, backup_api, payfip_api

urlpatterns = [
    path("jeton/", api.TokenObtainView.as_view(), name="ops-api-token"),
    path("communes/", api.CommuneListView.as_view(), name="ops-api-communes"),
    path("communes/<slug:slug>/", api.CommuneDetailView.as_view(), name="ops-api-commune"),
    path("communes/<slug:slug>/suspendre/", api.CommuneSuspendView.as_view()),
    path("communes/<slug:slug>/reactiver/", api.CommuneReactivateView.as_view()),
    path("communes/<slug:slug>/archiver/", api.CommuneArchiveView.as_view()),
    path("communes/<slug:slug>/supprimer/", api.CommuneDeleteView.as_view()),
    path("communes/<slug:slug>/domaines/", api.DomainListView.as_view()),
    path(
        "communes/<slug:slug>/payfip/",
        payfip_api.CommunePayfipView.as_view(),
        name="ops-api-payfip",
    ),
    path("communes/<slug:slug>/domaines/<str:hostname>/", api.DomainDetailView.as_view()),
    path(
        "communes/<slug:slug>/sauvegardes/",
        backup_api.BackupListView.as_view(),
        name="ops-api-backups",
    ),
    path(
        "communes/<slug:slug>/restaurations/",
        backup_api.RestoreCreateView.as_view(),
        name="ops-api-restores",
    ),
    path(
        "restaurations/<int:restore_id>/",
        backup_api.RestoreDetailView.as_view(),
        name="ops-api-restore",
    ),
    path("creations/<int:job_id>/", api.JobDetailView.as_view(), name="ops-api-job"),
    path("creations/<int:job_id>/relancer/", api.JobRetryView.as_view()),
    path("annonces/", api.AnnouncementListView.as_view(), name="ops-api-announcements"),
    path("annonces/<int:announcement_id>/terminer/", api.AnnouncementEndView.as_view()),
    path("journal/", api.AuditListView.as_view(), name="ops-api-audit"),
]
