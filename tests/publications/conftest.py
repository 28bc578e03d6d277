import pytest
from django.conf import settings

from config.s3 import ensure_bucket


@pytest.fixture
def files_bucket() -> None:
    ensure_bucket(settings.S3_FILES_BUCKET)
