"""MediaWiki OAuth 2.0 login (Extension:OAuth), giving the voter's central username.

Endpoints, relative to the wiki's script path (``wiki_base_url``, e.g.
``https://meta.wikimedia.org/w``):

* authorize: ``rest.php/oauth2/authorize``
* token:     ``rest.php/oauth2/access_token``
* profile:   ``rest.php/oauth2/resource/profile`` → ``{"sub", "username", "editcount", ...}``

The authorization-code grant with PKCE (S256). Authlib builds the authorization URL, the PKCE
challenge, the state and the token request body; the two HTTP calls go through httpx directly
(Authlib's own httpx integration is deprecated in favour of httpx2, which this project does not
use). Framework-free: the caller keeps ``state`` and ``code_verifier`` in its session between
:meth:`MediaWikiOAuth.authorization_url` and :meth:`MediaWikiOAuth.complete`.

Every failure raises :class:`OAuthLoginError` (an :class:`app.errors.Unauthenticated`, so the
API answers 401 ``{"error": code, ...}``) with one of these codes: ``wiki_login_denied``,
``wiki_login_state``, ``wiki_login_token``, ``wiki_login_profile``, ``wiki_login_unavailable``.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from app.errors import Unauthenticated

DEFAULT_USER_AGENT = "Scrutin/0.1 (secret-ballot elections for wiki communities) httpx/" + httpx.__version__


class OAuthLoginError(Unauthenticated):
    """The wiki login failed; ``code`` says at which step (see the module docstring)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(code, detail)

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


class AuthorizationRequest(NamedTuple):
    """Where to send the browser, and what to keep in the session until the callback."""

    url: str
    state: str
    code_verifier: str | None


@dataclass(frozen=True)
class WikiIdentity:
    """Who logged in. ``username`` is the central (global) user name; ``central_id`` the
    CentralAuth id (``sub``) as a string; ``profile`` the whole profile answer."""

    username: str
    central_id: str | None
    profile: dict[str, Any] = field(default_factory=dict)

    @property
    def blocked(self) -> bool:
        return bool(self.profile.get("blocked"))


