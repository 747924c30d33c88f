"""Settings for the victim services directory, read from environment variables.

DJANGO_ENV=development (default) allows DEBUG and a fixed, insecure development secret key;
DJANGO_ENV=production requires DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'")
IS_PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_ENV=production")
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "phonenumber_field",
    "leaflet",
    "pgtrigger",
    "modeltrans",
    "csp",
    "axes",
    "django_otp",
    # Only for the migration that moved its plain-text secrets into accounts.Authenticator (encrypted).
    "django_otp.plugins.otp_totp",
    # The job queue (procrastinate): its tables, admin pages and `manage.py procrastinate worker`.
    "procrastinate.contrib.django",
    "accounts",
    "providers",
    "geo",
    "matching",
    "notifications",
    "referrals",
    "sends",
    "hsds",
    "stewardship",
    "coveragemap",
    "web",
    "demo",
]

MIDDLEWARE = [
    # First, so every answer is logged and tagged, including other middleware's redirects and refusals.
    "core.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the request: a body over the limit, or a NUL character, is refused (core/input.py).
    "core.input.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Where a request's reads go: a healthy replica for the views that allow it, else the primary (core/routing.py).
    "core.routing.ReplicaMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.language.QueryLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Answers to signed-in callers and to writes are never stored by a browser or proxy (core/cache_control.py).
    "core.cache_control.PrivateResponseMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes requires: turns a lockout during sign-in into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "web.context_processors.site",
            ],
        },
    },
]

# PostgreSQL + PostGIS only. The default is the local database that scripts/setup.sh creates.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgis://directory@127.0.0.1:5432/directory"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] != "django.contrib.gis.db.backends.postgis":
    # postgres:// URLs are accepted and upgraded; anything else is a configuration error.
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
    else:
        raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL with PostGIS")
# Behind PgBouncer (or another pooler) in transaction mode, server-side cursors cannot outlive a transaction.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DATABASE_POOLER_TRANSACTION_MODE", False)
# Statements run through core.database.prepared_cursor() (matching's) are prepared on their first run in a
# connection and always run with their one generic plan (they are written so that it is the right plan for
# every request); Django's own cursors bind on the client and are never prepared. JIT compilation is off: a
# generic plan's cost estimate is high enough to trigger it, and compiling took 1.7 s for a statement that
# runs in 10 ms (JIT is for long analytical queries, not these). A pooler in transaction mode cannot keep
# prepared statements (nor startup options), so there nothing is prepared and each run is planned.
if not DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"]:
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["prepare_threshold"] = 0
    # After any startup options DATABASE_URL already gives (?options=...), which are kept.
    _options["options"] = f"{_options.get('options', '')} -c plan_cache_mode=force_generic_plan -c jit=off".strip()
# Read replicas (core/routing.py): zero or more streaming standbys of the primary, as DATABASE_URLs separated by
# commas. The search, matching, the HSDS API and the listing pages read from a healthy one; a caller who just wrote
# reads from the primary for REPLICA_READ_YOUR_WRITES_S; a replica lagging more than REPLICA_MAX_LAG_S, or not
# answering within its connect timeout, is skipped until the next check.
for _n, _url in enumerate(env_list("DATABASE_REPLICA_URLS")):
    _replica = dj_database_url.parse(_url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"], conn_health_checks=True)
    _replica["ENGINE"] = DATABASES["default"]["ENGINE"]
    _replica["DISABLE_SERVER_SIDE_CURSORS"] = DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"]
    _options = {**DATABASES["default"].get("OPTIONS", {}), "connect_timeout": 2}
    _replica["OPTIONS"] = {**_options, **_replica.get("OPTIONS", {})}
    # Tests: the replica keeps its host and port and reads the primary's test database (which it streams).
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_n}"] = _replica
DATABASE_ROUTERS = ["core.routing.ReplicaRouter"]
REPLICA_MAX_LAG_S = float(os.environ.get("REPLICA_MAX_LAG_S", "10"))
REPLICA_CHECK_EVERY_S = float(os.environ.get("REPLICA_CHECK_EVERY_S", "5"))
REPLICA_READ_YOUR_WRITES_S = int(os.environ.get("REPLICA_READ_YOUR_WRITES_S", "30"))
# The web server's statements end after this long (0: never), so a slow statement from an anonymous request cannot
# hold a connection and a core for minutes. Applied by config/wsgi.py only: management commands (migrate, a
# rebuild, an import) run longer by design. A pooler in transaction mode takes no startup options: there, set it
# on the web role (docs/operations.md).
DATABASE_STATEMENT_TIMEOUT_MS = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT_MS", "30000"))
# Test databases are created from a template that already has postgis and btree_gist, so the app
# role needs CREATEDB but not superuser. Set DATABASE_TEST_TEMPLATE="" to create them from template1.
_test_template = os.environ.get("DATABASE_TEST_TEMPLATE", "directory_template")
DATABASES["default"]["TEST"] = {"TEMPLATE": _test_template} if _test_template else {}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# django-axes first: it refuses a locked-out username/address before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
if IS_PRODUCTION:
    # WhiteNoise serves the collected static files from the app (runserver and the test server serve them
    # in development).
    MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                      "whitenoise.middleware.WhiteNoiseMiddleware")  # fmt: skip
    # collectstatic writes compressed, content-hashed copies that WhiteNoise serves with long cache lifetimes.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

# Production transport and cookie security (DJANGO_ENV=production). TLS is expected to end at a proxy that
# sets X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER); set DJANGO_SECURE_SSL_REDIRECT=0 only if the proxy
# redirects itself.
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    # Preload is what check --deploy asks for; a deployment on a shared parent domain may turn it off.
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# same-origin, not no-referrer: other sites learn nothing, and our own form posts keep a real Origin header
# (with no-referrer Chromium sends "Origin: null", which Django's CSRF check refuses).
SECURE_REFERRER_POLICY = "same-origin"

# Limits every request shares (core/input.py): a body's size (413 above it), and how deeply JSON may nest.
# No form or API call here needs more than a few kilobytes or a few levels.
REQUEST_BODY_MAX_BYTES = int(os.environ.get("REQUEST_BODY_MAX_BYTES", str(1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
JSON_MAX_DEPTH = int(os.environ.get("JSON_MAX_DEPTH", "16"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.DirectoryPagination",
    # DRF's JSON, encoded by orjson (core/renderers.py); the browsable API as before.
    "DEFAULT_RENDERER_CLASSES": ["core.renderers.JSONRenderer", "rest_framework.renderers.BrowsableAPIRenderer"],
    # The same three body types as DRF's defaults, each held to core/input.py's limits.
    "DEFAULT_PARSER_CLASSES": ["core.input.JSONParser", "core.input.FormParser", "core.input.MultiPartParser"],
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.exceptions.api_exception_handler",
    # Rate limits count per client address: REMOTE_ADDR, unless NUM_PROXIES trusted reverse proxies put the
    # client's address in X-Forwarded-For (never trust a header a client can forge: default 0).
    "NUM_PROXIES": int(os.environ.get("NUM_PROXIES", "0")),
    # Every anonymous API call counts against "anon" per client address (signed-in staff are not limited, except
    # for geocoding); anonymous endpoints that write have tighter scopes of their own.
    "DEFAULT_THROTTLE_CLASSES": ["core.throttles.AnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "120/minute"),
        # GET /api/geocode/, per account or (anonymous) per address.
        "geocode": os.environ.get("THROTTLE_GEOCODE", "60/minute"),
        # Failed sign-ins (the form and POST /api/auth/token/) per client address; successes do not count.
        "login": os.environ.get("THROTTLE_LOGIN", "20/minute"),
        # Anonymous endpoints that write (applications, suggestions, accepting invitations), per client address.
        "applications": os.environ.get("THROTTLE_APPLICATIONS", "5/hour"),
        "suggestions": os.environ.get("THROTTLE_SUGGESTIONS", "20/hour"),
        "invitations": os.environ.get("THROTTLE_INVITATIONS", "10/hour"),
    },
}

# Django's cache lives in PostgreSQL (table created by `createcachetable` in scripts/setup.sh), shared by every
# app server. Rate-limit counts have their own table (core/throttles.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "directory_cache",
        # Django's default of 300 would cull the maps' background cells (about 2,600 possible) under a crawler.
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}

# With REDIS_URL set, what is ephemeral lives in Redis, so an anonymous search writes nothing to PostgreSQL: the
# cache, the rate-limit counts (core/throttles.py) and the sign-in lockout counts (django-axes' cache handler).
# Sessions stay in PostgreSQL (a Redis restart signs nobody out). Redis unreachable: the cache misses, and rate
# limits and lockouts are not applied until it is back (the directory keeps answering; docs/operations.md).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "directory",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5, "IGNORE_EXCEPTIONS": True},
        }
    }
    AXES_HANDLER = "accounts.lockouts.LockoutCacheHandler"
    # Not a traceback per cache call while Redis is away: the rate limits log its absence, once per 10 s.
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = False

# Sign-in lockout (django-axes): after AXES_FAILURE_LIMIT failed passwords for one username from one address,
# that pair is refused (429) for AXES_COOLOFF_MINUTES. Username *and* address, so nobody can lock a hotline
# worker out from elsewhere; LoginThrottle limits one address trying many usernames. Counted in PostgreSQL.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.throttles.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Attempts are stored with their form data: keep out where the person was going (a referral page) and codes.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "next", "otp_token", "password"]

# Two-factor authentication (django-otp, TOTP): any account may enrol at /accounts/two-factor/; the roles
# listed here must (of hotline, specialist, moderator, provider, admin). By default every role that sees exact
# confidential places or client data across organizations; set it empty (`TWO_FACTOR_REQUIRED_ROLES=`) to make
# it optional for everyone, as `make run`'s demo does.
TWO_FACTOR_DEFAULT_ROLES = "hotline,specialist,moderator,admin"
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", TWO_FACTOR_DEFAULT_ROLES)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Victim Services Directory")
# The admin never shows anyone's TOTP secret or its QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

SPECTACULAR_SETTINGS = {
    "TITLE": "Victim Services Referral Directory API",
    "DESCRIPTION": (
        "Registry of services for human-trafficking survivors, aligned with Open Referral HSDS 3.0. "
        "Confidential locations are generalized for callers who may not see them."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Separate request and response components, so request bodies say what input is valid (e.g. required
    # text may not be blank) and the fuzzer's "valid" inputs are valid.
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from our own static files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name get explicit schema names.
    "ENUM_NAME_OVERRIDES": {
        "ReferralStatusEnum": "referrals.models.Status",
        "ReferralReasonEnum": "referrals.models.Reason",
        "DeclineReasonEnum": "referrals.models.DECLINE_REASON_CHOICES",
        "CloseReasonEnum": "referrals.models.CLOSE_REASON_CHOICES",
        "ServiceStatusEnum": "providers.models.ServiceStatus",
        "PhoneTypeEnum": "providers.models.PhoneType",
        "LocationTypeEnum": "providers.models.LocationType",
    },
}

PHONENUMBER_DEFAULT_REGION = "US"
PHONENUMBER_DEFAULT_FORMAT = "E164"

# Map tiles for the pages and the admin, e.g. "https://tile.openstreetmap.org/{z}/{x}/{y}.png". Unset: no tiles
# (nothing is fetched from elsewhere); the maps draw outlines and place names from our own data (geo.basemap).
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "")


def _tile_origin(url: str) -> str | None:
    """The scheme and host of a tile URL template, "{s}" subdomains as a wildcard, for the CSP's img-src."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"


