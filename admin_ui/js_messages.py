"""Strings the pages' JavaScript shows, as gettext messages.

``pybabel extract`` finds them through the ``N_`` marker, so they are translated in the same
catalogues as the templates. Each page embeds ``catalogue(lang)`` (key → translated text) as a
JSON data block that ``static/js/common.js`` reads; ``%(name)s`` placeholders are filled in JS.
"""

from __future__ import annotations

import functools

from admin_ui.i18n import translations


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext no-op marker
    return message


PHASE_NAMES = {
    "draft": N_("Draft"),
    "key_ceremony": N_("Key ceremony"),
    "ready": N_("Ready (voting has not opened yet)"),
    "open": N_("Open for voting"),
    "paused": N_("Paused"),
    "closed": N_("Closed"),
    "scrutiny": N_("Scrutiny"),
    "tallying": N_("Tallying"),
    "published": N_("Results published"),
}

# The public reason codes of strikes (app.models.scrutiny.REASON_CODES), with their labels.
REASON_CODES = {
    "sockpuppet": N_("sockpuppet (several accounts of one person)"),
    "ineligible": N_("the voter was not eligible"),
    "canvassing": N_("canvassing or a bought vote"),
    "ballot_error": N_("the ballot shown was wrong"),
    "candidate_change": N_("a candidate withdrew or was replaced"),
    "technical": N_("a technical fault"),
    "other": N_("other"),
}

