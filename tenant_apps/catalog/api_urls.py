from rest_framework.routers import SimpleRouter

from tenant_apps.catalog.api import RegistrationViewSet, ServiceViewSet

router = SimpleRouter()
router.register("prestations", ServiceViewSet, basename="api-service")
router.register("inscriptions", RegistrationViewSet, basename="api-registration")
urlpatterns = router.urls