# Content-Security-Policy (django-csp; core/csp.py relaxes it for the admin and the API docs only).
_SELF = "'self'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:", *filter(None, [_tile_origin(MAP_TILE_URL)])],
        "connect-src": [_SELF],
        "font-src": [_SELF],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": [_SELF],
        "frame-ancestors": ["'none'"],
    },
}

# django-leaflet: admin map widgets; Leaflet itself is served from django-leaflet's static files.
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (39.5, -98.35),
    "DEFAULT_ZOOM": 4,
    "TILES": MAP_TILE_URL or [],  # none: django-leaflet's geometry editor draws no background
    "ATTRIBUTION_PREFIX": "",
}

# Confidential sites are shown to those who may not see them at a fixed approximate point, displaced
# by a random distance in this range (metres) and bearing, chosen once per location.
CONFIDENTIAL_DISPLACEMENT_M = (
    int(os.environ.get("CONFIDENTIAL_MIN_DISPLACEMENT_M", "1000")),
    int(os.environ.get("CONFIDENTIAL_MAX_DISPLACEMENT_M", "3000")),
)

# Where seed_demo keeps the demo accounts' passwords for `make run` to show (mode 600, git-ignored).
DEMO_LOGINS_FILE = os.environ.get("DEMO_LOGINS_FILE", str(BASE_DIR / ".demo-logins"))

