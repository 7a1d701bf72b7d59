from django.contrib import admin

from .models import LaunchSite


@admin.register(LaunchSite)
class LaunchSiteAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "state", "lat", "lon", "kinds", "site_kind")
    search_fields = ("id", "name")
