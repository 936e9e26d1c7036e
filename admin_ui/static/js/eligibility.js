// Eligibility reasons in the UI language, built from the machine fields of GET /me's `decision`
// (app/eligibility/evaluate.py: `rule`, `passed`, `required`, `actual`, `wiki`). The server's
// English `reason` is the fallback for anything this file does not know. Pure functions: the
// translation function `t` is passed in, so this module also runs under node (tests/ui).

// The fixed reasons of the explicit-list roll mode (app/services: elections, casting).
const FIXED = {
  "listed on this election's voter roll": 'elig.fixed.listed',
  'not on the voter roll of this election': 'elig.fixed.not_listed',
};

// The edit-window span is only in the English reason ("before D", "between D and D
// (exclusive)", " in namespace(s) N, M"); `required` is the count. D is evaluate._day().
const DAY = String.raw`\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2} UTC)?`;
const SPAN = new RegExp(String.raw`edits (?:before (${DAY})|between (${DAY}) and (${DAY}) \(exclusive\))`
  + String.raw`(?: in namespaces? (-?\d+(?:, -?\d+)*))? on `);
const EXPIRY = /\(expires: (.+)\)$/;
const NEVER = new Set(['infinite', 'infinity', 'indefinite', 'never']);

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const isText = (v) => typeof v === 'string' && v !== '';
const list = (v) => (Array.isArray(v) ? v.map(String).join(', ') : '');

function span(reason, t) {
  const m = SPAN.exec(reason || '');
  if (!m) return null;
  let text = m[1] ? t('elig.span.before', { date: m[1] }) : t('elig.span.between', { start: m[2], end: m[3] });
  if (m[4]) text += t(m[4].includes(',') ? 'elig.span.namespaces' : 'elig.span.namespace', { namespaces: m[4] });
  return text;
}

function wikiCount(count, t) {
  return t(count === 1 ? 'elig.wikis.one' : 'elig.wikis.many', { count });
}

function blockRequired(r) {
  const req = r.required && typeof r.required === 'object' ? r.required : {};
  return isNum(req.global_threshold) ? req.global_threshold : null;
}

/** One rule's result as a sentence in the UI language, or null when it is not understood. */
function describe(r, t) {
  const wiki = r.wiki;
  const { actual, required } = r;
  switch (r.rule) {
    case 'on_roll':
      return t(r.passed ? 'elig.on_roll.pass' : 'elig.on_roll.fail');
    case 'account':
      if (r.passed) return null;
      return isText(wiki) ? t('elig.account.fail', { wiki }) : t('elig.account.fail_any');
    case 'min_edits':
      if (!isNum(actual) || !isNum(required) || !isText(wiki)) return null;
      return t(r.passed ? 'elig.min_edits.pass' : 'elig.min_edits.fail', { actual, required, wiki });
    case 'edits_before':
    case 'edits_between': {
      const s = span(r.reason, t);
      if (s === null || !isNum(required) || !isText(wiki)) return null;
      if (r.passed) return t('elig.edits.pass', { required, span: s, wiki });
      if (!isNum(actual)) return null;
      // The window was not queried: `actual` is then the account's total edit count.
      if (/^fewer than /.test(r.reason || '')) return t('elig.edits.unknown', { required, span: s, wiki, actual });
      return t('elig.edits.fail', { required, span: s, wiki, actual });
    }
    case 'registered_before':
      if (!isText(required) || !isText(wiki)) return null;
      if (actual === null || actual === undefined) return r.passed ? t('elig.registered.unknown', { wiki, required }) : null;
      if (!isText(actual)) return null;
      return t(r.passed ? 'elig.registered.pass' : 'elig.registered.fail', { wiki, actual, required });
    case 'not_blocked': {
      if (!actual || typeof actual !== 'object' || !isText(wiki)) return null;
      const threshold = blockRequired(r);
      if (!r.passed && actual.blocked === true) {
        const kind = actual.sitewide ? 'sitewide' : 'partial';
        const m = EXPIRY.exec(r.reason || '');
        if (!m) return t(`elig.blocked.${kind}`, { wiki });
        const expiry = NEVER.has(m[1].toLowerCase()) ? t('elig.expiry.infinite') : m[1];
        return t(`elig.blocked.${kind}_expiry`, { wiki, expiry });
      }
      if (!r.passed && Array.isArray(actual.blocked_wikis)) {
        if (threshold === null) return null;
        return t('elig.blocked.global', { wikis: wikiCount(actual.blocked_wikis.length, t), list: list(actual.blocked_wikis), threshold });
      }
      if (!r.passed) return null;
      const local = actual.blocked ? 'partial' : 'pass';
      if (Array.isArray(actual.blocked_wikis)) {
        if (threshold === null) return null;
        return t(`elig.not_blocked.${local}_global`, { wiki, wikis: wikiCount(actual.blocked_wikis.length, t), threshold });
      }
      return t(`elig.not_blocked.${local}`, { wiki });
    }
    case 'not_locked':
      if (!r.passed) return t('elig.not_locked.fail');
      return actual === null || actual === undefined ? t('elig.not_locked.no_global') : t('elig.not_locked.pass');
    case 'not_bot':
      if (r.passed) return isText(wiki) ? t('elig.not_bot.pass', { wiki }) : null;
      return isText(wiki) ? t('elig.not_bot.fail', { wiki }) : t('elig.not_bot.fail_global');
    case 'need_groups':
    case 'need_global_groups': {
      if (!Array.isArray(required) || !Array.isArray(actual)) return null;
      const local = r.rule === 'need_groups';
      if (local && !isText(wiki)) return null;
      if (r.passed) {
        const group = required.find((g) => actual.includes(g));
        if (group === undefined) return null;
        return t(`elig.${r.rule}.pass`, { group, wiki });
      }
      return t(`elig.${r.rule}.fail`, { groups: list(required), wiki });
    }
    case 'include':
      return r.passed && isText(actual) ? t('elig.include.pass', { entry: actual }) : null;
    case 'exclude':
      return !r.passed && isText(actual) ? t('elig.exclude.fail', { entry: actual }) : null;
    case 'need_list':
      if (!r.passed) return t('elig.need_list.fail');
      return isText(actual) ? t('elig.need_list.pass', { entry: actual }) : null;
    case 'allow_groups':
      if (!r.passed || !isText(actual)) return null;
      return isText(wiki) ? t('elig.allow_groups.wiki', { group: actual, wiki }) : t('elig.allow_groups.global', { group: actual });
    default:
      return null;
  }
}

