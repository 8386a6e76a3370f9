"""gunicorn settings for ``make run`` and production; override with GUNICORN_CMD_ARGS."""

import os

from intake.config import DEFAULT_BIND

# The application reads INTAKE_BIND too: unless PORTAL_URL is set, mail links point here.
bind = os.environ.get("INTAKE_BIND") or DEFAULT_BIND
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Stories take a while to send on a slow phone connection; do not cut them off.
timeout = 60
accesslog = "-"
errorlog = "-"
# No client address, user agent or referrer in the logs: only time, request line, status, size
# and duration. Query strings never carry personal data in this application.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The control socket (gunicorn 25.1+) defaults to one path per user, shared by every instance
# on the host; this application does not use it.
control_socket_disable = True
