from django.urls import path

from tenant_apps.catering import views

app_name = "catering"
urlpatterns = [
    path("", views.orders_page, name="orders"),
    path("<int:pk>/", views.order_detail, name="order"),
    path("<int:pk>/renvoyer/", views.order_resend_action, name="order-resend"),
    path("<int:pk>/verifier/", views.order_check_action, name="order-check"),
    path("prestataires/", views.caterers_page, name="caterers"),
    path("prestataires/nouveau/", views.caterer_create_page, name="caterer-create"),
    path("prestataires/<int:pk>/modifier/", views.caterer_edit_page, name="caterer-edit"),
]
