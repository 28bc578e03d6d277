from django.urls import path

from tenant_apps.bookings import portal_mass, portal_views

urlpatterns = [
    path("", portal_views.grid_page, name="bookings"),
    path("case/", portal_views.cell_action, name="booking-cell"),
    path("semaine/", portal_views.week_action, name="booking-week"),
    path("masse/", portal_mass.mass_page, name="booking-mass"),
]
