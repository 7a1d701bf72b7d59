"""A feed item's subject as a link to its page (the page each app registered: exchange.links)."""

from django import template
from django.utils.html import format_html

from hcoc.exchange.links import subject_link
from hcoc.exchange.models import EventKind
from hcoc.exchange.shown import shown_mark as shown_signature
from hcoc.ui.bidi import isolated

register = template.Library()


@register.simple_tag(takes_context=True)
def item_link(context, item: dict) -> str:
    """A link for those who may open the subject; a plain mention for the others (a restricted
    invitation is a link only for its addressees, the inviter and the ICC). The subject is a
    reference or a code ('FRA-2026-0003', 'FRA/2025'): isolated left to right (hcoc.ui.bidi)."""
    href, withheld = subject_link(item, context["request"].user)
    if href:
        return format_html('<a href="{}">{}</a>', href, isolated(item["subject"]))
    if withheld:
        return format_html('<span class="help">{}</span>', withheld)
    return isolated(item["subject"])


@register.filter
def kind_label(kind: str) -> str:
    """A feed item's kind as people read it ("Notification submitted"); the API keeps the code."""
    try:
        return EventKind(kind).label.capitalize()
    except ValueError:
        return kind


@register.simple_tag(takes_context=True)
def shown_mark(context, seq: int) -> str:
    """A hidden input that proves the page showed item `seq` to the user's state
    (hcoc.exchange.shown): the acknowledge form accepts only items with one."""
    state_id = context["request"].user.state_id
    if not state_id:
        return ""
    return format_html(
        '<input type="hidden" name="shown" value="{}">', shown_signature(state_id, seq)
    )