/** A rule result in the UI language; the server's English reason when it is not understood. */
export function ruleText(result, t) {
  let text = null;
  try { text = describe(result || {}, t); } catch { text = null; }
  return text ?? String(result?.reason ?? '');
}

/** A reason given as text only (explicit roll): translated when it is one of the fixed ones. */
export function fixedReasonText(reason, t) {
  if (typeof reason !== 'string') return JSON.stringify(reason);
  return FIXED[reason] ? t(FIXED[reason]) : reason;
}

/**
 * What the booth says about eligibility, from GET /me:
 * {reasons: [sentence], basis: sentence|null, message: sentence|null}. Like the server's own
 * `reasons`: the failing rules when the voter is not eligible, else the rules that passed.
 */
export function eligibilityText(status, t) {
  const decision = status?.decision;
  const results = Array.isArray(decision?.results) ? decision.results : null;
  if (!decision || !results) {
    return { reasons: (status?.reasons || []).map((r) => fixedReasonText(r, t)), basis: null, message: null };
  }
  const eligible = typeof decision.eligible === 'boolean' ? decision.eligible : Boolean(status.eligible);
  const shown = results.filter((r) => Boolean(r.passed) === eligible);
  const reasons = shown.length ? shown.map((r) => ruleText(r, t))
    : (status.reasons || []).map((r) => fixedReasonText(r, t));
  const basis = ['excluded', 'included', 'allowed_group'].includes(decision.basis) ? t(`elig.basis.${decision.basis}`) : null;
  const message = isText(decision.message) ? t('elig.message', { message: decision.message }) : null;
  return { reasons, basis, message };
}

/** A notice from GET /me (`notices[]`) as a sentence; `formatTime` shows `since`. */
/** app.models.REASON_CODES: the strike reason codes a voter can be told about. */
export const REVOTE_REASON_CODES = ['sockpuppet', 'ineligible', 'canvassing', 'ballot_error', 'candidate_change', 'technical', 'other'];

export function noticeText(notice, t, formatTime = (iso) => iso) {
  if (notice?.kind === 'revote') {
    // After a strike the voter is told the message of its reason code; the scrutineers'
    // reason text is private and never reaches the page.
    if (notice.reason_code) {
      const known = REVOTE_REASON_CODES.includes(notice.reason_code) ? notice.reason_code : 'other';
      return t('booth.revote_struck', { time: formatTime(notice.since), reason: t(`booth.revote_reason.${known}`) });
    }
    return t('booth.revote_notice', { time: formatTime(notice.since), reason: notice.reason || '' });
  }
  return String(notice?.reason ?? '');
}
