"""Settings of the tutorial's starter project, with its caching chosen by environment.

REFERENCE_DATABASE  the SQLite file holding the `pokemon` table (a copy of pokedex's)
REFERENCE_CACHE     off (default), site, view or fragment
REFERENCE_BACKEND   memory (default), file, database or redis
REFERENCE_CACHE_DIR the file backend's directory
REFERENCE_KEY_PREFIX every cache key's prefix (keep Redis keys apart from others')
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# Served on loopback only, to load generators: nothing here is secret.
SECRET_KEY = "reference-project-on-loopback-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "pokemon",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "reference.urls"
WSGI_APPLICATION = "reference.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("REFERENCE_DATABASE", BASE_DIR / "pokedex.sqlite3"),
    }
}

USE_TZ = True

# The tutorial's caching steps: one strategy at a time, on one backend.
CACHE_STRATEGY = os.environ.get("REFERENCE_CACHE", "off")
BACKENDS = {
    "memory": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pokedex",
    },
    "file": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("REFERENCE_CACHE_DIR", BASE_DIR / "cache"),
    },
    "database": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    },
    "redis": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379",
    },
}
CACHE_BACKEND = os.environ.get("REFERENCE_BACKEND", "memory")
if CACHE_STRATEGY not in ("off", "site", "view", "fragment"):
    raise ValueError(f"REFERENCE_CACHE: off, site, view or fragment, not {CACHE_STRATEGY!r}")
if CACHE_BACKEND not in BACKENDS:
    raise ValueError(f"REFERENCE_BACKEND: one of {', '.join(BACKENDS)}, not {CACHE_BACKEND!r}")
CACHES = {
    "default": {
        **BACKENDS[CACHE_BACKEND],
        "KEY_PREFIX": os.environ.get("REFERENCE_KEY_PREFIX", "reference"),
    }
}
if CACHE_STRATEGY == "site":
    MIDDLEWARE = [
        "django.middleware.cache.UpdateCacheMiddleware",
        *MIDDLEWARE,
        "django.middleware.cache.FetchFromCacheMiddleware",
    ]
