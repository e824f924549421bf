# This app's API routes; included under /api/v1/ by config/urls.py.
from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns = router.urls
