"""Settings shared by every environment, read from the environment (django-environ).

With nothing set the project runs on SQLite and a filesystem Celery broker, so a new user
can try it at once. DATABASE_URL and CELERY_BROKER_URL switch to PostgreSQL and Redis.
"""

import datetime
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from config.limits import REQUEST_BODY_MAX_BYTES

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
# Local state of the embedded default (SQLite file, filesystem broker folders, beat schedule).
for folder in (VAR_DIR, VAR_DIR / "celery" / "queue", VAR_DIR / "celery" / "processed"):
    folder.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "cases",
    "planning",
    "insatser",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but security: every answer below it, error pages included, leaves no copy behind.
    "config.headers.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Must come after authentication: it records who and from where for the access log.
    "audit.recording.middleware.AccessContextMiddleware",
    # Last: turns a sign-in that django-axes refused into the lockout answer (config.login_lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
            "builtins": ["config.form_tags"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# PostgreSQL's JIT compiler is off for the application's connections (DATABASE_JIT=1 turns it on):
# the board reports' wide aggregate queries and the egenkontroll rules spend more time compiling than
# running (measured at 100 000 persons: full rule run 58 s with JIT off, 79 s on; the full-time report
# for 10 000 persons 3.8 s off, 61 s on). Set on the connection, so it needs no server change.
DATABASE_JIT = env.bool("DATABASE_JIT", default=False)
# The memory PostgreSQL may give each sort or hash of the board reports' persons queries (work_mem,
# set for those queries only; the server default is 4 MB). With more, it hashes the per-person
# EXISTS once instead of probing an index per person: report 2's persons at 1 000 000 persons 12.9
# -> 7.2 s (bench/README.md, stop 26). Empty: the server's setting.
REPORTS_WORK_MEM = env.str("REPORTS_WORK_MEM", default="64MB")
# A board report's two periods (the period and the year before) read side by side on two
# connections, on PostgreSQL outside a transaction (audit/reports/side_by_side.py): with two cores
# about the slower period's time instead of both (bench/README.md, "Reports side by side").
# REPORTS_SIDE_BY_SIDE=0 reads them one after the other on one connection.
REPORTS_SIDE_BY_SIDE = env.bool("REPORTS_SIDE_BY_SIDE", default=True)


def configure_jit(database: dict) -> None:
    if database["ENGINE"].endswith("postgresql") and not DATABASE_JIT:
        options = database.setdefault("OPTIONS", {})
        options["options"] = " ".join(filter(None, [options.get("options", ""), "-c jit=off"]))


configure_jit(DATABASES["default"])
# Board reports from a PostgreSQL read replica (README, Production, "Reports from a read replica";
# config/db_router.py): with REPORTS_DATABASE_URL the alias `reports` reads the reports' figures;
# every write still goes to `default`. Unset: everything uses `default`.
REPORTS_DATABASE_URL = env.str("REPORTS_DATABASE_URL", default="")
REPORTS_DATABASE_ALIAS = None
if REPORTS_DATABASE_URL:
    DATABASES["reports"] = env.db_url_config(REPORTS_DATABASE_URL)
    configure_jit(DATABASES["reports"])
    REPORTS_DATABASE_ALIAS = "reports"
DATABASE_ROUTERS = ["config.db_router.ReportsRouter"]
# PostgreSQL in production uses two roles (README, Production): the app connects with DATABASE_URL
# as this role, which may only INSERT and SELECT on the access log and change events; migrations
# run as the owner (`bin/migrate` with MIGRATE_DATABASE_URL) and grant this role its rights.
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="")
# Connection reuse (README, Settings, "Database connections"). Without it every request opens a
# PostgreSQL connection (a new backend process) and closes it again. DATABASE_CONN_MAX_AGE keeps
# each worker thread's connection open that many seconds, checked before reuse
# (CONN_HEALTH_CHECKS); DATABASE_POOL=1 uses psycopg's connection pool instead (psycopg_pool,
# DATABASE_POOL_MIN_SIZE/DATABASE_POOL_MAX_SIZE per worker process). Development and tests default
# to neither; production (config/settings/production.py) defaults to CONN_MAX_AGE, measured with
# bench/api_load.py.
DATABASE_POOL = env.bool("DATABASE_POOL", default=False)
DATABASE_CONN_MAX_AGE = env.int("DATABASE_CONN_MAX_AGE", default=0)


