from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from cop.api import api
from cop.core import views as core_views

urlpatterns = [
    path("health/", core_views.health, name="health"),
    path("api/", core_views.api_index, name="api-index"),
    path("api/v1/", api.urls),
]
urlpatterns += i18n_patterns(
    path("", include("cop.core.urls")),
    path("threats/", include("cop.threats.urls")),
    path("", include("cop.guidance.urls")),
    path("help/", include("cop.helplines.urls")),
    path("report/", include("cop.reports.urls")),
    path("alerts/", include("cop.alerts.urls")),
    path("filter/", include("cop.filter.urls")),
    path("survey/", include("cop.survey.campaign_urls")),
    path("survey/", include("cop.survey.urls")),
)

handler400 = "cop.core.views.error_400"
handler403 = "cop.core.views.error_403"
handler404 = "cop.core.views.error_404"
handler500 = "cop.core.views.error_500"
