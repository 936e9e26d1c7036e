"""Reusable fakes that tests run on 127.0.0.1 over real HTTP.

* :mod:`tests.fakes.wiki` — a fake MediaWiki farm: Action API (``/{wiki}/w/api.php``) and
  OAuth 2.0 provider (``/{wiki}/w/rest.php/oauth2/...``) in one ThreadingHTTPServer.
* :mod:`tests.fakes.wiki_data` — the default fixture users (one per rule and precedence case).
* :mod:`tests.fakes.pytest_fixtures` — pytest fixtures ``fake_wiki_server`` (session) and
  ``fake_wiki`` (per test, fresh data); import them in a ``conftest.py``.
"""
