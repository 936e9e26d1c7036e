"""Domain errors. Services raise these; ``app.api.errors`` maps them to HTTP in one place.

Every error carries a stable machine-readable ``code`` and a human ``detail``; clients see
``{"error": code, "detail": detail}``. An error about one field of the request also names it,
machine-readably, in ``field`` (a dotted path such as ``rules.need_groups[0]``): clients find
the field from it, never from the detail text, which is translated.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a user can cause. ``kind`` decides the HTTP status."""

    # invalid | unauthenticated | forbidden | not_found | conflict | unavailable | rate_limited
    # (a body too large is refused with 413 by the size limit, app/api/limits.py, before any
    # service runs)
    kind = "invalid"

    def __init__(self, code: str, detail: str, *, field: str | None = None) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail
        self.field = field


class InvalidInput(DomainError):
    kind = "invalid"


class Unauthenticated(DomainError):
    kind = "unauthenticated"


class Forbidden(DomainError):
    kind = "forbidden"


class NotFound(DomainError):
    kind = "not_found"


class Conflict(DomainError):
    """The request is well formed but not allowed in the current state (e.g. wrong phase)."""

    kind = "conflict"


class Unavailable(DomainError):
    """A dependency (the wiki) could not answer; the request may succeed if retried."""

    kind = "unavailable"


class RateLimited(DomainError):
    """Too many requests of one kind (app.api.ratelimit); ``retry_after`` is in seconds."""

    kind = "rate_limited"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__("rate_limited", detail)
        self.retry_after = retry_after


def N_(message: str) -> str:  # noqa: N802 - the gettext no-op marker (pybabel -k N_)
    return message


