"""S3 storage whose keys start with the current commune's schema name."""

from django.core.exceptions import SuspiciousFileOperation
from storages.backends.s3 import S3Storage

from tenants.db import current_schema


class CommuneS3Storage(S3Storage):
    """Every file lands under `<schema>/...`: a commune can never name another's file."""

    def _normalize_name(self, name: str) -> str:
        if ".." in name.replace("\\", "/").split("/"):  # "../c_other/..." would leave the prefix
            raise SuspiciousFileOperation(f"Nom de fichier refusé : {name!r}")
        prefix = f"{current_schema()}/"
        if not name.startswith(prefix):
            name = prefix + name
        return super()._normalize_name(name)
