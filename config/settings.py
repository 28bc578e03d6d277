"""One settings module, driven by the environment (documented in .env.example)."""

from pathlib import Path

import environ

from config import security as _security

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Local default only; production sets SECRET_KEY (see .env.example).
SECRET_KEY = env.str("SECRET_KEY", default="insecure-local-only-key-change-me")  # noqa: S105

# Hosts: BASE_DOMAIN may carry a port locally (localhost:8000). Every commune lives at
# <slug>.<BASE_DOMAIN>; operators at ops.<BASE_DOMAIN>; legacy links at parents.<BASE_DOMAIN>.
BASE_DOMAIN = env.str("BASE_DOMAIN", default="localhost:8000")
BASE_HOSTNAME = BASE_DOMAIN.split(":")[0]
OPS_HOSTNAME = env.str("OPS_HOSTNAME", default=f"ops.{BASE_HOSTNAME}")
LEGACY_PARENTS_HOSTNAME = f"parents.{BASE_HOSTNAME}"
SITE_SCHEME = env.str("SITE_SCHEME", default="http")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[f".{BASE_HOSTNAME}", BASE_HOSTNAME])
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=[f"{SITE_SCHEME}://*.{BASE_DOMAIN}"]
)

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "provisioning",
    "backups",
    "shared_apps.audit",
    "shared_apps.announcements",
    "shared_apps.console",
    "shared_apps.opsapi",
    "shared_apps.jobs",
    # Installed in both: operators and their sessions live in the public schema,
    # agents and parents in their commune's schema.
    "tenant_apps.accounts",
    "tenant_apps.outbox",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
]

TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "rest_framework.authtoken",
    "tenant_apps.accounts",
    "tenant_apps.outbox",
    "tenant_apps.commune_settings",
    "tenant_apps.history",
    "tenant_apps.schooling",
    "tenant_apps.families",
    "tenant_apps.catalog",
    "tenant_apps.bookings",
    "tenant_apps.catering",
    "tenant_apps.reminders",
    "tenant_apps.billing",
    "tenant_apps.payments",
    "tenant_apps.exchange",
    "tenant_apps.mailings",
    "tenant_apps.messaging",
    "tenant_apps.publications",
    "tenant_apps.questionnaires",
    "tenant_apps.family_portal",
    "tenant_apps.backoffice",
    "tenant_apps.portal",
]

INSTALLED_APPS = list(SHARED_APPS) + [a for a in TENANT_APPS if a not in SHARED_APPS]

TENANT_MODEL = "tenants.Commune"
TENANT_DOMAIN_MODEL = "tenants.Domain"
TENANT_TEMPLATE_SCHEMA = env.str("TENANT_TEMPLATE_SCHEMA", default="commune_template")

MIDDLEWARE = [
    "config.request_context.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tenants.middleware.CommuneRoutingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy header (django-csp; policy in config/security.py).
    "config.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenant_apps.accounts.middleware.SessionSchemaGuardMiddleware",
    "tenant_apps.accounts.middleware.SessionIdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenants.context_processors.commune",
                "tenant_apps.backoffice.context_processors.commune_shell",
                "csp.context_processors.nonce",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/cantine")
}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# Persistent connections (checked before reuse) spare a PostgreSQL connection per request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# django-tenants sets search_path once per request and schema instead of before every
# query (it resets it on rollback and on a change of tenant).
TENANT_LIMIT_SET_CALLS = True

# Reverse proxies whose X-Real-IP header names the client (throttling per address).
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=["127.0.0.1", "::1"])
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env.str("CACHE_URL", default="redis://127.0.0.1:6379/1"),
        # Every cache key carries the schema name, so communes never share an entry.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="cantine"),
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=[
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ],
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "tenant_apps.accounts.passwords.CharacterClassesValidator"},
]
LOGIN_THROTTLE_MAX_FAILURES = env.int("LOGIN_THROTTLE_MAX_FAILURES", default=5)
LOGIN_THROTTLE_WINDOW_S = env.int("LOGIN_THROTTLE_WINDOW_S", default=900)
INVITATION_VALID_HOURS = 24
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_COOKIE_HTTPONLY = True
# Sessions (tenant_apps.accounts.sessions): agents and operators are signed out after
# SESSION_COOKIE_AGE without activity (a working day); parents after 2 h without activity,
# or 30 days when they tick "Se souvenir de cet appareil" on the portal.
PORTAL_SESSION_IDLE_S = env.int("PORTAL_SESSION_IDLE_S", default=2 * 3600)
PORTAL_REMEMBER_DEVICE_S = env.int("PORTAL_REMEMBER_DEVICE_S", default=30 * 24 * 3600)
# "Nouveau mot de passe" requests: per address (silently ignored past it) and per client
# address (429) within the window.
PASSWORD_RESET_MAX_PER_EMAIL = env.int("PASSWORD_RESET_MAX_PER_EMAIL", default=3)
PASSWORD_RESET_MAX_PER_IP = env.int("PASSWORD_RESET_MAX_PER_IP", default=20)
PASSWORD_RESET_WINDOW_S = env.int("PASSWORD_RESET_WINDOW_S", default=3600)
# Behind nginx terminating TLS (ansible/), trust its X-Forwarded-Proto header.
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Secure cookies whenever the site is served over https (production); plain http is only
# the local demo and the test server.
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=SITE_SCHEME == "https")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF cookie: forms and htmx use the token rendered in the page.
CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True

