"""The central server's web pages: visitor filing, staff approvals, the admin dashboard.

Server-rendered with Jinja2 (``templates/``); every page calls the transport-free server
functions (:mod:`central.workflow`, :mod:`central.admin`, :mod:`central.logs`) and never
re-implements them. :func:`central.web.app.add_web` mounts the pages on the server's app.
"""