def configure_connection_reuse(database: dict, *, pool: bool, conn_max_age: int) -> None:
    """The one place connection reuse is set (base for development, production with its default)."""
    database["CONN_HEALTH_CHECKS"] = True
    if pool and database["ENGINE"].endswith("postgresql"):
        database["CONN_MAX_AGE"] = 0  # Django refuses a persistent connection on top of a pool
        database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=8),
            "timeout": env.int("DATABASE_POOL_TIMEOUT", default=10),
        }
    else:
        database["CONN_MAX_AGE"] = conn_max_age


for _alias in DATABASES:
    configure_connection_reuse(DATABASES[_alias], pool=DATABASE_POOL, conn_max_age=DATABASE_CONN_MAX_AGE)
# The API's lists count at most this many rows (config/api/pagination.py): `count` is exact up to
# here and "more than" beyond it, so a page over a large scope never counts the whole scope.
API_COUNT_BOUND = env.int("API_COUNT_BOUND", default=1000)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "cases.Staff"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Validates nothing: Django calls its password_changed() whenever a password is saved.
    {"NAME": "config.api.auth.RevokeTokensOnPasswordChange"},
]
# Sign-in: with a password (PASSWORD_LOGIN_ENABLED: the web form, the admin and the API token
# endpoint), and/or through the municipality's identity provider with OpenID Connect
# (OIDC_ENABLED, config/oidc.py). A municipality with an identity provider turns passwords off.
PASSWORD_LOGIN_ENABLED = env.bool("PASSWORD_LOGIN_ENABLED", default=True)
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
# The provider's endpoints and this service's client (mozilla-django-oidc's settings).
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
OIDC_USE_PKCE = True
# Which claim names the member of staff, and which Staff field it is compared with ("email" or
# "username"; for an HSA-id: OIDC_STAFF_CLAIM=hsa_id with usernames that are HSA-ids).
OIDC_STAFF_CLAIM = env.str("OIDC_STAFF_CLAIM", default="email")
OIDC_STAFF_FIELD = env.str("OIDC_STAFF_FIELD", default="email")
OIDC_CREATE_USER = env.bool("OIDC_CREATE_USER", default=False)
LOGIN_REDIRECT_URL_FAILURE = "/login/?oidc=misslyckades"
# Signing out of a session begun at the provider ends the provider's session too (RP-initiated
# logout: its end_session_endpoint with the ID token as id_token_hint), so the next person at the
# computer is not signed straight back in. Empty: only this service's session ends.
OIDC_OP_LOGOUT_ENDPOINT = env.str("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_OP_LOGOUT_URL_METHOD = "config.oidc.provider_logout_url"
OIDC_STORE_ID_TOKEN = True  # kept in the session only for the id_token_hint at sign-out
LOGOUT_REDIRECT_URL = "/login/"

# django-axes first: it refuses a locked-out account or address before anything is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    *(["config.oidc.StaffOIDCBackend"] if OIDC_ENABLED else []),
    *(["django.contrib.auth.backends.ModelBackend"] if PASSWORD_LOGIN_ENABLED else []),
]
# Form and multipart bodies (web pages, the browsable API) have the API's bound too.
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
LOGIN_URL = "/login/"

# Bilagor (attachments, cases/attachment_rules.py): stored outside the database and outside any
# folder the web server serves; handed out only by the authorised, logged download views. Files
# readable by the service's own user only. ATTACHMENT_DIR may point at a mounted volume.
ATTACHMENT_DIR = env.str("ATTACHMENT_DIR", default=str(VAR_DIR / "attachments"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": ATTACHMENT_DIR, "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    },
}
# The largest attachment accepted, in bytes (a scanned document of a few pages; a municipality
# may allow more).
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)