MESSAGES: dict[str, str] = {
    **{f"phase.{key}": text for key, text in PHASE_NAMES.items()},
    "ceremony.status.invited": N_("invited"),
    "ceremony.status.joined": N_("joined"),
    "ceremony.status.committed": N_("commitments published"),
    "ceremony.status.shared": N_("shares sent"),
    "ceremony.status.verified": N_("shares verified"),
    "ceremony.status.hashed": N_("committed (hash published)"),
    "ceremony.status.confirmed": N_("confirmed"),
    "ceremony.status.complained": N_("complained"),
    "role.committee": N_("Committee member"),
    "role.scrutineer": N_("Scrutineer"),
    "role.trustee": N_("Trustee"),
    "role.credential_authority": N_("Credential authority"),
    "label.support": N_("Support"),
    "label.oppose": N_("Oppose"),
    "label.status": N_("Status"),
    "label.trustee": N_("Trustee"),
    "label.fingerprint": N_("Fingerprint"),
    "label.results": N_("See the results"),
    "error.api": N_("The server refused: %(detail)s"),
    "error.generic": N_("Something went wrong: %(detail)s"),
    # booth
    "booth.eligible": N_("%(name)s, you are on the voter roll and may vote."),
    "booth.not_eligible": N_("%(name)s, you cannot vote in this election."),
    "booth.reasons": N_("Reasons:"),
    "booth.phase": N_("Election phase: %(phase)s."),
    "booth.paused": N_("Voting is paused: %(reason)s"),
    "booth.not_open_yet": N_("Voting has not opened yet."),
    "booth.closed": N_("Voting has ended."),
    "booth.has_voted": N_("You voted on %(time)s. Your current ballot's tracker:"),
    "booth.revote_hint": N_("You may vote again until voting ends: only your last ballot counts."),
    "booth.loading_crypto": N_("Loading the encryption code…"),
    "booth.pick_one": N_("“%(question)s”: select exactly one option."),
    "booth.pick_range": N_("“%(question)s”: select between %(min)s and %(max)s options."),
    "booth.code_missing": N_("Enter the voting code the credential authority sent you."),
    "booth.code_invalid": N_("This voting code is not valid: check it for typing mistakes."),
    "booth.no_credential": N_("This browser has no voting credential for this election."),
    "booth.credential_elsewhere": N_(
        "You already voted from another browser or device, whose credential is not here. To vote "
        "again here, type the credential code you were shown when it was made."
    ),
    "booth.credential_mismatch": N_(
        "The credential in this browser is not the one registered for you. To vote again here, "
        "type the credential code of the registered one."
    ),
    "booth.code_not_yours": N_(
        "This code is valid but is not the code of your registered credential for this election."
    ),
    "booth.credential_replaced": N_(
        "Your credential was replaced on %(time)s (public board event %(seq)s); the old one can "
        "no longer vote."
    ),
    "booth.progress.start": N_("Preparing the encryption…"),
    "booth.progress.step": N_("Encrypting and proving: step %(done)s of %(total)s"),
    "booth.progress.done": N_("Encryption finished."),
    "booth.audit_ok": N_("Audit passed: ballot %(tracker)s contains exactly your choices. It was not cast."),
    "booth.audit_failed": N_("Audit FAILED: %(problem)s. Do not use this computer to vote."),
    "booth.reencrypted": N_("Your choices were encrypted again, with a new tracker, ready to cast."),
    "booth.choice.support": N_("support"),
    "booth.choice.oppose": N_("oppose"),
    "booth.choice.neutral": N_("neutral"),
    "booth.choice.none": N_("(nothing selected)"),
    "booth.choice.line": N_("%(candidate)s: %(choice)s"),
    "booth.choice.question": N_("%(question)s: %(options)s"),
    "booth.ranking.line": N_("%(ranking)s; not ranked: %(unranked)s"),
    "booth.ranking.empty": N_("no candidate ranked (a blank ranking)"),
    "booth.ranking.yours": N_("Your ranking: %(ranking)s"),
    "booth.discarded": N_(
        "You changed your choices after encrypting them: that encrypted ballot was discarded. "
        "Encrypt again to cast your new choices."
    ),
    "booth.decoded_mismatch": N_(
        "The encrypted ballot does not contain the choices on the screen, so it was discarded. "
        "Do not use this computer to vote."
    ),
    "booth.election_refused": N_(
        "This page refuses to encrypt your ballot: the election the server sent is not the one "
        "the trustees set up (%(problem)s). Do not vote here; tell the election committee."
    ),
    "booth.fingerprint_matches": N_("It matches the code in your link."),
    "booth.receipt_ok": N_(
        "Receipt checked: signed with the election's receipt key, and your ballot is on the "
        "public board at position %(seq)s."
    ),
    "booth.receipt_bad": N_(
        "The receipt does not hold (%(problem)s). Keep it and tell the election committee: it is evidence."
    ),
    "booth.cast_ok": N_("Your ballot was cast on %(time)s."),
    "booth.cast_revote": N_(
        "Your new ballot was cast on %(time)s. It replaces your earlier ballot, which no longer counts."
    ),
    "booth.revote_notice": N_(
        "The election committee invites you to vote again (invitation of %(time)s). Their reason: %(reason)s"
    ),
    "booth.revote_struck": N_(
        "Your ballot no longer counts, and you are invited to vote again (invitation of %(time)s): %(reason)s"
    ),
    "booth.revote_reason.sockpuppet": N_(
        "the scrutineers set it aside while checking accounts that may belong to one person."
    ),
    "booth.revote_reason.ineligible": N_(
        "the scrutineers set it aside because your eligibility was in doubt."
    ),
    "booth.revote_reason.canvassing": N_(
        "the scrutineers set it aside because of concerns about improper canvassing."
    ),
    "booth.revote_reason.ballot_error": N_(
        "the ballot shown to voters was wrong for a while, and ballots cast then were set aside."
    ),
    "booth.revote_reason.candidate_change": N_(
        "the candidates changed after you voted, and ballots cast before the change were set aside."
    ),
    "booth.revote_reason.technical": N_("a technical fault affected it, and it was set aside."),
    "booth.revote_reason.other": N_("the scrutineers set it aside."),
    # eligibility reasons (static/js/eligibility.js; app/eligibility/evaluate.py)
    "elig.fixed.listed": N_("listed on this election's voter roll"),
    "elig.fixed.not_listed": N_("not on the voter roll of this election"),
    "elig.on_roll.pass": N_("on the voter roll"),
    "elig.on_roll.fail": N_("not on the voter roll"),
    "elig.account.fail": N_("no account on %(wiki)s"),
    "elig.account.fail_any": N_("no account on any attached wiki"),
    "elig.min_edits.pass": N_("%(actual)s edits on %(wiki)s (at least %(required)s needed)"),
    "elig.min_edits.fail": N_("only %(actual)s edits on %(wiki)s; at least %(required)s needed"),
    "elig.span.before": N_("before %(date)s"),
    "elig.span.between": N_("between %(start)s and %(end)s (exclusive)"),
    "elig.span.namespace": N_(" in namespace %(namespaces)s"),
    "elig.span.namespaces": N_(" in namespaces %(namespaces)s"),
    "elig.edits.pass": N_("at least %(required)s edits %(span)s on %(wiki)s"),
    "elig.edits.fail": N_("only %(actual)s edits %(span)s on %(wiki)s; %(required)s needed"),
    "elig.edits.unknown": N_(
        "fewer than %(required)s edits %(span)s on %(wiki)s (only %(actual)s edits in total)"
    ),
    "elig.registered.pass": N_("registered on %(wiki)s on %(actual)s, before %(required)s"),
    "elig.registered.fail": N_("registered on %(wiki)s on %(actual)s, not before %(required)s"),
    "elig.registered.unknown": N_(
        "registered on %(wiki)s before registration dates were recorded (before 2006), so before %(required)s"
    ),
    "elig.blocked.sitewide": N_("blocked sitewide on %(wiki)s"),
    "elig.blocked.sitewide_expiry": N_("blocked sitewide on %(wiki)s (expires: %(expiry)s)"),
    "elig.blocked.partial": N_("blocked partially on %(wiki)s"),
    "elig.blocked.partial_expiry": N_("blocked partially on %(wiki)s (expires: %(expiry)s)"),
    "elig.blocked.global": N_("blocked on %(wikis)s (%(list)s); the limit is fewer than %(threshold)s"),
    "elig.expiry.infinite": N_("infinite"),
    "elig.wikis.one": N_("%(count)s wiki"),
    "elig.wikis.many": N_("%(count)s wikis"),
    "elig.not_blocked.pass": N_("not blocked on %(wiki)s"),
    "elig.not_blocked.partial": N_("only partially blocked on %(wiki)s"),
    "elig.not_blocked.pass_global": N_(
        "not blocked on %(wiki)s; blocked on %(wikis)s (fewer than %(threshold)s)"
    ),
    "elig.not_blocked.partial_global": N_(
        "only partially blocked on %(wiki)s; blocked on %(wikis)s (fewer than %(threshold)s)"
    ),
    "elig.not_locked.pass": N_("global account is not locked"),
    "elig.not_locked.no_global": N_("no global account, so not locked"),
    "elig.not_locked.fail": N_("global account is locked"),
    "elig.not_bot.pass": N_("not a bot on %(wiki)s"),
    "elig.not_bot.fail": N_("has the bot flag on %(wiki)s"),
    "elig.not_bot.fail_global": N_("has the global bot flag"),
    "elig.need_groups.pass": N_("member of the group '%(group)s' on %(wiki)s"),
    "elig.need_groups.fail": N_("not a member of any of these groups on %(wiki)s: %(groups)s"),
    "elig.need_global_groups.pass": N_("member of the global group '%(group)s'"),
    "elig.need_global_groups.fail": N_("not a member of any of the global groups: %(groups)s"),
    "elig.include.pass": N_("on the inclusion list as '%(entry)s'"),
    "elig.exclude.fail": N_("on the exclusion list as '%(entry)s'"),
    "elig.need_list.pass": N_("on the required list as '%(entry)s'"),
    "elig.need_list.fail": N_("not on the required list"),
    "elig.allow_groups.wiki": N_("member of the allowed group '%(group)s' on %(wiki)s"),
    "elig.allow_groups.global": N_("member of the allowed group '%(group)s' globally"),
    "elig.basis.excluded": N_("The election committee has excluded this account."),
    "elig.basis.included": N_(
        "The election committee has listed this account as eligible: the other rules do not apply."
    ),
    "elig.basis.allowed_group": N_("Members of this group may vote whatever the other rules say."),
    "elig.message": N_("Message from the election committee: %(message)s"),
    # trustee
    "trustee.no_key_file": N_("No key file in this browser yet: it is made when you join."),
    "trustee.key_in_progress": N_(
        "Your key file is in this browser. Download it after each step and keep it safe."
    ),
    "trustee.key_complete": N_(
        "Your key file holds your share of the election key. Download it and keep it safe: the "
        "tally needs it."
    ),
    "trustee.wrong_key_file": N_("This is not a key file for this election."),
    "trustee.need_key_file": N_("Your key file is needed: load it above."),
    "trustee.phase": N_(
        "Phase: %(phase)s. Round %(round)s; %(threshold)s of %(n)s trustees will be needed to decrypt."
    ),
    "trustee.key_unsaved": N_("It changed since your last download: download it again."),
    "trustee.my_fingerprint": N_("Your trustee fingerprint:"),
    "trustee.need_passphrase": N_("First choose the key file passphrase above."),
    "trustee.refused": N_("Refused: %(reason)s"),
    "trustee.no_manifest": N_("The server proposes no manifest to confirm yet."),
    "trustee.round_stopped": N_("This round stopped at a complaint; the committee restarts the ceremony."),
    "trustee.step.answer": N_("Answer the complaint against me (reveal the disputed share)"),
    "trustee.step.reveal": N_("Reveal my commitments"),
    "trustee.wait.reveal": N_("Waiting for the other trustees to reveal their commitments…"),
    "trustee.checking_tally": N_("Rebuilding the encrypted tally from the election record and checking it…"),
    "trustee.step.join": N_("Join the ceremony"),
    "trustee.step.commit": N_("Commit to my commitments (publish their hash)"),
    "trustee.step.send": N_("Send my sealed shares"),
    "trustee.step.verify": N_("Check the shares I received and confirm"),
    "trustee.wait.commitments": N_("Waiting for the other trustees to publish their commitments…"),
    "trustee.wait.shares": N_("Waiting for the other trustees to send their shares…"),
    "trustee.wait.others": N_("Done. Waiting for the other trustees to confirm…"),
    "trustee.complained": N_("You complained about a share. The committee must restart the ceremony."),
    "trustee.complaints": N_(
        "%(count)s complaint(s): the ceremony is blocked until the committee restarts it."
    ),
    "trustee.election_key": N_("Election public key:"),
    "trustee.not_trustee": N_("You are not a trustee of this election."),
    "trustee.ceremony_done": N_("The key ceremony is complete."),
    "trustee.ceremony_not_started": N_("The key ceremony has not started."),
    "trustee.tally_not_started": N_("The tally has not started."),
    "trustee.tally_phase": N_(
        "Tally: %(phase)s; %(count)s ballots counted; %(shares)s of %(threshold)s needed "
        "decryption shares received."
    ),
    "trustee.tally_done": N_("The tally is decrypted."),
    "trustee.share_sent": N_("Your decryption share was sent."),
    "trustee.decrypting": N_("Computing your decryption share and its proofs…"),
    "trustee.mixing_status": N_(
        "Ranked ballots: %(done)s of %(required)s mixes done (each by a different trustee)."
    ),
    "trustee.ranked_cli": N_(
        "This election has ranked questions: their ballots are mixed, then decrypted, with the "
        "command-line tool (below), which checks every earlier mix's shuffle proof first. This "
        "page does not check shuffle proofs, so it does not decrypt this election."
    ),
    # confirmation dialogs (common.js confirmAction): what cannot be undone
    "confirm.cancel": N_("Cancel"),
    "confirm.cancelled": N_("Cancelled: nothing was changed."),
    "confirm.more": N_("… and %(count)s more"),
    "confirm.reason": N_("Reason (public): %(reason)s"),
    "confirm.freeze_title": N_("Freeze the election and start the key ceremony?"),
    "confirm.freeze_body": N_(
        "The trustees are asked to make the election's keys. The questions, candidates, "
        "credential mode, trustees and threshold can no longer be edited: once the trustees "
        "have confirmed the keys they are bound into the election's fingerprint for good. Until "
        "then, going back to draft throws the ceremony away."
    ),
    "confirm.freeze": N_("Freeze and start the key ceremony"),
    "confirm.close_title": N_("Close voting now?"),
    "confirm.close_body": N_(
        "Nobody can vote after this. A closed election cannot be reopened or extended, and the "
        "closing and its reason stay on the public board."
    ),
    "confirm.close": N_("Close voting"),
    "confirm.tally_title": N_("Start the tally?"),
    "confirm.tally_body": N_(
        "The counted ballots are fixed and published on the public board: no ballot can be "
        "cast, struck or unstruck after this, and the tally cannot be stopped or started again. "
        "The trustees are then asked to decrypt the result."
    ),
    "confirm.tally": N_("Start the tally"),
    "confirm.roll_freeze_title": N_("Freeze the roll for these %(count)s users?"),
    "confirm.roll_freeze_body": N_(
        "Their eligibility is checked now and stored, and the change of the roll is published on "
        "the public board, where it cannot be taken back: later changes on the wiki (new edits, "
        "blocks, groups) no longer change these decisions. Freezing again replaces the decisions "
        "of the users it checks; it removes no one."
    ),
    "confirm.roll_freeze": N_("Freeze the roll"),
    "confirm.change_title": N_("Change candidate %(position)s of question %(question)s?"),
    "confirm.change_body": N_(
        "A new ballot version is published on the public board; it cannot be taken back (a "
        "later change makes yet another version), and voters see the new ballot at once."
    ),
    "confirm.change": N_("Change the ballot"),
    "confirm.change_candidate": N_("Candidate: %(name)s"),
    "confirm.change_replacement": N_("Replaced by: %(name)s"),
    "confirm.change_withdraw": N_("Withdrawn, with no replacement"),
    "confirm.change_old_keep": N_("Ballots already cast are kept and count for the candidates they listed."),
    "confirm.change_old_strike": N_(
        'Ballots already cast are struck (publicly, with the reason code "a candidate withdrew '
        'or was replaced") and their voters are invited to vote again.'
    ),
    "confirm.small_slots_title": N_("Keep the old ballots anyway?"),
    "confirm.strike_title": N_("Strike these ballots?"),
    "confirm.strike_body": N_(
        "The selected ballots will not be counted. The strike and its public reason "
        "(%(reason)s) stay on the public board; an unstrike, possible until the tally starts, "
        "is published after it."
    ),
    "confirm.strike_invite": N_("Their voters are invited to vote again: an invitation cannot be recalled."),
    "confirm.strike": N_("Strike"),
    "confirm.unstrike_title": N_("Unstrike these ballots?"),
    "confirm.unstrike_body": N_(
        "The selected ballots count again (unless their voter cast a later ballot). The "
        "unstrike stays on the public board after the strike (public reason: %(reason)s)."
    ),
    "confirm.unstrike": N_("Unstrike"),
    # the public board, in words (results.js DESCRIBE)
    "board.by_schedule": N_("by the schedule"),
    "board.by_committee": N_("by the committee"),
    "board.reason": N_("Reason: %(reason)s"),
    "board.payload": N_("Show the data"),
    "board.hash": N_("Event hash:"),
    "board.page": N_("Events %(from)s–%(to)s of %(count)s"),
    "board.page_filtered": N_("Events %(from)s–%(to)s (of %(count)s in all)"),
    "board.empty": N_("No events."),
    "board.ev.other": N_("An event of type %(type)s."),
    "board.type.ceremony_started": N_("Key ceremony started"),
    "board.ev.ceremony_started": N_(
        "Key ceremony started (round %(round)s): %(threshold)s of %(trustees)s trustees will be "
        "needed to decrypt; the roll has %(size)s voters."
    ),
    "board.type.returned_to_draft": N_("Back to draft"),
    "board.ev.returned_to_draft": N_(
        "The committee took the election back to draft; the key ceremony starts again."
    ),
    "board.type.trustee_joined": N_("Trustee joined"),
    "board.ev.trustee_joined": N_("Trustee %(index)s joined the key ceremony."),
    "board.type.trustee_commitment_hash": N_("Trustee commitment hash"),
    "board.ev.trustee_commitment_hash": N_(
        "Trustee %(index)s committed to its key shares (a hash, before seeing anyone else's)."
    ),
    "board.type.trustee_commitments": N_("Trustee commitments"),
    "board.ev.trustee_commitments": N_("Trustee %(index)s published its commitments and their proofs."),
    "board.type.trustee_shares_sent": N_("Sealed shares sent"),
    "board.ev.trustee_shares_sent": N_("Trustee %(index)s sent the other trustees their sealed key shares."),
    "board.type.trustee_confirmed": N_("Trustee confirmed"),
    "board.ev.trustee_confirmed": N_(
        "Trustee %(index)s checked its key shares and confirmed the election fingerprint."
    ),
    "board.type.ceremony_complaint": N_("Trustee complaint"),
    "board.ev.ceremony_complaint": N_("Trustee %(index)s complained that a key share it received is wrong."),
    "board.type.election_setup": N_("Election set up"),
    "board.ev.election_setup": N_(
        "The election's public key and ballot definition (version %(version)s) were fixed: the "
        "trustees confirmed them."
    ),
    "board.type.ballot_definition": N_("New ballot version"),
    "board.ev.ballot_definition": N_("A candidate changed: ballot version %(version)s."),
    "board.type.opened": N_("Voting opened"),
    "board.ev.opened": N_("Voting opened (%(by)s)."),
    "board.type.paused": N_("Voting paused"),
    "board.ev.paused": N_("Voting was paused (%(by)s)."),
    "board.type.resumed": N_("Voting resumed"),
    "board.ev.resumed": N_("Voting resumed (%(by)s)."),
    "board.type.closed": N_("Voting closed"),
    "board.ev.closed": N_("Voting closed (%(by)s)."),
    "board.type.extended": N_("Voting extended"),
    "board.ev.extended": N_("Voting was extended; it now ends %(end)s."),
    "board.type.schedule_changed": N_("Schedule changed"),
    "board.ev.schedule_changed": N_("The schedule changed: voting from %(start)s to %(end)s."),
    "board.type.roll_published": N_("Voter roll"),
    "board.ev.roll_published": N_(
        "The voter roll has %(size)s eligible voters (its fingerprint is in the details)."
    ),
    "board.type.credential_registered": N_("Credential registered"),
    "board.ev.credential_registered": N_("A voter registered a credential (its public half only)."),
    "board.type.credential_replaced": N_("Credential replaced"),
    "board.ev.credential_replaced": N_("A voter replaced their credential; the old one no longer counts."),
    "board.type.credentials_published": N_("Credentials published"),
    "board.ev.credentials_published": N_("The credential authority published %(count)s voter credentials."),
    "board.type.ballot_cast": N_("Ballot cast"),
    "board.ev.ballot_cast": N_("An encrypted ballot was cast: tracker %(tracker)s."),
    "board.type.ballot_struck": N_("Ballots struck"),
    "board.ev.ballot_struck": N_("%(count)s ballot(s) struck: they will not be counted."),
    "board.type.ballot_unstruck": N_("Ballots unstruck"),
    "board.ev.ballot_unstruck": N_("%(count)s ballot(s) unstruck: they count again."),
    "board.type.revote_invited": N_("Re-vote invitations"),
    "board.ev.revote_invited": N_("%(count)s voter(s) invited to vote again."),
    "board.type.scrutiny_started": N_("Scrutiny started"),
    "board.ev.scrutiny_started": N_("Scrutiny started: the scrutineers check the ballots before the tally."),
    "board.type.tally_started": N_("Tally started"),
    "board.ev.tally_started": N_("The tally started; %(struck)s ballot(s) struck in all."),
    "board.type.encrypted_tally": N_("Encrypted tally"),
    "board.ev.encrypted_tally": N_(
        "The encrypted totals of %(count)s counted ballots, for the trustees to decrypt."
    ),
    "board.type.mix": N_("Mix"),
    "board.ev.mix": N_(
        "Trustee %(index)s shuffled the ranked ballots of question %(question)s, with a proof."
    ),
    "board.type.decryption_share": N_("Decryption share"),
    "board.ev.decryption_share": N_("Trustee %(index)s sent its decryption share, with a proof."),
    "board.type.result": N_("Result"),
    "board.ev.result": N_("The result was decrypted and published: %(count)s ballots counted."),
    "board.type.audit_head": N_("Audit log anchored"),
    "board.ev.audit_head": N_("The committee's private audit log was anchored here (%(count)s entries)."),
    # results
    "results.counted": N_("Ballots counted: %(count)s"),
    "results.question": N_("Question %(n)s"),
    "results.turnout": N_(
        "Ballots counted: %(count)s of %(size)s voters on the roll (turnout %(percent)s%%)"
    ),
    "results.table_caption": N_("The figures"),
    "results.col_candidate": N_("Candidate"),
    "results.col_option": N_("Option"),
    "results.col_neutral": N_("Neutral"),
    "results.col_percent": N_("Support rate"),
    "results.col_votes": N_("Votes"),
    "results.col_result": N_("Result"),
    "results.sonc_figures": N_(
        "support %(support)s, oppose %(oppose)s, neutral %(neutral)s; support rate %(percent)s"
    ),
    "results.sonc_note": N_(
        "The support rate is support ÷ (support + oppose); neutral votes are not counted. The "
        "dashed line is the pass threshold."
    ),
    "results.threshold": N_("pass threshold: %(comparison)s %(percent)s%%"),
    "results.passed": N_("passes"),
    "results.failed": N_("does not pass"),
    "results.withdrawn": N_("withdrawn"),
    "results.votes": N_("%(votes)s votes"),
    "results.elected": N_("elected"),
    "results.elected_list": N_("Elected (%(seats)s seats): %(names)s"),
    "results.tie": N_("A tie for the last %(seats)s seat(s): it is left for the committee."),
    "results.method.meek": N_("Meek STV (SecurePoll)"),
    "results.method.meek_openstv": N_("Meek STV (OpenSTV)"),
    "results.method.scottish_stv": N_("Scottish STV"),
    "results.method.irv": N_("instant-runoff voting"),
    "results.method.schulze": N_("Schulze method"),
    "results.method.debian": N_("Debian vote rules"),
    "results.method.other": N_("method %(method)s"),
    "results.ranked_summary": N_(
        "Counted by %(method)s for %(seats)s seat(s): %(count)s ranked ballots, %(invalid)s invalid."
    ),
    "results.ranked_empty": N_("No ranked ballot was counted."),
    "results.ranked_winners": N_("Elected: %(names)s"),
    "results.unfilled": N_("%(seats)s seat(s) left unfilled."),
    "results.final_round": N_("Final round (%(round)s); quota %(quota)s:"),
    "results.round": N_("Round"),
    "results.quota": N_("Quota"),
    "results.exhausted": N_("Exhausted"),
    "results.decided": N_("Elected or excluded"),
    "results.keep_factor": N_("keep %(k)s"),
    "results.round_elected": N_("%(name)s elected"),
    "results.round_excluded": N_("%(name)s excluded"),
    "results.rounds_caption": N_(
        "Every round: votes per candidate (transfer in brackets; keep factor for Meek)."
    ),
    "results.pairwise_caption": N_(
        "Pairwise contests: the number of voters preferring the row's candidate to the column's."
    ),
    "results.pairwise_corner": N_("Preferred ↓ over →"),
    "results.condorcet_ranking": N_("Ranking: %(ranking)s"),
    "results.condorcet_tie": N_("A tie among the winners: it is left for the committee."),
    "results.tie_broken": N_("Tie (%(purpose)s) between %(tied)s: %(chosen)s chosen by %(method)s."),
    "results.blt": N_("Download the anonymous rankings (BLT) to recount them"),
    "results.not_yet": N_("The results are not published yet."),
    "results.board_events": N_("(%(count)s events)"),
    "results.tracker_format": N_("A tracker is 64 hexadecimal characters."),
    "results.tracker_unknown": N_("No ballot with this tracker is on the board."),
    "results.tracker_found": N_(
        "Found: this ballot is on the public board (event %(seq)s, %(time)s). Whether it is the "
        "one that counts is shown only to its voter, on their own page."
    ),
    "results.too_few": N_("too few ballots to publish"),
    "results.withheld_note": N_(
        "Candidates listed by fewer than %(k)s counted ballots are not published, so that no "
        "small group of voters' choices can be read from the result."
    ),
    # scrutiny
    "scrutiny.count": N_("%(count)s voters have voted."),
    "scrutiny.state.current": N_("counts"),
    "scrutiny.state.superseded": N_("replaced by a later ballot"),
    "scrutiny.state.struck": N_("struck"),
    "scrutiny.pii_purged": N_("purged"),
    "scrutiny.select": N_("Select for a strike"),
    "scrutiny.select_named": N_("Select for a strike: the ballot of %(name)s"),
    "scrutiny.no_signals": N_("No signals."),
    "scrutiny.cluster": N_("%(kind)s: %(voters)s (%(ballots)s ballots)"),
    "scrutiny.kind.same_ip": N_("same IP address"),
    "scrutiny.kind.same_network": N_("same network"),
    "scrutiny.kind.same_ip_ua": N_("same IP address and browser"),
    "scrutiny.kind.same_cookie": N_("same browser"),
    "scrutiny.kind.burst": N_("burst of ballots"),
    "scrutiny.need_values": N_("Give at least one value."),
    "scrutiny.need_range": N_("Give a start and an end time, one per line."),
    "scrutiny.struck": N_("%(count)s ballot(s) struck; %(invited)s voter(s) invited to vote again."),
    "scrutiny.unstruck": N_("%(count)s ballot(s) unstruck."),
    "scrutiny.invited": N_("%(count)s voter(s) invited to vote again."),
    **{f"reason.{key}": text for key, text in REASON_CODES.items()},
    # admin
    "admin.manage": N_("Manage"),
    "admin.manage_named": N_("Manage %(id)s"),
    "admin.question_n": N_("Question %(n)s"),
    "admin.need_candidates": N_("Question %(n)s needs at least one candidate or option."),
    "admin.time_gap": N_(
        "%(time)s does not exist in %(zone)s: the clocks jump forward over it (daylight saving "
        "time). Choose another time."
    ),
    "admin.time_twice": N_(
        "%(time)s happens twice in %(zone)s (the clocks go back an hour). Which one do you mean?"
    ),
    "admin.time_first": N_("the first one (UTC offset %(offset)s; %(utc)s UTC)"),
    "admin.time_second": N_("the second one (UTC offset %(offset)s; %(utc)s UTC)"),
    "admin.time_choose": N_("This time happens twice in the election time zone: choose one below."),
    "admin.end_before_start": N_("The end must be after the start."),
    "admin.time_past": N_("This time is in the past."),
    "confirm.past_title": N_("Save a schedule in the past?"),
    "confirm.past_body": N_(
        "A start in the past opens voting as soon as the key ceremony is done; an end in the "
        "past closes it at once. Check the dates (and the year)."
    ),
    "confirm.past": N_("Save anyway"),
    "admin.roll_yes": N_("yes"),
    "admin.roll_no": N_("no"),
    "admin.roll_total": N_("%(total)s on the roll, %(eligible)s of them eligible."),
    "admin.roll_matched": N_("%(matched)s match “%(query)s”."),
    "admin.roll_shown": N_("Showing %(from)s–%(to)s."),
    "admin.rules_saved": N_("The rules are saved."),
    "rb.wiki": N_(
        'Wiki whose data the rules read (e.g. enwiki; "home": the voter\'s home wiki; '
        '"any": any of their wikis)'
    ),
    "rb.min_edits": N_("At least this many edits in all"),
    "rb.edits_before_count": N_("At least this many edits before a date…"),
    "rb.edits_before_date": N_("…before this date"),
    "rb.edits_between_count": N_("At least this many edits between two dates…"),
    "rb.edits_between_start": N_("…from this date (included)"),
    "rb.edits_between_end": N_("…until this date (not included)"),
    "rb.namespaces": N_("…counting only these namespaces (numbers, comma-separated; empty: all)"),
    "rb.registered_before": N_("Account registered before"),
    "rb.not_blocked": N_("Not blocked"),
    "rb.block_none": N_("(no rule)"),
    "rb.block_sitewide": N_("no sitewide block"),
    "rb.block_any": N_("no block at all (partial blocks too)"),
    "rb.global_threshold": N_("…and blocked on fewer than this many wikis"),
    "rb.not_locked": N_("Not globally locked"),
    "rb.not_bot": N_("Not a bot"),
    "rb.need_groups": N_("In at least one of these groups (comma-separated)"),
    "rb.need_global_groups": N_("In at least one of these global groups (comma-separated)"),
    "rb.allow_groups": N_("Members of these groups may vote whatever the other rules say"),
    "rb.need_list": N_("Only users on this list (one per line)"),
    "rb.include": N_("Always eligible (one per line)"),
    "rb.exclude": N_("Never eligible (one per line)"),
    "rb.message": N_("Message shown to voters who are not eligible"),
    "rb.need_number": N_("A whole number (0 or more)."),
    "rb.need_count": N_("Give the number of edits."),
    "rb.need_date": N_("Give the date."),
    "rb.end_after_start": N_("The end must be after the start."),
    "rb.need_namespaces": N_("Namespace numbers, separated by commas (e.g. 0, 4)."),
    "rb.need_scope": N_("Choose which blocks count."),
    "admin.need_both_times": N_("Give both the start and the end of voting, or neither."),
    "admin.ranked_trustees": N_(
        "A ranked question needs at least 2 trustees: each one mixes the encrypted rankings "
        "before any is decrypted."
    ),
    "admin.need_end": N_("Give the new end."),
    "admin.not_editable": N_("Nothing can be edited in this phase."),
    "admin.saved": N_("Saved %(id)s."),
    "admin.new_election": N_("New election"),
    "admin.editing": N_("Election %(id)s"),
    "admin.pause_reason": N_("Paused because: %(reason)s"),
    "admin.open_blocked": N_(
        "Voting will not open: the credential authority has not published the credential list "
        "yet. The election stays ready until it does."
    ),
    "admin.remove": N_("Remove"),
    "admin.remove_role": N_("Remove the role %(role)s of %(name)s"),
    "admin.ceremony_not_started": N_("The key ceremony starts when the election is frozen."),
    "admin.ceremony_summary": N_(
        "Round %(round)s: %(done)s of %(n)s trustees have verified their shares (threshold %(threshold)s)."
    ),
    "admin.complaint": N_("Trustee %(from)s complains about trustee %(against)s: %(reason)s"),
    "admin.audit_head": N_("Chain head: %(hash)s (verified on every read)"),
    "admin.roll_result": N_("%(added)s added, %(removed)s removed; %(total)s voters on the roll."),
    "admin.done": N_("Done."),
    "admin.roll_check_progress": N_(
        "Checking the roll against the wiki: %(checked)s of %(total)s users so far…"
    ),
    "admin.roll_check_done": N_("The roll is frozen: %(eligible)s of %(total)s users are eligible."),
    "admin.roll_rejected": N_("Not on the roll (could not be resolved): %(list)s"),
    "admin.wiki_need_page": N_("Give the wiki page."),
    "admin.wiki_need_message": N_("Give the subject and the message."),
    "admin.wiki_preview": N_("Preview of %(page)s: %(action)s."),
    "admin.wiki_action.create": N_("the page would be created"),
    "admin.wiki_action.update": N_("the page would be replaced"),
    "admin.wiki_action.unchanged": N_("the page already shows these results"),
    "admin.wiki_changed": N_("%(detail)s. Tick the box to overwrite it."),
    "admin.wiki_published": N_("Published on %(page)s (revision %(revid)s)."),
    "admin.wiki_unchanged": N_("%(page)s already shows these results."),
    "admin.announce_preview": N_("%(n)s voters would get it, by %(channel)s."),
    "admin.announce_progress": N_(
        "%(channel)s: %(sent)s sent, %(failed)s failed, %(skipped)s skipped, %(unknown)s "
        "unknown; %(remaining)s to go."
    ),
    "admin.small_slots": N_(
        "%(detail)s\n\nMake the change anyway? The new candidate's figures are published only "
        "if enough ballots are cast after it."
    ),
    "admin.rules_json": N_("The rules are not valid JSON: %(detail)s"),
    "admin.preview_result": N_("%(eligible)s of %(total)s users would be eligible."),
    "admin.yes": N_("yes"),
    "admin.no": N_("no"),
    "admin.link.booth": N_("Voting booth"),
    "admin.link.trustee": N_("Trustee page"),
    "admin.link.scrutiny": N_("Scrutiny page"),
    "admin.link.results": N_("Results and board"),
    "admin.policy_json": N_("The role policy is not a valid JSON object: %(detail)s"),
    "admin.policy_saved": N_("Role policy saved."),
    "admin.need_usernames": N_("Give at least one username."),
    "admin.invite_result": N_("%(count)s link(s) created. Send each link privately to its user only."),
    "admin.link_of": N_("Invitation link of %(name)s"),
    "admin.copy": N_("Copy"),
    "admin.copy_named": N_("Copy the link of %(name)s"),
    "admin.revoke_link": N_("Withdraw"),
    "admin.revoke_named": N_("Withdraw the link of %(name)s"),
    "admin.link_revoked": N_("The link of %(name)s no longer works."),
    "admin.copied": N_("Copied."),
    "admin.copy_failed": N_("This browser did not allow copying: the link is selected, copy it yourself."),
    "admin.outbox.count": N_("%(count)s message(s)."),
    "admin.outbox.empty": N_("No messages yet."),
    "admin.outbox.sent": N_("sent %(time)s"),
    "admin.outbox.given_up": N_("not delivered: given up"),
    "admin.outbox.retrying": N_("failed; will be tried again"),
    "admin.outbox.sending": N_("being sent"),
    "admin.outbox.skipped": N_("skipped"),
    "admin.outbox.unknown": N_("unknown: the wiki's answer was lost"),
    "admin.outbox.pending": N_("waiting to be sent"),
}


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Key → text in ``lang`` for the pages' scripts."""
    tr = translations(lang)
    return {key: tr.gettext(text) for key, text in MESSAGES.items()}
