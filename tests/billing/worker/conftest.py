from tests.committed import _django_db_marker  # noqa: F401 (fixture: the worker sees commits)
