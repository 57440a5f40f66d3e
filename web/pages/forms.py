"""Forms: the code editor is a widget over a plain <textarea>, so a POST without JS still works."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _


class CodeEditor(forms.Textarea):
    """A textarea the bundle turns into CodeMirror (C highlighting, lint markers, autosave)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {
            "data-code-editor": "c",
            "spellcheck": "false",
            "autocomplete": "off",
            "rows": 24,
            "class": "code-source",
            "aria-describedby": "editor-keys",
        }
        super().__init__({**defaults, **(attrs or {})})


def normalise_newlines(source: str) -> str:
    """Browsers send a textarea's (and FormData's) line breaks as CRLF; store plain LF."""
    return source.replace("\r\n", "\n")


class SourceForm(forms.Form):
    # Size limits are enforced by labs.submissions (413 with a message), not here.
    # Not required here: a hidden <textarea required> under the editor blocked an empty Run
    # with no message at all; the view says what is wrong instead.
    source = forms.CharField(
        widget=CodeEditor(), strip=False, required=False, label=_("Your program")
    )

    def clean_source(self) -> str:
        return normalise_newlines(self.cleaned_data["source"])


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        required=False, label=_("Email (optional)"), help_text=_("Only used to reset a password.")
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")
