"""Identity providers for logging in (framework-free; the API layer mounts routes on them)."""

from app.identity.mediawiki_oauth import (
    AuthorizationRequest,
    MediaWikiOAuth,
    OAuthLoginError,
    WikiIdentity,
)

__all__ = ["AuthorizationRequest", "MediaWikiOAuth", "OAuthLoginError", "WikiIdentity"]
