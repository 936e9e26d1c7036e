"""Eligibility: declarative rules evaluated against wiki facts, and the providers of those facts.

Pure domain plus wiki data access: no web framework, no database. The caller (the election
service) stores the decision and the facts snapshot that :func:`check_voter` returns.

Public API::

    from app.eligibility import (
        parse_rules, load_rules, Rules, RulesError,
        evaluate, Decision, RuleResult,
        VoterFacts, AccountFacts, GlobalAccountFacts, AttachedAccount, Block, EditWindow, FactNeeds,
        MediaWikiProvider, StaticRollProvider,
        check_voter, compute_roll, RollEntry,
        EligibilityUnavailable, UnknownUser, WikiApiError, WikiTimeout, WikiLagged, MissingFacts,
    )
"""

from app.eligibility.errors import (
    EligibilityError,
    EligibilityUnavailable,
    MissingFacts,
    RulesError,
    UnknownUser,
    WikiApiError,
    WikiLagged,
    WikiTimeout,
    WikiUnreachable,
)
from app.eligibility.evaluate import Decision, RuleResult, evaluate
from app.eligibility.facts import (
    AccountFacts,
    AttachedAccount,
    Block,
    EditWindow,
    FactNeeds,
    GlobalAccountFacts,
    VoterFacts,
    normalize_username,
)
from app.eligibility.mediawiki import MediaWikiProvider
from app.eligibility.rules import Rules, load_rules, parse_rules
from app.eligibility.service import FactsProvider, RollEntry, check_voter, compute_roll
from app.eligibility.static_roll import StaticRollProvider

__all__ = [
    "AccountFacts",
    "AttachedAccount",
    "Block",
    "Decision",
    "EditWindow",
    "EligibilityError",
    "EligibilityUnavailable",
    "FactNeeds",
    "FactsProvider",
    "GlobalAccountFacts",
    "MediaWikiProvider",
    "MissingFacts",
    "RollEntry",
    "RuleResult",
    "Rules",
    "RulesError",
    "StaticRollProvider",
    "UnknownUser",
    "VoterFacts",
    "WikiApiError",
    "WikiLagged",
    "WikiTimeout",
    "WikiUnreachable",
    "check_voter",
    "compute_roll",
    "evaluate",
    "load_rules",
    "normalize_username",
    "parse_rules",
]
