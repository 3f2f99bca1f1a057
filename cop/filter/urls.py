from django.urls import path

from cop.filter.views import (
    devices,
    entries,
    families,
    invitations,
    lists,
    profiles,
    reports,
    requests,
    schedules,
    setup,
)

app_name = "filter"

urlpatterns = [
    path("", families.dashboard, name="dashboard"),
    path("families/new/", families.family_create, name="family-create"),
    path("families/<int:pk>/", families.family_detail, name="family"),
    path("families/<int:pk>/edit/", families.family_edit, name="family-edit"),
    path("families/<int:pk>/invitations/", invitations.invitation_create, name="invitation-create"),
    path(
        "families/<int:pk>/invitations/<int:invitation_pk>/revoke/",
        invitations.invitation_revoke,
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", invitations.invitation, name="invitation"),
    path("families/<int:family_pk>/profiles/new/", profiles.profile_create, name="profile-create"),
    path("profiles/<int:pk>/", profiles.profile_detail, name="profile"),
    path("profiles/<int:pk>/settings/", profiles.profile_settings, name="profile-settings"),
    path("profiles/<int:pk>/delete/", profiles.profile_delete, name="profile-delete"),
    path("profiles/<int:pk>/pause/", profiles.profile_pause, name="pause"),
    path("profiles/<int:pk>/resume/", profiles.profile_resume, name="resume"),
    path("profiles/<int:pk>/entries/", entries.entry_add, name="entry-add"),
    path("entries/<int:pk>/delete/", entries.entry_delete, name="entry-delete"),
    path("profiles/<int:pk>/schedules/new/", schedules.schedule_create, name="schedule-create"),
    path("profiles/<int:pk>/schedules/ready-made/", schedules.schedule_template, name="schedule-template"),
    path("schedules/<int:pk>/", schedules.schedule_edit, name="schedule-edit"),
    path("schedules/<int:pk>/delete/", schedules.schedule_delete, name="schedule-delete"),
    path("profiles/<int:pk>/devices/new/", devices.device_create, name="device-create"),
    path("devices/<int:pk>/", devices.device_detail, name="device"),
    path("devices/<int:pk>/delete/", devices.device_delete, name="device-delete"),
    path("devices/<int:pk>/apple-profile/", setup.device_apple_profile, name="device-apple-profile"),
    path("devices/<int:pk>/ask-link/", devices.device_new_ask_link, name="device-ask-link"),
    path("requests/<int:pk>/approve/", requests.request_approve, name="request-approve"),
    path("requests/<int:pk>/decline/", requests.request_decline, name="request-decline"),
    path("profiles/<int:pk>/report/", reports.report, name="report"),
    path("profiles/<int:pk>/query-log/", reports.query_log, name="query-log"),
    path("ask/<str:token>/", requests.ask, name="ask"),
    path("lists/", lists.list_index, name="lists"),
    path("lists/new/", lists.list_create, name="list-create"),
    path("local-names/", lists.local_records, name="local-records"),
    path("local-names/<int:pk>/delete/", lists.local_record_delete, name="local-record-delete"),
    path("lists/<int:pk>/", lists.list_detail, name="list"),
    path("lists/<int:pk>/edit/", lists.list_edit, name="list-edit"),
    path("lists/<int:pk>/refresh/", lists.list_refresh, name="list-refresh"),
    path("lists/<int:pk>/versions/<int:number>/", lists.version_detail, name="list-version"),
    path(
        "lists/<int:pk>/versions/<int:number>/progress/", lists.version_progress, name="list-version-progress"
    ),
]