# Geocoding (geo/geocoding.py): "gazetteer" (offline, default) or a geopy service name such as "nominatim",
# "photon", "pelias" or "arcgis", e.g. a self-hosted Nominatim at GEOCODER_URL. Online failures fall back
# to the gazetteer.
GEOCODER = os.environ.get("GEOCODER", "gazetteer").strip().lower() or "gazetteer"
GEOCODER_URL = os.environ.get("GEOCODER_URL", "")
GEOCODER_USER_AGENT = os.environ.get("GEOCODER_USER_AGENT", "victim-services-directory")
GEOCODER_TIMEOUT_S = float(os.environ.get("GEOCODER_TIMEOUT_S", "3"))
GEOCODER_MIN_DELAY_S = float(os.environ.get("GEOCODER_MIN_DELAY_S", "1"))
GEOCODE_CACHE_DAYS = int(os.environ.get("GEOCODE_CACHE_DAYS", "90"))

# A listing not verified for this many days is stale (flagged, and ranked lower in matching).
LISTING_STALE_AFTER_DAYS = int(os.environ.get("LISTING_STALE_AFTER_DAYS", "180"))

# Invitations to manage an organization expire after this many days (and work once).
INVITATION_EXPIRE_DAYS = int(os.environ.get("INVITATION_EXPIRE_DAYS", "7"))
# remind_stale emails an organization with stale services at most this often.
STALE_REMINDER_EVERY_DAYS = int(os.environ.get("STALE_REMINDER_EVERY_DAYS", "30"))
# The coverage map (docs/coverage.md): computed again every quarter hour once this many listing changes were made
# since (and every night); a map for one language is kept while asked for within this many days.
COVERAGE_REFRESH_CHANGES = int(os.environ.get("COVERAGE_REFRESH_CHANGES", "200"))
COVERAGE_LANGUAGE_MAP_DAYS = int(os.environ.get("COVERAGE_LANGUAGE_MAP_DAYS", "30"))
# Unmet requests (docs/privacy.md): a county's week is shown only from this many (never fewer than 10), and the map
# sums the last this many weeks.
UNMET_MIN_SHOWN = int(os.environ.get("UNMET_MIN_SHOWN", "10"))
UNMET_WEEKS = int(os.environ.get("UNMET_WEEKS", "12"))

