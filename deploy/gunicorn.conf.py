"""gunicorn settings for the portal's dynamic app: ``gunicorn -c deploy/gunicorn.conf.py``.

Sync workers, about one per core: the anchors measured on 2 cores show gthread adds ~5% throughput and
nearly triples p99, and more sync workers than cores adds nothing for these CPU-bound pages. nginx in
front (deploy/nginx.conf) buffers slow clients, so sync workers are never held by a slow connection.
Every value can be overridden from the environment (PORTAL_BIND, PORTAL_WORKERS, ...).

The app sits behind one proxy, the nginx of deploy/nginx.conf, which sends X-Forwarded-For and
X-Forwarded-Proto: PORTAL_TRUSTED_PROXIES defaults to 1 here, so that each citizen is throttled (and can
be blocked) by their own address rather than all together as 127.0.0.1. Bind to loopback or a private
address only: a client reaching gunicorn directly could otherwise name its own address.
"""

import os

os.environ.setdefault("PORTAL_TRUSTED_PROXIES", "1")  # read by the workers when they load the app

wsgi_app = "portal.wsgi:app"
bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PORTAL_WORKERS", "2"))
worker_class = "sync"
timeout = int(os.environ.get("PORTAL_WORKER_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5  # nginx keeps upstream connections open (keepalive 16 in nginx.conf)
max_requests = 200000  # recycle workers now and then: bounded memory over months
max_requests_jitter = 20000
# Access logs are nginx's job; gunicorn logs errors only unless told otherwise.
accesslog = os.environ.get("PORTAL_ACCESS_LOG") or None
logger_class = "portal.serving.AccessLogger"  # receipt codes masked in the access log
errorlog = os.environ.get("PORTAL_ERROR_LOG", "-")
loglevel = os.environ.get("PORTAL_LOG_LEVEL", "info")
forwarded_allow_ips = "127.0.0.1,::1"  # trust X-Forwarded-* from the local nginx only
proc_name = "portal"
