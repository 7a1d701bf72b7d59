from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from hcoc.lib.errors import DomainError
from hcoc.states.models import PointOfContact, State, Subscription

from .services import subscription_record


class PointOfContactInline(admin.TabularInline):
    """Shown, not edited: points of contact change on /icc/contacts and /contacts, through the
    service that records each change (registry.services.contact_change)."""

    model = PointOfContact
    extra = 0
    fields = ("name", "organisation", "email", "phone")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    """Status and dates change only through recorded subscriptions or a registry import."""

    list_display = ("iso3", "name", "status", "subscribed_on", "founding")
    list_filter = ("status", "founding")
    search_fields = ("iso3", "name")
    readonly_fields = ("iso3", "status", "subscribed_on", "founding", "source", "notes")
    inlines = [PointOfContactInline]

    def has_add_permission(self, request):
        return False


class SubscriptionAdminForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ("state", "note_reference", "note_received_on", "effective_on")

    def clean(self):
        # The service is the only writer: it runs here so that its errors show on the form.
        data = super().clean()
        if self.errors:
            return data
        try:
            self.recorded = subscription_record(
                actor=self.request_user,
                iso3=data["state"].iso3,
                note_reference=data["note_reference"],
                note_received_on=data["note_received_on"],
                effective_on=data["effective_on"],
            )
        except DomainError as e:
            for problem in e.errors:
                field = problem.field if problem.field in self.fields else None
                self.add_error(field, problem.message)
            if not e.errors:
                raise ValidationError(e.detail) from e
        return data


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    """Recording a subscription here calls the same service as the API and the CLI."""

    form = SubscriptionAdminForm
    list_display = (
        "state",
        "note_reference",
        "note_received_on",
        "effective_on",
        "recorded_at",
        "seq",
    )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request_user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        sub = form.recorded
        obj.pk = sub.pk
        messages.info(
            request,
            f"{sub.state_id} subscribing from {sub.effective_on}; disseminated as item {sub.seq}.",
        )
