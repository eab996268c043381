"""The web interface (issue 10): server-rendered pages for scanning teams, officers, reviewers, archivists and
administrators, and the public verification page, served by ``sohoa serve`` beside the API.

How a page is made:

- A router per part of the interface in ``routes/`` (``include_in_schema=False``), included in ``app.mount_web``.
  A page's handler takes ``Annotated[Caller, person("officer", ...)]``: nobody signed in is sent to sign in, a role
  not listed gets a 403 page, and an unsafe request (a form's POST) must carry the CSRF token. Reading documents,
  batches and the rest goes through the same library calls as the API (``storage``, ``workers``), within
  ``caller.agencies``; another agency's thing is "not found" (``PageError(404, ...)``), as in the API.
- ``templating.render(request, "part/page.html", {...})`` renders a template that extends ``base.html`` (blocks
  ``title``, ``main``, ``head``, ``scripts``); ``macros.html`` has form fields (import it ``with context``). Forms
  carry ``{{ ui.csrf_field() }}``. Filters: ``moment`` (a time in Vietnam's zone), ``day`` (an ISO date), ``number``,
  ``percent``.
- Every message is English in the code and templates (``{{ _("Search") }}``, ``_("... %(n)s", n=...)`` in Python;
  ``N_`` marks a message defined in a table and translated when shown) and has its Vietnamese in a catalog of its own
  part: ``locale/vi/LC_MESSAGES/<part>.po`` (tests/test_web_i18n.py checks both ways).
- Pages work without JavaScript where they read (search, documents); a page that updates live or takes files uses a
  little plain script of its own in ``static/`` (``sohoa.api()`` sends the session and its CSRF token). No CDN, no
  build step: everything is in the package.
- Accessible: one ``h1``, labelled fields, tables with headers, text alternatives, keyboard use; the browser tests run
  axe-core on every page and photograph it at 1366×768.
"""
