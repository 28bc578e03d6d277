"""Messaging: two-way threads between a household and one of the commune's services.

Each message carries a read flag per side; a conversation is unread for a side while
one of its messages is unread by that side."""

from django.conf import settings
from django.db import models


class MessageBox(models.Model):
    """A service of the commune families can write to ("Service enfance", "Restauration")."""

    name = models.CharField("nom", max_length=80, unique=True)
    description = models.CharField("description", max_length=250, blank=True)
    # Told (without the content) when a family writes; blank: nobody is emailed.
    notify_email = models.EmailField("courriel prévenu des nouveaux messages", blank=True)
    active = models.BooleanField("ouvert aux familles", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "service de messagerie"

    def __str__(self) -> str:
        return self.name


class ConversationStatus(models.TextChoices):
    OPEN = "open", "À traiter"
    HANDLED = "handled", "Traitée"


class Conversation(models.Model):
    household = models.ForeignKey(
        "families.Household", on_delete=models.CASCADE, related_name="conversations"
    )
    box = models.ForeignKey(MessageBox, on_delete=models.PROTECT, related_name="conversations")
    subject = models.CharField("objet", max_length=150)
    status = models.CharField(
        max_length=10, choices=ConversationStatus.choices, default=ConversationStatus.OPEN
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField()
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-last_activity_at"]
        indexes = [models.Index(fields=["box", "status", "-last_activity_at"],
                                name="conversation_inbox_idx")]

    def __str__(self) -> str:
        return self.subject


class MessageSide(models.TextChoices):
    FAMILY = "family", "Famille"
    AGENT = "agent", "Commune"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # As shown then ("Marie Durand", "Service enfance"): survives the account's removal.
    author_name = models.CharField(max_length=150)
    side = models.CharField(max_length=10, choices=MessageSide.choices)
    body = models.TextField("message")
    created_at = models.DateTimeField(auto_now_add=True)
    read_by_family = models.BooleanField(default=False)
    read_by_agents = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["conversation"], condition=models.Q(read_by_agents=False),
                         name="message_unread_agents_idx"),
            models.Index(fields=["conversation"], condition=models.Q(read_by_family=False),
                         name="message_unread_family_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(side="family", read_by_family=True)
                | models.Q(side="agent", read_by_agents=True),
                name="message_read_by_own_side",
            )
        ]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:40]}"