# The quick-exit button leaves for this neutral page (replacing the current page in the history).
QUICK_EXIT_URL = os.environ.get("QUICK_EXIT_URL", "https://www.google.com/")
# Languages offered in the search form (ISO 639-1): the most common needs of US survivors first.
SEARCH_LANGUAGES = env_list(
    "SEARCH_LANGUAGES", "en,es,zh,vi,tl,ko,ar,ru,fr,ht,pt,hi,th,uk,km,my,ne,so,sw,am,pa,bn,ur,ja,pl,ro,ti"
)

# Radius searches (`near`): default and maximum, in miles.
SEARCH_DEFAULT_RADIUS_MI = 50
SEARCH_MAX_RADIUS_MI = 500

# Census state/county boundaries (TopoJSON from the us-atlas npm package, fetched by scripts/setup.sh).
US_ATLAS_COUNTIES_PATH = os.environ.get(
    "US_ATLAS_COUNTIES_PATH", str(BASE_DIR / ".cache" / "us-atlas" / "package" / "counties-10m.json")
)

# Where links in emails point (emails carry only a reference code and a link that requires login).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# The name a handout sent to a survivor is signed with (providers.handout): neutral, since others may read it.
HANDOUT_SENDER_NAME = os.environ.get("HANDOUT_SENDER_NAME", "Service directory")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"

# Referral notes, client contact and free-text reasons are encrypted at rest with Fernet. The first key
# encrypts; every key decrypts, so a new key can be put first and old rows re-encrypted at leisure.
# Generate one with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is required when DJANGO_ENV=production")
    # Development only: a key derived from the (insecure) development secret key.
    import base64
    import hashlib

    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(f"field-encryption:{SECRET_KEY}".encode()).digest()).decode()
    ]

