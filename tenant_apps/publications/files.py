"""What a published file may be: PDF, JPEG or PNG, at most 10 MB, recognised by its
first bytes (the name and the browser's declared type are not trusted)."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

MAX_SIZE = 10 * 1024 * 1024
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
ALLOWED_EXTENSIONS = {".pdf": ".pdf", ".jpg": ".jpg", ".jpeg": ".jpg", ".png": ".png"}


def sniff_content_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of the file whose first bytes are `head`, or None."""
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def validate_upload(upload: UploadedFile) -> str:
    """The file's content type; ValidationError (French) when it is refused."""
    if upload.size is None or upload.size == 0:
        raise ValidationError("Le fichier est vide.", code="empty")
    if upload.size > MAX_SIZE:
        raise ValidationError(
            "Le fichier dépasse 10 Mo : réduisez-le ou enregistrez-le en PDF compressé.",
            code="too_large",
        )
    name = (upload.name or "").lower()
    extension = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    upload.seek(0)
    sniffed = sniff_content_type(upload.read(16))
    upload.seek(0)
    if extension not in ALLOWED_EXTENSIONS or sniffed is None:
        raise ValidationError(
            "Format refusé : seuls les fichiers PDF, JPEG et PNG sont acceptés.", code="format"
        )
    if ALLOWED_EXTENSIONS[extension] != sniffed[1]:
        raise ValidationError(
            "Le contenu du fichier ne correspond pas à son extension.", code="mismatch"
        )
    return sniffed[0]
