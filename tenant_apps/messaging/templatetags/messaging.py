from typing import Any

from django import template

from tenant_apps.messaging.selectors import unread_conversations_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_conversations(context: Any) -> int:
    """`{% unread_conversations as n %}`: conversations with a family message unread.

    A page that already counted them (the dashboard) passes `unread_messages`, so the
    tab badge does not ask the database a second time."""
    if "unread_messages" in context:
        return int(context["unread_messages"])
    return unread_conversations_count()