# Files go to S3-compatible storage under a per-commune prefix (see tenants.storage).
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="http://127.0.0.1:9000")
S3_ACCESS_KEY_ID = env.str("S3_ACCESS_KEY_ID", default="local")
S3_SECRET_ACCESS_KEY = env.str("S3_SECRET_ACCESS_KEY", default="local")  # noqa: S105
S3_REGION = env.str("S3_REGION", default="eu-west-3")
S3_FILES_BUCKET = env.str("S3_FILES_BUCKET", default="cantine-files")
S3_BACKUPS_BUCKET = env.str("S3_BACKUPS_BUCKET", default="cantine-backups")
STORAGES = {
    "default": {"BACKEND": "tenants.storage.CommuneS3Storage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AWS_S3_ENDPOINT_URL = S3_ENDPOINT_URL
AWS_ACCESS_KEY_ID = S3_ACCESS_KEY_ID
AWS_SECRET_ACCESS_KEY = S3_SECRET_ACCESS_KEY
AWS_S3_REGION_NAME = S3_REGION
AWS_STORAGE_BUCKET_NAME = S3_FILES_BUCKET
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = True
AWS_S3_ADDRESSING_STYLE = "path"
# Content-Security-Policy (config/security.py); logos are read from the file storage.
CONTENT_SECURITY_POLICY = _security.content_security_policy(files_url=S3_ENDPOINT_URL)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Cantine <ne-pas-repondre@localhost>")
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_BASE_BACKOFF_S = env.int("OUTBOX_BASE_BACKOFF_S", default=30)

# Online payment (PayFiP Régie web service). Production sets the DGFiP endpoints
# (https://www.payfip.gouv.fr/tpa/services/securite and .../tpa/paiementws.web); a local
# or DEBUG run defaults to the simulator of payfip_simulator/ (make demo, port 9100).
_PAYFIP_LOCAL = "http://127.0.0.1:9100/tpa" if DEBUG or BASE_HOSTNAME == "localhost" else ""
PAYFIP_WS_URL = env.str("PAYFIP_WS_URL",
                        default=f"{_PAYFIP_LOCAL}/services/securite" if _PAYFIP_LOCAL else "")
PAYFIP_PAYMENT_URL = env.str("PAYFIP_PAYMENT_URL",
                             default=f"{_PAYFIP_LOCAL}/paiementws.web" if _PAYFIP_LOCAL else "")
PAYFIP_TIMEOUT_S = env.float("PAYFIP_TIMEOUT_S", default=15)

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "web"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = False
# Our JSON logging (commune, request id) applies to the worker too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "outbox-deliver": {
        "task": "tenant_apps.outbox.tasks.fan_out_outbox_delivery",
        "schedule": env.int("OUTBOX_SWEEP_EVERY_S", default=60),
    },
    # Enqueues a backup for each active commune whose interval has passed.
    "backups-schedule": {
        "task": "backups.tasks.schedule_backups",
        "schedule": 300,
        "options": {"headers": {"_schema_name": "public"}},
    },
    "backups-retention": {
        "task": "backups.tasks.retention_task",
        "schedule": 24 * 3600,
        "options": {"headers": {"_schema_name": "public"}},
    },
    # Caterer orders: each commune's cut-offs are data; one cheap tick per commune a minute.
    "catering-tick": {
        "task": "tenant_apps.catering.tasks.fan_out_catering_tick",
        "schedule": 60,
        # A tick queued while the worker was down is dropped: the next one catches up.
        "options": {"expires": 55},
    },
    # PayFiP: ask the provider about every pending operation (lost notifications).
    "payfip-reconcile": {
        "task": "tenant_apps.payments.tasks.fan_out_payfip_reconcile",
        "schedule": 300,
        "options": {"expires": 290},
    },
    # Prepaid accounts: debits and credits from bookings and closures, low-balance emails.
    "prepaid-sync": {
        "task": "tenant_apps.billing.tasks.fan_out_prepaid_sync",
        "schedule": 900,
        "options": {"expires": 890},
    },
    "backups-drill": {
        "task": "backups.tasks.drill_task",
        "schedule": 24 * 3600,
        "options": {"headers": {"_schema_name": "public"}},
    },
}
# Long backups and restores never delay a password email on the web queue.
CELERY_TASK_ROUTES = {
    "backups.tasks.*": {"queue": "backups"},
    # Invoice runs and PDF rendering are long: they never delay a password email.
    "tenant_apps.billing.tasks.*": {"queue": "billing"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api_errors.json_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cantine — API",
    "DESCRIPTION": "API des opérateurs (hôte ops) et des communes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from our own static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "config.request_context.LogContextFilter"}},
    "formatters": {"json": {"()": "config.request_context.JsonFormatter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["context"]},
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # PDF rendering (caterer orders, invoices) logs every font subset at INFO/DEBUG.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

BACKUP_ENCRYPTION_KEYS = env.dict("BACKUP_ENCRYPTION_KEYS", default={})
BACKUP_ACTIVE_KEY_ID = env.str("BACKUP_ACTIVE_KEY_ID", default="")
