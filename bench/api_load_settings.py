"""Production settings for bench/api_load.py: the project's production settings as they are, with
a bench-only secret, plain HTTP on localhost (no TLS proxy in front) and one extra route, a bare
DRF view with the API's authentication (bench/api_load_urls.py). Never used outside the bench."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("TRUSTED_PROXY_COUNT", "0")

from config.settings.production import *  # noqa: E402, F403

ROOT_URLCONF = "bench.api_load_urls"
