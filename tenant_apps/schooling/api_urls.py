from rest_framework.routers import SimpleRouter

from tenant_apps.schooling.api import SchoolClassViewSet, SchoolViewSet, SchoolYearViewSet

# SimpleRouter: no ".json" format suffixes, one URL per resource.
router = SimpleRouter()
router.register("annees-scolaires", SchoolYearViewSet, basename="api-school-year")
router.register("ecoles", SchoolViewSet, basename="api-school")
router.register("classes", SchoolClassViewSet, basename="api-school-class")
urlpatterns = router.urls
