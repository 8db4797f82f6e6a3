"""gunicorn's settings for the clinic's web processes: `gunicorn --config gunicorn.conf.py`
(docs/operations.md, "Processes"). Each can be changed by its environment variable."""

import os

from common import logs
from helpline.middleware import is_helpline_path

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Synchronous workers, one per core and one more: a page spends its time in Python, not
# waiting, so more processes than that only queue for the processor, and threads add nothing
# a process does not; the proxy in front buffers slow clients. Measured: docs/performance.md,
# "Capacity".
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))
worker_class = "sync"
threads = int(os.environ.get("GUNICORN_THREADS", 1))  # more than one: gthread

# A request has 30 seconds, as long as PostgreSQL lets one statement run (statement_timeout);
# a stopping worker as long to finish the requests it has. Behind the proxy, connections are
# kept a little longer than the proxy's own keep-alive toward us.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5

# A worker is replaced after so many requests, staggered, so that no slow growth of memory
# lasts (rendering happens in the Celery worker, not here).
max_requests = 1000
max_requests_jitter = 100

# No control socket: its default path is one per user, which every stack on the machine would
# share (the tests start several); the service manager starts and stops the server.
control_socket_disable = True

# The proxy in front says whether the visitor came over HTTPS (X-Forwarded-Proto): trusted
# from these addresses only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# The access log: no query string (searches carry names) and no referrer (the previous page's
# query string); its request id (from X-Request-ID, common.logs) ties it to the application's
# lines and to the access events.
# The helpline's requests have lost the caller's address before this line is written, and
# write no line at all (docs/helpline.md).
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
logconfig_dict = logs.config(
    os.environ.get("LOG_FORMAT", "json"),
    os.environ.get("LOG_LEVEL", "INFO"),
    {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {
            "level": "INFO",
            "handlers": ["console"],
            "propagate": False,
            "filters": ["no_helpline"],
        },
    },
    filters={"no_helpline": {"()": logs.PrivatePaths, "private": is_helpline_path}},
)