# A referral nobody answers is marked expired after this many days (python manage.py expire_referrals).
REFERRAL_EXPIRE_AFTER_DAYS = int(os.environ.get("REFERRAL_EXPIRE_AFTER_DAYS", "14"))
# Days after a referral ends before the daily job removes its client contact, notes and free-text reasons
# (referrals.tasks.purge; `manage.py purge_referrals --older-than DAYS` does the same on demand).
REFERRAL_RETENTION_DAYS = int(os.environ.get("REFERRAL_RETENTION_DAYS", "365"))
# The job queue's workers: a stopping worker finishes its jobs for at most this long, then aborts them (well
# within the 5 minutes after which notifications.tasks.retry_stalled runs a silent worker's jobs again).
PROCRASTINATE_WORKER_DEFAULTS = {"shutdown_graceful_timeout": 60.0}
# A referral accepted this many days ago and neither started nor closed is overdue: shown as such, the receiver
# is reminded, and after as many days again the sender (python manage.py remind_overdue_referrals). It is never
# closed by the system: only the people on the referral know whether the client was reached.
REFERRAL_OVERDUE_AFTER_DAYS = int(os.environ.get("REFERRAL_OVERDUE_AFTER_DAYS", "7"))

# Email: the job queue's worker (notifications.tasks) delivers through this backend; in
# development emails are printed to the console (they never hold client data).
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "directory@localhost")
# Lists sent to survivors (sends, docs/sends.md): emails come from this address, under HANDOUT_SENDER_NAME.
SENDS_FROM_EMAIL = os.environ.get("SENDS_FROM_EMAIL", DEFAULT_FROM_EMAIL)
# Text messages: the console in development; in production none (lists go by email or on paper) until it is
# sends.twilio_sms.TwilioBackend with the TWILIO_* settings (a system check refuses it without them).
SMS_BACKEND = os.environ.get("SMS_BACKEND", "" if IS_PRODUCTION else "sends.console.ConsoleBackend")
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID", "")
TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL", "")  # empty: Twilio itself (a stand-in in tests)
# Where the SMS provider reports delivery, exactly as it calls it (it signs that URL); empty: SITE_URL's route.
SMS_STATUS_CALLBACK_URL = os.environ.get("SMS_STATUS_CALLBACK_URL", "")
# Limits: lists one sender may send in an hour, and lists one number or address may be sent in a day (UTC).
SENDS_PER_SENDER_HOUR = int(os.environ.get("SENDS_PER_SENDER_HOUR", "30"))
SENDS_PER_RECIPIENT_DAY = int(os.environ.get("SENDS_PER_RECIPIENT_DAY", "3"))
# Failed deliveries are retried with exponential backoff, up to this many attempts.
NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATION_MAX_ATTEMPTS", "8"))

SILENCED_SYSTEM_CHECKS = [
    # gis.W001: GDAL < 3.9 cannot block network/file access for spatial references. This project never
    # opens user-supplied GDAL datasets or spatial reference strings from the network.
    "gis.W001",
]

# Logs go to stderr: JSON lines in production (LOG_FORMAT=json), plain text in development. One line per
# request from core.request_log.RequestLogMiddleware (URL pattern, never the path or query); every record passes
# RedactFilter, so referral codes, invitation tokens and query strings never reach a log.
REQUEST_LOG_USER_ROLE = "accounts.roles.user_role"  # the role each request line names
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if IS_PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'text'")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "core.request_log.RedactFilter"}},
    "formatters": {
        "json": {"()": "core.request_log.JsonFormatter"},
        "text": {"()": "core.request_log.TextFormatter", "format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact"]},
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Replace Django's own handlers (a console handler in DEBUG that prints raw paths, and mail_admins that
        # would email request bodies): everything goes through the redacting console handler above.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # runserver's own access lines repeat what directory.request logs (and hold raw paths).
        # (A NullHandler, not none: a logger with no handler falls back to Python's last-resort stderr output.)
        "django.server": {"handlers": ["null"], "level": "WARNING", "propagate": False},
        # 4xx warnings ("Not Found: <path>") repeat directory.request's line; 5xx errors (with tracebacks) stay.
        "django.request": {"level": "ERROR"},
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
        # One line per trigger installed after every migrate.
        "pgtrigger": {"level": "WARNING"},
        # The job queue: registrations at every start are noise; a job's failure is a warning or an error.
        # (Job logs carry a job's arguments: ids only, never an address; notifications.services.)
        "procrastinate": {"level": os.environ.get("JOB_LOG_LEVEL", "WARNING")},
        # The Twilio client logs each request at INFO (its URL and headers): nothing of a send belongs in logs.
        "twilio": {"level": "WARNING"},
    },
}

# django-pgtrigger: the match index's triggers are registered in code (matching.triggers) and installed after every
# migrate with the functions they call (matching.apps), not through per-model migration operations.
PGTRIGGER_MODEL_META = False
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = False