class MediaWikiOAuth:
    """One OAuth 2.0 consumer registered on a MediaWiki wiki (Special:OAuthConsumerRegistration).

    ``client_secret`` None is a non-confidential (public) client: PKCE only.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str | None,
        wiki_base_url: str,
        redirect_uri: str,
        *,
        scope: str | None = None,
        use_pkce: bool = True,
        timeout: float = 10.0,
        user_agent: str | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        if not client_id:
            raise ValueError("client_id is required")
        self.client_id = client_id
        self.client_secret = client_secret
        self.wiki_base_url = wiki_base_url.rstrip("/")
        self.redirect_uri = redirect_uri
        self.scope = scope
        self.use_pkce = use_pkce
        self.timeout = timeout
        self.user_agent = user_agent or DEFAULT_USER_AGENT
        self._client = client
        self._own_client = client is None

    # -- endpoints -------------------------------------------------------------------------

    @property
    def authorize_endpoint(self) -> str:
        return f"{self.wiki_base_url}/rest.php/oauth2/authorize"

    @property
    def token_endpoint(self) -> str:
        return f"{self.wiki_base_url}/rest.php/oauth2/access_token"

    @property
    def profile_endpoint(self) -> str:
        return f"{self.wiki_base_url}/rest.php/oauth2/resource/profile"

    # -- the flow --------------------------------------------------------------------------

    def authorization_url(self, state: str | None = None) -> AuthorizationRequest:
        """Step 1: the URL to redirect the browser to. Keep ``state`` and ``code_verifier``
        (server side, e.g. in the signed session) for :meth:`complete`."""
        state = state or generate_token(32)
        verifier = generate_token(64) if self.use_pkce else None
        extra: dict[str, str] = {}
        if verifier is not None:
            extra = {"code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256"}
        url = prepare_grant_uri(
            self.authorize_endpoint,
            client_id=self.client_id,
            response_type="code",
            redirect_uri=self.redirect_uri,
            scope=self.scope,
            state=state,
            **extra,
        )
        return AuthorizationRequest(url=url, state=state, code_verifier=verifier)

    def complete(
        self, callback_params: Mapping[str, str], *, expected_state: str | None, code_verifier: str | None
    ) -> WikiIdentity:
        """Step 2, at the redirect URI: check ``state``, exchange the code, read the profile.

        ``callback_params`` is the callback's query string as a mapping (``code``, ``state``,
        or ``error``/``error_description`` when the user refused)."""
        if callback_params.get("error"):
            description = callback_params.get("error_description") or callback_params["error"]
            raise OAuthLoginError("wiki_login_denied", f"the wiki refused the login: {description}")
        state = callback_params.get("state") or ""
        if not expected_state or not hmac.compare_digest(state.encode(), expected_state.encode()):
            raise OAuthLoginError("wiki_login_state", "the login state does not match; start the login again")
        code = callback_params.get("code")
        if not code:
            raise OAuthLoginError("wiki_login_token", "the wiki sent no authorization code")
        return self.fetch_identity(code, code_verifier)

    def fetch_identity(self, code: str, code_verifier: str | None = None) -> WikiIdentity:
        """Exchange ``code`` for a token and read the profile (state already checked)."""
        token = self.fetch_token(code, code_verifier)
        profile = self.fetch_profile(token["access_token"])
        username = profile.get("username")
        if not isinstance(username, str) or not username.strip():
            raise OAuthLoginError("wiki_login_profile", "the wiki profile has no user name")
        sub = profile.get("sub")
        return WikiIdentity(username=username, central_id=None if sub is None else str(sub), profile=profile)

    def fetch_username(self, code: str, code_verifier: str | None = None) -> str:
        """The central username for an authorization ``code``."""
        return self.fetch_identity(code, code_verifier).username

    def fetch_token(self, code: str, code_verifier: str | None = None) -> dict[str, Any]:
        """The token endpoint's answer (``access_token``, ``token_type``, ``expires_in``...)."""
        extra: dict[str, str] = {"client_id": self.client_id}
        if self.client_secret:
            extra["client_secret"] = self.client_secret
        if code_verifier:
            extra["code_verifier"] = code_verifier
        body = prepare_token_request("authorization_code", code=code, redirect_uri=self.redirect_uri, **extra)
        response = self._request(
            "POST",
            self.token_endpoint,
            content=body.encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            step="wiki_login_token",
        )
        data = self._json(response, "wiki_login_token")
        if response.status_code != 200 or "error" in data:
            detail = data.get("error_description") or data.get("message") or data.get("error")
            raise OAuthLoginError(
                "wiki_login_token",
                f"the wiki refused the authorization code (HTTP {response.status_code}: {detail})",
            )
        if not isinstance(data.get("access_token"), str) or not data["access_token"]:
            raise OAuthLoginError("wiki_login_token", "the wiki's token answer has no access_token")
        token_type = str(data.get("token_type", "Bearer"))
        if token_type.lower() != "bearer":
            raise OAuthLoginError("wiki_login_token", f"unsupported token type {token_type!r}")
        return data

    def fetch_profile(self, access_token: str) -> dict[str, Any]:
        response = self._request(
            "GET",
            self.profile_endpoint,
            headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
            step="wiki_login_profile",
        )
        data = self._json(response, "wiki_login_profile")
        if response.status_code != 200:
            raise OAuthLoginError(
                "wiki_login_profile", f"the wiki refused the profile request (HTTP {response.status_code})"
            )
        return data

    # -- HTTP --------------------------------------------------------------------------------

    def close(self) -> None:
        if self._own_client and self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> MediaWikiOAuth:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request(self, method: str, url: str, *, step: str, **kwargs: Any) -> httpx.Response:
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout)
        headers = {"User-Agent": self.user_agent, **kwargs.pop("headers", {})}
        try:
            return self._client.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
        except httpx.HTTPError as exc:
            raise OAuthLoginError(
                "wiki_login_unavailable", f"the wiki could not be reached ({type(exc).__name__}); try again"
            ) from exc

    @staticmethod
    def _json(response: httpx.Response, step: str) -> dict[str, Any]:
        if response.status_code >= 500:
            raise OAuthLoginError(
                "wiki_login_unavailable", f"the wiki answered HTTP {response.status_code}; try again"
            )
        try:
            data = response.json()
        except ValueError:
            raise OAuthLoginError(
                step, f"the wiki answered something other than JSON (HTTP {response.status_code})"
            ) from None
        if not isinstance(data, dict):
            raise OAuthLoginError(step, "the wiki answered unexpected JSON")
        return data
