from django.urls import path

from cop.guidance.feeds import NewResourcesFeed
from cop.guidance.views import guidelines, library, open_data, pdf
from cop.guidance.views import search as search_views

app_name = "guidance"

urlpatterns = [
    path("guidelines/", guidelines.index, name="index"),
    path("guidelines/<slug:audience>/", guidelines.audience_page, name="audience"),
    path("guidelines/<slug:audience>/print.pdf", pdf.set_pdf, name="audience-pdf"),
    path("guidelines/<slug:audience>/<slug:group>/", guidelines.group_page, name="group"),
    path("guidelines/<slug:audience>/<slug:group>/print.pdf", pdf.set_pdf, name="group-pdf"),
    path("guidelines/<slug:audience>/<slug:group>/<slug:slug>/", guidelines.item_page, name="item"),
    path("guidelines/<slug:audience>/<slug:group>/<slug:slug>/edit/", guidelines.item_edit, name="item-edit"),
    path(
        "guidelines/<slug:audience>/<slug:group>/<slug:slug>/history/",
        guidelines.item_history,
        name="item-history",
    ),
    path(
        "guidelines/<slug:audience>/<slug:group>/<slug:slug>/history/<int:number>/restore/",
        guidelines.item_restore,
        name="item-restore",
    ),
    path("library/", library.library, name="library"),
    path("library/feed/", NewResourcesFeed(), name="library-feed"),
    path("library/submit/", library.resource_submit, name="resource-submit"),
    path("library/mine/", library.my_resources, name="my-resources"),
    path("library/moderation/", library.moderation_queue, name="moderation"),
    path("library/<slug:slug>/", library.resource_detail, name="resource"),
    path("library/<slug:slug>/edit/", library.resource_edit, name="resource-edit"),
    path("library/<slug:slug>/file/", library.resource_file, name="resource-file"),
    path("library/<slug:slug>/moderate/", library.resource_moderate, name="resource-moderate"),
    path("search/", search_views.site_search, name="search"),
    path("open-data/", open_data.open_data, name="open-data"),
    path("open-data/guidelines.json", open_data.guidelines_json, name="open-data-guidelines-json"),
    path("open-data/guidelines.csv", open_data.guidelines_csv, name="open-data-guidelines-csv"),
    path("open-data/resources.json", open_data.resources_json, name="open-data-resources-json"),
    path("open-data/resources.csv", open_data.resources_csv, name="open-data-resources-csv"),
    path("translations/", open_data.translations, name="translations"),
]
