"""Attachments of outbox emails, produced when the message is sent.

An app registers a source for the idempotency keys it writes (a prefix); at sending,
the source returns the files for that key. The files are rendered from data the app
keeps immutable, so a retried or resent message carries the same content."""

from collections.abc import Callable

Attachment = tuple[str, bytes, str]  # file name, content, MIME type
AttachmentSource = Callable[[str], list[Attachment]]

_sources: dict[str, AttachmentSource] = {}


def attachment_source_register(prefix: str, source: AttachmentSource) -> None:
    """Messages whose idempotency key starts with `prefix` get `source(key)` attached."""
    _sources[prefix] = source


def message_attachments(idempotency_key: str) -> list[Attachment]:
    for prefix, source in _sources.items():
        if idempotency_key.startswith(prefix):
            return source(idempotency_key)
    return []
