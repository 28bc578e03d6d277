"""S3 storage whose keys start with the current commune's schema name."""

from django.db import connection
from storages.backends.s3 import S3Storage


class CommuneS3Storage(S3Storage):
    """Every file lands under `<schema>/...`: a commune can never name another's file."""

    def _normalize_name(self, name: str) -> str:
        prefix = f"{connection.schema_name}/"
        if not name.startswith(prefix):
            name = prefix + name
        return super()._normalize_name(name)