MESSAGES: dict[str, str] = {
    "already_withdrawn": N_("This candidate has already withdrawn."),
    "audit_busy": N_("The audit log is busy; please try again."),
    "ballot_replayed": N_("This exact ballot was already cast."),
    "ballot_too_large": N_("A ballot for these questions would be larger than this server accepts."),
    "ceremony_rejected": N_("The key ceremony refused this message."),
    "cluster_not_found": N_("There is no such signal group."),
    "convenient_credentials": N_("In this election voters register their own credentials."),
    "credential_count": N_("The number of credentials does not match the number of eligible voters."),
    "credential_in_use": N_(
        "A ballot cast with your credential counts: type your credential code to vote again from this device."
    ),
    "credential_taken": N_("This credential is already registered."),
    "credentials_published": N_("The credentials were already published."),
    "csrf_header_missing": N_("The request lacks the header that proves it comes from this site."),
    "decryption_started": N_("Decryption has begun: the mixes are final."),
    "dev_login_disabled": N_("The development login is off on this server."),
    "duplicate_credentials": N_("The credential list has duplicates."),
    "election_exists": N_("An election with this identifier already exists."),
    "election_not_found": N_("There is no such election, or it is not visible to you."),
    "eligibility_unavailable": N_("Eligibility could not be checked right now; please try again."),
    "empty_patch": N_("There is nothing to change."),
    "forbidden": N_("You do not have the role this needs."),
    "http_error": N_("The request failed."),
    "independent_credentials": N_("This election's credentials come from its credential authority."),
    "invalid_ballot": N_("The ballot is not valid."),
    "invalid_choice": N_("This choice is not one of the allowed values."),
    "invalid_credential": N_("The credential is not valid."),
    "invalid_invitation": N_("This invitation link is not valid."),
    "invalid_mix": N_("The mix is not valid."),
    "invalid_reason_code": N_("The reason code is not one of the allowed codes."),
    "invalid_request": N_("The request is not valid."),
    "invalid_role_policy": N_("The role policy is not valid."),
    "invalid_roll_mode": N_("The roll mode is not valid."),
    "invalid_schedule": N_("The schedule is not valid."),
    "invalid_securepoll_dump": N_("The SecurePoll export is not valid."),
    "invalid_selector": N_("The ballots to select are not given correctly."),
    "invalid_session": N_("The session is not valid; log in again."),
    "invalid_share": N_("The decryption share is not valid."),
    "invalid_signature": N_("The signature is not valid."),
    "invalid_threshold": N_("The threshold cannot exceed the number of trustees."),
    "invalid_time": N_("The time is out of range."),
    "invalid_timezone": N_("This time zone is not known."),
    "invalid_title": N_("The wiki page title is not valid."),
    "invitation_expired": N_("This invitation link has expired."),
    "invitation_not_found": N_("There is no such invitation."),
    "invitation_not_on_roll": N_("Invitation links are only for people on the voter roll."),
    "invitation_privileged": N_(
        "Invitation links are only for voters: people who hold a privileged position must log in themselves."
    ),
    "invitation_revoked": N_("This invitation was revoked."),
    "invitation_scope": N_(
        "This session comes from an invitation link: it may only vote in its election. Log in to "
        "do anything else."
    ),
    "invitation_used": N_(
        "This invitation link was already opened in another browser; ask the election committee "
        "for a new one."
    ),
    "last_candidate": N_("The question needs at least one candidate left."),
    "last_committee_member": N_("An election needs at least one committee member."),
    "login_required": N_("Log in first."),
    "method_not_allowed": N_("This method is not allowed here."),
    "missing_translation": N_("The text is missing in the election's default language."),
    "mixing_incomplete": N_("The ranked ballots are not mixed yet."),
    "no_definition": N_("The election has no ballot definition yet."),
    "no_pii_right": N_(
        "Viewing IP addresses and user agents needs the PII right (a scrutineer role with the “pii” flag)."
    ),
    "no_question": N_("The result has no such question."),
    "no_rankings": N_("This question has no decrypted rankings."),
    "no_result": N_("The result is not published yet."),
    "no_rules": N_("This election has no eligibility rules."),
    "no_tally": N_("The tally has not started."),
    "no_wiki_bot": N_("This server has no wiki bot account."),
    "no_wiki_configured": N_("This server has no wiki configured."),
    "not_editable": N_("This cannot be changed in the election's current phase."),
    "not_eligible": N_("You are not on the voter roll of this election."),
    "not_found": N_("Not found."),
    "not_ready_to_freeze": N_("The election is not ready to freeze its roll."),
    "nothing_to_change": N_("No ballot matches the selection."),
    "nothing_to_mix": N_("This ballot has no ranked question to mix."),
    "payload_too_large": N_("The request is too large."),
    "rate_limited": N_("Too many requests; please wait and try again."),
    "reason_required": N_("Give a reason."),
    "role_exists": N_("This person already has this role."),
    "role_not_found": N_("This person does not have this role."),
    "roll_entries_rejected": N_("Some entries of the roll were refused; nothing was changed."),
    "rules_changed": N_("The rules changed while the roll was computed; please try again."),
    "rules_required": N_("This roll mode needs eligibility rules."),
    "securepoll_unsupported": N_("This SecurePoll election uses something Scrutin does not support."),
    "session_expired": N_("The session has expired; log in again."),
    "session_not_found": N_("There is no such session."),
    "session_revoked": N_("This session was ended; log in again."),
    "share_exists": N_("This trustee has already sent its share."),
    "small_slots": N_(
        "Some results would rest on too few ballots to publish: confirm the change explicitly."
    ),
    "stale_definition": N_("The ballot changed while yours was checked; reload the booth and vote again."),
    "stale_round": N_("This message is for another round of the key ceremony."),
    "tally_exists": N_("This election has already been tallied."),
    "too_few_mixers": N_("A ranked question needs more trustees: each mix is done by a different trustee."),
    "too_many_trustees": N_("All trustee places of the election are taken."),
    "tracker_not_found": N_("No ballot has this tracker."),
    "trustee_excluded": N_(
        "A trustee was found at fault: return to draft and replace it before the ceremony restarts."
    ),
    "unknown_candidate": N_("The question has no such candidate."),
    "unknown_credential": N_("The credential is not in the published list."),
    "unknown_question": N_("There is no such question."),
    "voter_list_hidden": N_("This election does not publish who voted."),
    "voter_not_found": N_("This person is not on the roll."),
    "voting_closed": N_("Voting closed at the scheduled end before this could be recorded."),
    "wiki_bot_misconfigured": N_("The wiki bot account is not configured correctly."),
    "wiki_edit_conflict": N_("The wiki page changed while it was being edited; read it again and retry."),
    "wiki_login_disabled": N_("Wiki login is not configured on this server."),
    "wiki_login_state": N_("The login attempt expired; start again."),
    "wiki_login_denied": N_("The wiki refused the login."),
    "wiki_login_profile": N_("The wiki did not say who you are; try logging in again."),
    "wiki_login_token": N_("The wiki login could not be completed; try again."),
    "wiki_login_unavailable": N_("The wiki could not be reached for the login; try again later."),
    "wiki_page_changed": N_(
        "The wiki page was changed by someone else: look at it, then publish with force to overwrite."
    ),
    "wiki_page_missing": N_("There is no such page on the wiki."),
    "wiki_refused": N_("The wiki refused the request."),
    "wiki_unavailable": N_("The wiki did not answer usefully; try again later."),
    "wrong_credential": N_("The ballot is not signed with your registered credential."),
    "wrong_election": N_("This ballot was made for another election."),
    "wrong_fingerprint": N_("The ballot's election fingerprint is not known."),
    "wrong_phase": N_("This is not possible in the election's current phase."),
    "invalid_message": N_("The trustee message does not have the form the protocol requires."),
    "nonexistent_time": N_("This local time does not exist in the time zone (the clocks jump over it)."),
    "ambiguous_time": N_("This local time happens twice in the time zone; give the offset."),
    "metrics_token_required": N_("The metrics need the metrics token."),
    "metrics_restricted": N_("The metrics are not open on this server."),
    "wrong_roll_mode": N_("This election's roll is not computed in advance."),
    "roll_check_running": N_("The roll is being checked already; wait until that check ends."),
    "roll_check_not_found": N_("There is no such roll check for this election."),
    "wrong_tally": N_("The share is for another tally than the one on the board."),
    "invalid_rules": N_("The eligibility rules are not valid."),
    "unknown_user": N_("The wiki does not know this user."),
    "wiki_api_error": N_("The wiki answered with an error; please try again later."),
    "wiki_timeout": N_("The wiki did not answer in time; please try again later."),
    "wiki_unreachable": N_("The wiki could not be reached; please try again later."),
    "wiki_lagged": N_("The wiki is lagging behind; please try again later."),
    "missing_facts": N_("The eligibility rules need facts this wiki cannot give."),
    "role_policy": N_("This breaks the election's role policy."),
}
"""Every error code → a sentence for people, in English; the API answers it in the requester's
language (``app.api.errors``: Accept-Language or the UI language cookie, from the catalogues in
admin_ui/locale). ``tests/ui/test_error_catalogue.py`` fails when a code raised anywhere has no
entry here, or an entry no Chinese translation."""
