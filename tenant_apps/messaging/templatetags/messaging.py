from django import template

from tenant_apps.messaging.selectors import unread_conversations_count

register = template.Library()


@register.simple_tag
def unread_conversations() -> int:
    """`{% unread_conversations as n %}`: conversations with a family message unread."""
    return unread_conversations_count()
