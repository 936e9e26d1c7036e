"""The service's wiki account against the fake MediaWiki over real HTTP: login, rights,
etiquette, retries, conflicts, and never sending a write twice."""

from __future__ import annotations

import pytest

from app.wiki.bot import BotConfigError, EditConflict, WikiBot, WikiBotError

UA = "Scrutin-test/1 (ops@example.org)"


def bot(fake_wiki, *, sleeps=None, **kw) -> WikiBot:
    fake_wiki.farm.bot_passwords.setdefault("ElectionBot@scrutin", "s3cret")
    fake_wiki.farm.rights.setdefault("ElectionBot", ["bot"])
    args = {"username": "ElectionBot@scrutin", "password": "s3cret", **kw}
    return WikiBot(
        fake_wiki.api_url("enwiki"),
        user_agent=UA,
        backoff=0.01,
        sleep=(sleeps.append if sleeps is not None else lambda s: None),
        **args,
    )


def test_botpassword_login_rights_and_an_edit_with_etiquette(fake_wiki) -> None:
    with bot(fake_wiki) as b:
        identity = b.check()
        assert identity.name == "ElectionBot" and identity.is_bot
        result = b.edit("Results_page", text="hello", summary="Scrutin: results", createonly=True)
    assert result["newrevid"] and fake_wiki.farm.page_text("enwiki", "Results page") == "hello"
    edit = next(r for r in fake_wiki.farm.requests if r.params.get("action") == "edit")
    assert edit.method == "POST" and edit.user_agent == UA
    assert edit.params["bot"] == "1" and edit.params["assert"] == "bot"
    assert edit.params["assertuser"] == "ElectionBot" and edit.params["maxlag"] == "5"
    assert edit.params["token"].startswith("csrf-ElectionBot")
    assert edit.params["summary"] == "Scrutin: results"


def test_oauth_token_as_bearer(fake_wiki) -> None:
    fake_wiki.farm.email_bot_tokens["tok"] = "TokenBot"
    with WikiBot(fake_wiki.api_url(), token="tok", user_agent=UA) as b:
        assert b.check().name == "TokenBot"
        b.edit("Page", text="x", summary="s")
    assert fake_wiki.farm.pages["enwiki"]["Page"][-1]["user"] == "TokenBot"
    # Not a bot: assert=user, never assert=bot.
    edit = next(r for r in fake_wiki.farm.requests if r.params.get("action") == "edit")
    assert edit.params["assert"] == "user"


def test_missing_rights_and_bad_passwords_are_clear(fake_wiki) -> None:
    fake_wiki.farm.bot_passwords["ElectionBot@scrutin"] = "other"
    with pytest.raises(BotConfigError, match="refused the BotPassword"):
        bot(fake_wiki).check()
    fake_wiki.farm.bot_passwords["ElectionBot@scrutin"] = "s3cret"
    with pytest.raises(BotConfigError, match="lacks the right.*massmessage") as err:
        bot(fake_wiki).check(needed=("edit", "massmessage"))
    assert err.value.code == "bot_rights_missing"
    with pytest.raises(BotConfigError, match="not both"):
        WikiBot("http://x", username="a", password="b", token="c", user_agent=UA)
    with pytest.raises(BotConfigError, match="no wiki bot"):
        WikiBot(fake_wiki.api_url(), user_agent=UA).check()


def test_maxlag_and_ratelimited_are_retried_with_backoff(fake_wiki) -> None:
    sleeps: list[float] = []
    b = bot(fake_wiki, sleeps=sleeps)
    b.check()
    fake_wiki.farm.retry_after = "3"
    fake_wiki.farm.maxlag_next = 1
    fake_wiki.farm.ratelimited_next = 1
    b.edit("Page", text="x", summary="s")
    assert sleeps and sleeps[0] >= 3  # Retry-After honoured
    assert len(sleeps) == 2
    assert fake_wiki.farm.page_text("enwiki", "Page") == "x"
    fake_wiki.farm.maxlag_next = 10
    with pytest.raises(WikiBotError) as err:
        b.edit("Page", text="y", summary="s")
    assert err.value.code == "maxlag" and err.value.retryable


def test_edit_conflicts_are_detected(fake_wiki) -> None:
    b = bot(fake_wiki)
    fake_wiki.farm.put_page("enwiki", "Results", "first")
    page = b.read_page("Results")
    fake_wiki.farm.put_page("enwiki", "Results", "someone else's edit")
    with pytest.raises(EditConflict):
        b.edit("Results", text="ours", summary="s", baserevid=page.revid, basetimestamp=page.timestamp)
    assert fake_wiki.farm.page_text("enwiki", "Results") == "someone else's edit"
    with pytest.raises(EditConflict):
        b.edit("Results", text="ours", summary="s", createonly=True)


def test_a_write_whose_answer_is_lost_is_not_sent_again(fake_wiki) -> None:
    b = bot(fake_wiki)
    b.check()
    fake_wiki.farm.drop_next_write = 1
    with pytest.raises(WikiBotError) as err:
        b.edit("User talk:Alice", section="new", sectiontitle="Hi", text="once", summary="s")
    assert err.value.code == "wiki_unavailable"
    assert fake_wiki.farm.page_text("enwiki", "User talk:Alice").count("once") == 1
    assert len([r for r in fake_wiki.farm.requests if r.params.get("action") == "edit"]) == 1


def test_badtoken_and_lost_session_recover_once(fake_wiki) -> None:
    b = bot(fake_wiki)
    b.check()
    b._csrf = "stale+\\"
    b.edit("Page", text="x", summary="s")
    fake_wiki.farm._sessions.clear()  # the wiki forgot the session: assertuser fails
    b.edit("Page", text="y", summary="s")
    assert fake_wiki.farm.page_text("enwiki", "Page") == "y"
    assert len([r for r in fake_wiki.farm.requests if r.params.get("action") == "login"]) == 2


def test_pages_protection_opt_out_and_users(fake_wiki) -> None:
    b = bot(fake_wiki)
    fake_wiki.farm.put_page("enwiki", "User talk:Newbie", "hi\n[[Category:Opted-out of message delivery]]")
    fake_wiki.farm.protection[("enwiki", "User talk:Admin")] = "sysop"
    assert b.read_page("User_talk:newbie").opted_out
    admin = b.read_page("User talk:Admin")
    assert not admin.exists and admin.edit_protection == "sysop"
    assert b.existing_users(["Alice", "Nobody here"]) == {"Alice": "Alice", "Nobody here": None}
    assert b.siteinfo()["lang"] == "en" and not b.has_massmessage()


def test_bot_settings_are_checked() -> None:
    from app.config import Settings

    with pytest.raises(ValueError, match="exclusive"):
        Settings(
            wiki_api_url="http://w/api.php",
            wiki_bot_username="B@x",
            wiki_bot_password="p",
            wiki_bot_token="t",
        )
    with pytest.raises(ValueError, match="needs both"):
        Settings(wiki_api_url="http://w/api.php", wiki_bot_username="B@x")
    with pytest.raises(ValueError, match="needs SCRUTIN_WIKI_API_URL"):
        Settings(wiki_bot_token="t")
    assert Settings(wiki_api_url="http://a", wiki_bot_api_url="http://b").wiki_bot_api == "http://b"


def test_edits_keep_the_pace(fake_wiki) -> None:
    sleeps: list[float] = []
    b = bot(fake_wiki, sleeps=sleeps, edit_interval=2.0)
    b.edit("A", text="1", summary="s")
    b.edit("B", text="2", summary="s")
    assert len(sleeps) == 1 and 1.5 < sleeps[0] <= 2.0
