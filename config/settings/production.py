"""Production: refuses to start without a secret key or with DEBUG on."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    DATABASE_POOL,
    DATABASES,
    DEBUG,
    OIDC_ENABLED,
    PASSWORD_LOGIN_ENABLED,
    SECRET_KEY,
    configure_connection_reuse,
    env,
)

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
if DEBUG:
    raise ImproperlyConfigured("DEBUG must not be on in production.")
if not (PASSWORD_LOGIN_ENABLED or OIDC_ENABLED):
    raise ImproperlyConfigured("Nobody could sign in: set OIDC_ENABLED or PASSWORD_LOGIN_ENABLED.")

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
# The service runs on its own host name; a municipality serving plain-HTTP subdomains under it,
# or not wanting the browsers' preload list, turns these off in the environment.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Production runs behind the TLS proxy (see SECURE_PROXY_SSL_HEADER): the client is the address
# it appends to X-Forwarded-For. Set to the number of proxies in front of the application.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
# Persistent connections in production (README, Settings, "Database connections"; bench/api_load.py):
# each gunicorn worker thread keeps its connection DATABASE_CONN_MAX_AGE seconds (default 300).
for _alias in DATABASES:  # default, and the reports' replica when there is one
    configure_connection_reuse(DATABASES[_alias], pool=DATABASE_POOL,
                               conn_max_age=env.int("DATABASE_CONN_MAX_AGE", default=300))