# The client address: REMOTE_ADDR, or behind this many proxies that each append to
# X-Forwarded-For, the address the outermost trusted proxy saw (audit.recording.client). Used by
# the access log and the login lockout. Production sets 1 (the TLS proxy) unless told otherwise.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Login lockout (django-axes), on the web login, the admin login and the API token endpoint
# alike: after LOGIN_FAILURE_LIMIT failed attempts for one user name, or from one address,
# further attempts are refused (HTTP 429) for LOGIN_COOLOFF_MINUTES, the right password too.
# Every failed attempt is kept by axes (AccessAttempt, AccessFailureLog) and written to the
# access log (audit.recording.logins). A success resets nothing: axes would delete the
# address's attempts too, so an attacker signing in to an account of their own between guesses
# could guess another's password for ever. Failures count until LOGIN_COOLOFF_MINUTES after the
# last one. Unlock earlier with `manage.py axes_reset_username <name>` or `axes_reset_ip <address>`.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = "config.login_lockout.lockout_parameters"
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "audit.recording.client.client_address"
AXES_LOCKOUT_CALLABLE = "config.login_lockout.lockout_response"
# The admin site lists reference data, staff and rules only; unlocking is a command.
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
LOGIN_REDIRECT_URL = "/"

# Idle sessions end: the session cookie is renewed on every request and expires after
# SESSION_IDLE_SECONDS without one.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").exists() else []

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: every view names its own permission classes on top of this.
    "DEFAULT_PERMISSION_CLASSES": ["config.api.permissions.DenyAll"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        # Last, so that its order (updated_at, id) is the one a synchronising client pages by.
        "config.api.concurrency.UpdatedSinceFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "config.api.schema.ProjectAutoSchema",
    "EXCEPTION_HANDLER": "config.api.exceptions.exception_handler",
    # JSON only, in every environment. The browsable API is off: it is a second user interface
    # to personal data, and its inline script breaks under the Content-Security-Policy; the
    # OpenAPI schema and Swagger UI (/api/docs/) describe the API instead.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Only JSON bodies: no endpoint takes a form or a file upload (415 for anything else).
    # Bodies are bounded in size and nesting (config/limits.py).
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.BoundedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# Idempotency-Key on the API's POSTs (config/api/idempotency.py): a retry within this many hours
# with the same key and body gets the first answer, not a second write. The stored answer holds
# personal data, so keep this short; platform.purge_idempotency_keys deletes older keys hourly.
API_IDEMPOTENCY_KEY_HOURS = env.int("API_IDEMPOTENCY_KEY_HOURS", default=24)

# Bulk writes (config/api/bulk.py, e.g. a group's weekly attendance): at most this many rows in
# one request, all written or none. 200 is more than any group or checklist has; a larger batch
# is refused (400 naming `rows`) before any row is judged, so one request cannot hold the row
# locks and the worker for long.
API_BULK_MAX_ROWS = env.int("API_BULK_MAX_ROWS", default=200)

# Content-Security-Policy (django-csp): scripts, styles, fonts, images and requests from this
# service only; no inline script or style (templates link static/js and static/css), no plugins,
# no framing, forms post here only. Swagger UI is served from this service (sidecar) with its
# start script as a file (SpectacularSwaggerSplitView).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# API tokens (django-rest-knox): stored as SHA-512 digests, never in clear; each expires
# API_TOKEN_HOURS after it was issued; revoked one at a time (POST /api/v1/auth/token/revoke/)
# or all at once (.../revoke-all/), and all of a member's when their password changes
# (config.api.auth.RevokeTokensOnPasswordChange).
REST_KNOX = {
    "TOKEN_TTL": datetime.timedelta(hours=env.int("API_TOKEN_HOURS", default=8)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Ekonomiskt bistånd och arbetsmarknadsinsatser – API",
    "DESCRIPTION": (
        "REST API för handläggare: sökande, hushåll, ärenden, ansökningar, beslut och insatser. "
        "Alla läsningar och ändringar av personuppgifter loggas."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema describes no personal data, but only staff need it.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI served from this service, not a CDN (no third-party requests from staff browsers).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One tag per area; config/api/schema.py AREA_BY_PREFIX gives every endpoint its area by path.
    "TAGS": [
        {"name": "personer och ärenden", "description": "Sökande, hushåll, ärenden, ärendelistan, journal "
         "och bilagor: personuppgifterna ärendet bygger på. Varje läsning loggas."},
        {"name": "ekonomiskt bistånd", "description": "Ansökningar, beräkningar enligt riksnormen, beslut "
         "per post med beslutsmeddelanden, kommunicering, utbetalningar och betalningsfiler."},
        {"name": "planering", "description": "Kartläggningar, planer, uppföljningar och bedömningar "
         "med BIP-instrument."},
        {"name": "insatser", "description": "Arbetsmarknadsinsatser: beslut om insats, anvisningar, "
         "deltaganden, avslut, undantag och heltidsberäkning."},
        {"name": "egenkontroll", "description": "Kontrollregler, körningar, flaggor, åtgärder, "
         "stickprov, checklistor och åtkomstloggen."},
        {"name": "rapporter", "description": "Rapporter till nämnden: definitioner, beställda "
         "ögonblicksbilder, deras siffror och nedladdning som PDF, XLSX eller CSV."},
        {"name": "referensdata", "description": "Enheter, personal och kodlistor: riksnormen, "
         "kostnads- och inkomsttyper, lagrum, delegationspunkter, spår och insatshinder."},
        {"name": "inloggning", "description": "API-nycklar: utfärda med inloggningsuppgifter, återkalla."},
    ],
    # drf-spectacular's enum components first, then their Swedish labels beside the values.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema_properties.postprocess_enum_labels",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StaffRoleEnum": "cases.models.Role",
        "MemberRoleEnum": "cases.models.MemberRole",
        "PlanProgressEnum": "planning.models.Progress",
        "PlanStatusEnum": "planning.models.PlanStatus",
        "FollowUpMethodEnum": "planning.models.FollowUpMethod",
        "FlagStatusEnum": "audit.control.models.FlagStatus",
        "RuleRunStatusEnum": "audit.control.models.RunStatus",
        "CorrectiveActionStatusEnum": "audit.control.models.ActionStatus",
        "ChecklistValueEnum": "audit.control.models.ChecklistValue",
        "SamplePopulationEnum": "audit.control.models.SamplePopulation",
        "FlagOwnerBasisEnum": "audit.control.models.OwnerBasis",
        "InsatsDecisionKindEnum": "insatser.models.DecisionKind",
        "ExecutionEventKindEnum": "cases.finance_models.ExecutionEventKind",
        "CalculationLineKindEnum": "cases.finance_models.LineKind",
    },
}

# Celery. With nothing set: kombu's filesystem transport, which needs no server.
# Redis: a message a worker took but did not acknowledge (tasks ack late) goes back to the queue
# after this many seconds. Set explicitly (Redis's default is one hour): longer than the longest
# task time limit plus the longest retry countdown, so a task still running is never handed to a
# second worker; see README "Runs that recover by themselves".
REDIS_VISIBILITY_TIMEOUT_SECONDS = env.int("CELERY_VISIBILITY_TIMEOUT", default=3900)
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # kombu's default is ./control relative to the working directory; keep it in var/.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT_SECONDS}
)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Rule runs recover by themselves: every AUDIT_RUN_WATCH_SECONDS the beat task
# audit.redispatch_stalled_runs sends again the unfinished chunks of any run in which nothing has
# started, finished or been sent for AUDIT_RUN_STALLED_AFTER_SECONDS (longer than a chunk's time
# limit, so a chunk still running is not sent twice). A chunk sent AUDIT_CHUNK_MAX_DISPATCHES
# times without finishing fails its run, with the reason, instead of looping for ever.
AUDIT_RUN_STALLED_AFTER_SECONDS = env.int("AUDIT_RUN_STALLED_AFTER_SECONDS", default=900)
AUDIT_RUN_WATCH_SECONDS = env.int("AUDIT_RUN_WATCH_SECONDS", default=60)
AUDIT_CHUNK_MAX_DISPATCHES = env.int("AUDIT_CHUNK_MAX_DISPATCHES", default=5)

# Webhooks (events out, audit/recording/webhooks.py): a failed POST is tried again after
# WEBHOOK_BACKOFF_SECONDS, then twice that, four times, ... up to WEBHOOK_MAX_ATTEMPTS POSTs in
# all, each waiting at most WEBHOOK_TIMEOUT_SECONDS; every WEBHOOK_SWEEP_SECONDS the sweep sends
# whatever a lost message left behind.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_BACKOFF_SECONDS = env.float("WEBHOOK_BACKOFF_SECONDS", default=30.0)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
WEBHOOK_SWEEP_SECONDS = env.int("WEBHOOK_SWEEP_SECONDS", default=60)

# Report 1 (nyckeltal) reads monthly facts on PostgreSQL (audit/reports/key_figure_facts.py):
# every KEY_FIGURE_FACTS_REFRESH_SECONDS the beat task rebuilds the months a change made stale; a
# report rebuilds what is still stale itself before it reads, so this only sets how much of that
# work a report may find left.
KEY_FIGURE_FACTS_REFRESH_SECONDS = env.int("KEY_FIGURE_FACTS_REFRESH_SECONDS", default=60)

# The nightly chain check writes the chain's last link to this folder (one file a day, never
# overwritten) and mails it to these addresses: keep both where the database roles cannot write.
AUDIT_CHAIN_ANCHOR_DIR = env.str("AUDIT_CHAIN_ANCHOR_DIR", default=str(VAR_DIR / "audit-chain"))
AUDIT_CHAIN_ANCHOR_EMAILS = env.list("AUDIT_CHAIN_ANCHOR_EMAILS", default=[])

# The access log, partitioned by month on PostgreSQL (audit/recording/partitions.py): partitions
# are made this many months ahead of the current one, daily. Months older than
# AUDIT_ACCESS_LOG_KEEP_MONTHS are dropped whole by the same task; unset (the default), nothing is
# dropped, because how long the log of reads is kept is the municipality's decision (DOMAIN.md 7
# sets the file's retention, not the log's). The database never drops a month that ended less
# than 12 months ago.
AUDIT_ACCESS_LOG_MONTHS_AHEAD = env.int("AUDIT_ACCESS_LOG_MONTHS_AHEAD", default=3)
AUDIT_ACCESS_LOG_KEEP_MONTHS = env.int("AUDIT_ACCESS_LOG_KEEP_MONTHS", default=None)

# The municipality's name on every board report's summary page. A setting, because there is no
# municipality (organisation) model: the units are the whole installation. When several
# municipalities share one installation this becomes data tied to the organisation.
MUNICIPALITY_NAME = env.str("MUNICIPALITY_NAME", default="Exempelkommun")

# The case file (issue 14; the rules are read in cases/case_file_rules.py). How many days ahead a
# transfer of a case may be planned, and the pattern of a reservnummer (municipality-local).
CASE_TRANSFER_MAX_DAYS_AHEAD = env.int("CASE_TRANSFER_MAX_DAYS_AHEAD", default=14)
RESERVE_NUMBER_FORMAT = env.str("RESERVE_NUMBER_FORMAT", default="R{year}{sequence:06d}")

# Payments (issue 14, DOMAIN.md 8): the municipality's own account that the bank debits for the
# pain.001 payment files, and the name the file gives as the initiating party. Each municipality
# has its own; the defaults are an example account (valid check digits) for development and tests.
PAYMENT_DEBTOR_NAME = env.str("PAYMENT_DEBTOR_NAME", default=MUNICIPALITY_NAME)
PAYMENT_DEBTOR_IBAN = env.str("PAYMENT_DEBTOR_IBAN", default="SE4550000000058398257466")
PAYMENT_DEBTOR_BIC = env.str("PAYMENT_DEBTOR_BIC", default="ESSESESS")
PAYMENT_DEBTOR_ORGANISATION_NUMBER = env.str("PAYMENT_DEBTOR_ORGANISATION_NUMBER", default="2120000001")

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@kommun.example")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
