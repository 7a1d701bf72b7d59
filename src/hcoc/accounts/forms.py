"""The forms of the account pages: login, the second factor, enrolment."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .services import PASSWORD_MIN_LENGTH


class LoginForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput)
    code = forms.CharField(
        label=gettext_lazy("Two-factor code"),
        required=False,
        max_length=10,
        help_text=gettext_lazy(
            "The 6-digit code of your authenticator app, if you have enrolled one."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ConfirmForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code from your authenticator app"), max_length=10)


class EnrolForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("New password"),
        min_length=PASSWORD_MIN_LENGTH,
        max_length=200,
        strip=False,
        help_text=gettext_lazy("At least 12 characters. Only you will know it."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=gettext_lazy("The same password again"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data
