"""An app wired to the fake wiki (API + bot account), for the wiki tests."""

from __future__ import annotations

from typing import Any

from app.config import Settings
from app.main import create_app
from tests.conftest import TEST_RATE_LIMITS, TEST_SECRET
from tests.service.helpers import ADMIN

BOT = "ElectionBot"
BOT_LOGIN = "ElectionBot@scrutin"
BOT_PASSWORD = "bot-password-0123"


def wiki_settings(
    database_url: str,
    tmp_path: Any,
    fake_wiki: Any,
    *,
    bot: bool = True,
    rights: tuple[str, ...] = ("bot",),
    **extra: Any,
) -> Settings:
    farm = fake_wiki.farm
    farm.bot_passwords[BOT_LOGIN] = BOT_PASSWORD
    farm.rights[BOT] = list(rights)
    identity = {"wiki_bot_username": BOT_LOGIN, "wiki_bot_password": BOT_PASSWORD} if bot else {}
    options: dict[str, Any] = {
        "base_url": "https://vote.example.org",
        "wiki_api_url": fake_wiki.api_url("enwiki"),
        "wiki_user_agent": "Scrutin-test/1 (ops@example.org)",
        "wiki_edit_interval": 0,
        **identity,
        **extra,
    }
    settings = Settings(
        environment="test",
        dev_login=True,
        secret_key=TEST_SECRET,
        **TEST_RATE_LIMITS,
        database_url=database_url,
        data_dir=tmp_path,
        demo=False,
        admins=ADMIN,
        **options,
    )
    return settings


def wiki_app(database_url: str, tmp_path: Any, fake_wiki: Any, **kwargs: Any):  # type: ignore[no-untyped-def]
    app = create_app(wiki_settings(database_url, tmp_path, fake_wiki, **kwargs), run_scheduler=False)
    if app.state.wiki_bot is not None:
        app.state.wiki_bot.backoff = 0.01  # retries stay real, the waits short
    return app
