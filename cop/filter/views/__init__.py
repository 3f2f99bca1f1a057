"""Pages of the family filter by topic: families, profiles, entries, schedules, devices, requests, reports."""
