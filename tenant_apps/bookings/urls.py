from django.urls import include, path

from tenant_apps.bookings import views_closures, views_custody, views_mass

app_name = "bookings"
urlpatterns = [
    path("", views_closures.index, name="index"),
    # Fermetures (closure periods)
    path("fermetures/", views_closures.closure_list, name="closures"),
    path("fermetures/nouvelle/", views_closures.closure_create_page, name="closure-create"),
    path("fermetures/<int:pk>/", views_closures.closure_detail_page, name="closure"),
    path("fermetures/<int:pk>/supprimer/", views_closures.closure_delete_page,
         name="closure-delete"),
    # Réserver en masse
    path("masse/", views_mass.mass_booking_page, name="mass"),
    # Garde selon accord (jours attribués à chaque foyer d'un enfant)
    path("garde/<int:child_id>/", views_custody.custody_page, name="custody"),
    path("garde/<int:child_id>/<int:pk>/retirer/", views_custody.custody_delete_action,
         name="custody-delete"),
    # Pointage, effectifs, liste d'attente, historique d'un enfant
    path("", include("tenant_apps.bookings.urls_attendance")),
]
