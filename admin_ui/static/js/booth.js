// The voting booth: status, credential, in-browser encryption, cast-or-audit, receipt.
// The plaintext choices and the credential's secret never leave this page.
//
// The server is not believed (DESIGN §3.7): before encrypting, the booth checks the election
// against the public board (the key is the trustees' ∏ C_{i,0}, the ceremony replays to the
// setup every trustee confirmed, the definition is its current version; `#fp=CODE` in the link
// pins the published fingerprint code) and shows the code to compare with the wiki. Once
// encrypted, the choices are locked; any change discards the encrypted ballot. What is shown
// before Cast (and in an audit) is decoded from the ballot actually made (its audit record
// checked), never read from the form. After casting, the receipt is checked against the
// manifest's receipt key and the board.
//
// A ranked question is ranked with buttons only ("Add to my ranking", then "Move up", "Move
// down", "Remove" on each ranked candidate), so a keyboard, a screen reader and a phone all use
// the same controls; the ranking is spelled out in words under the lists as it changes, and an
// empty (blank) ranking is allowed with a notice. The choice of a ranked question is the list of
// candidate indices, most preferred first (crypto/ballots.py check_choices).
import {
  $, $$, api, announce, browserZone, el, errorText, fetchBoard, localTime, phaseName, setDownload,
  show, t, user,
} from './common.js';
import { eligibilityText, noticeText } from './eligibility.js';

const electionId = document.body.dataset.election;
const base = `/api/v1/elections/${encodeURIComponent(electionId)}`;
const statusBox = $('#status');
const form = $('#ballot-form');
const progressBox = $('#progress-box');
const progress = $('#progress');
const progressText = $('#progress-text');
const ballotError = $('#ballot-error');

let crypto = null;      // the crypto adapter, loaded once the voter can vote
let context = null;     // the ballot context (manifest, fingerprint, election key)
let me = null;          // GET /me
let pending = null;     // {ballot, tracker, choices} encrypted but not yet cast
let election = null;    // {code, receiptKey} once the election was checked against the board
let edits = 0;          // bumped on every change of the form: an encryption started before is void

$('#browser-zone').textContent = browserZone();

function credentialStorageKey() {
  return `scrutin:credential:${electionId}:${user}`;
}

function renderStatus(status) {
  const parts = [];
  if (status.eligible) {
    parts.push(el('p', { class: 'ok', text: t('booth.eligible', { name: status.username }) }));
  } else {
    parts.push(el('p', { class: 'error', text: t('booth.not_eligible', { name: status.username }) }));
  }
  // Reasons in the voter's language, from the decision's machine fields (eligibility.js).
  const why = eligibilityText(status, t);
  if (why.basis) parts.push(el('p', { id: 'eligibility-basis', text: why.basis }));
  if (why.reasons.length) {
    parts.push(el('p', { text: t('booth.reasons') }),
      el('ul', { id: 'eligibility-reasons' }, why.reasons.map((r) => el('li', { text: r }))));
  }
  if (why.message) parts.push(el('p', { id: 'eligibility-message', class: 'note', text: why.message }));
  for (const notice of status.notices || []) {
    parts.push(el('p', { class: 'warn notice', 'data-kind': notice.kind, text: noticeText(notice, t, localTime) }));
  }
  parts.push(el('p', { text: t('booth.phase', { phase: phaseName(status.phase) }) }));
  if (status.phase === 'paused') {
    parts.push(el('p', { class: 'warn', text: t('booth.paused', { reason: status.pause_reason || '' }) }));
  } else if (['draft', 'key_ceremony', 'ready'].includes(status.phase)) {
    parts.push(el('p', { text: t('booth.not_open_yet') }));
  } else if (!['open'].includes(status.phase)) {
    parts.push(el('p', { text: t('booth.closed') }));
  }
  if (status.has_voted) {
    parts.push(el('p', {}, t('booth.has_voted', { time: localTime(status.last_cast_at) }), ' ',
      el('code', { class: 'tracker', text: status.current_tracker })));
    parts.push(el('p', { class: 'note', text: t('booth.revote_hint') }));
  }
  // Every public credential_replaced made in this voter's name (it revoked the old one).
  const replaced = status.credential_replacements || [];
  if (replaced.length) {
    parts.push(el('ul', { id: 'credential-replacements' }, replaced.map((r) => el('li', {
      'data-seq': String(r.seq), text: t('booth.credential_replaced', { time: localTime(r.at), seq: r.seq }) }))));
  }
  statusBox.replaceChildren(...parts);
}

function setProgress(fraction, text) {
  show(progressBox);
  progress.value = Math.round(fraction * 100);
  progress.setAttribute('aria-valuetext', text);
  progressText.textContent = text;
}

const nextFrame = () => new Promise((resolve) => setTimeout(resolve, 0));

function readChoices() {
  const choices = [];
  for (const fieldset of $$('fieldset.question', form)) {
    const q = Number(fieldset.dataset.question);
    const kind = fieldset.dataset.kind;
    if (kind === 'ranked') {
      choices.push(rankingOf(fieldset));
    } else if (kind === 'sonc') {
      choices.push($$('fieldset.candidate', fieldset).map((_, i) => {
        const checked = $(`input[name="q${q}-c${i}"]:checked`, fieldset);
        return checked ? Number(checked.value) : 0;
      }));
    } else {
      const boxes = $$(`input[name="q${q}"]`, fieldset);
      const row = boxes.map((box) => (box.checked ? 1 : 0));
      const count = row.reduce((a, b) => a + b, 0);
      const legend = $('legend', fieldset).textContent;
      if (kind === 'plurality' && count !== 1) {
        throw new Error(t('booth.pick_one', { question: legend }));
      }
      if (kind === 'approval') {
        const min = Number(fieldset.dataset.min), max = Number(fieldset.dataset.max);
        if (count < min || count > max) {
          throw new Error(t('booth.pick_range', { question: legend, min, max }));
        }
      }
      choices.push(row);
    }
  }
  return choices;
}

async function credential() {
  if (me.credential_mode === 'independent') {
    const code = $('#voter-code').value.trim();
    if (!code) throw new Error(t('booth.code_missing'));
    try {
      return await crypto.credentialFromCode(code, electionId);
    } catch (err) {
      throw new Error(t('booth.code_invalid'));
    }
  }
  const stored = localStorage.getItem(credentialStorageKey());
  if (stored) return crypto.credentialFromSecret(stored);
  throw new Error(t('booth.no_credential'));
}

/** Convenient mode. Resolves true once this browser holds the registered credential. A new
 * credential is made from a fresh code, shown once (to print or write down): typed here or in
 * `scrutin vote --code` on any device, it re-votes. While a ballot of the registered credential
 * counts, another device needs that code; once none counts (e.g. after a strike), a new
 * credential replaces it (a public `credential_replaced` event, shown on the status). */
async function ensureConvenientCredential() {
  const secret = localStorage.getItem(credentialStorageKey());
  const key = secret ? crypto.credentialFromSecret(secret) : null;
  if (key && me.credential === crypto.credentialPublic(key)) return true;
  if (me.credential && me.has_voted) {
    show($('#credential-code-box'));
    $('#credential-code-reason').textContent = t(key ? 'booth.credential_mismatch' : 'booth.credential_elsewhere');
    return false;
  }
  const code = crypto.newCode();
  const fresh = await crypto.credentialFromCode(code, electionId);
  await api(`${base}/credential`, { method: 'POST', body: { public_key: crypto.credentialPublic(fresh) } });
  localStorage.setItem(credentialStorageKey(), crypto.credentialSecret(fresh));
  $('#new-code').textContent = crypto.formatCode(code);
  show($('#new-code-box'));
  me = await api(`${base}/me`);
  renderStatus(me);
  return true;
}

$('#credential-code-button').addEventListener('click', async () => {
  const box = $('#credential-code-error');
  announce(box, '', 'error');
  let key;
  try {
    key = await crypto.credentialFromCode($('#credential-code').value.trim(), electionId);
  } catch (err) {
    announce(box, t('booth.code_invalid'), 'error');
    return;
  }
  if (crypto.credentialPublic(key) !== me.credential) {
    announce(box, t('booth.code_not_yours'), 'error');
    return;
  }
  localStorage.setItem(credentialStorageKey(), crypto.credentialSecret(key));
  $('#credential-code').value = '';
  show($('#credential-code-box'), false);
  $('#encrypt-button').disabled = false;
  document.body.dataset.boothReady = '1';
  firstControl()?.focus();
});

$('#new-code-print').addEventListener('click', () => window.print());

// --- ranked questions ------------------------------------------------------------------------

/** The first control of the ballot (to give it the focus). */
function firstControl() {
  return $$('fieldset.question input, fieldset.question button', form).find((node) => !node.hidden);
}

/** The ranking on screen: candidate indices, most preferred first. */
function rankingOf(fieldset) {
  return $$('ol.ranking > li', fieldset).map((li) => Number(li.dataset.candidate));
}

/** "1. Ann, 2. Ben; not ranked: Cy" for `row` (indices), with the names on this page. */
function rankingWords(fieldset, row) {
  const candidates = $$('li.rank-candidate', fieldset);
  const names = new Map(candidates.map((li) => [Number(li.dataset.candidate), li.dataset.name]));
  const ranked = row.map((i, k) => `${k + 1}. ${names.get(i) ?? `#${i}`}`);
  const unranked = [...names.keys()].sort((a, b) => a - b).filter((i) => !row.includes(i))
    .filter((i) => !candidates.find((li) => Number(li.dataset.candidate) === i).dataset.withdrawn)
    .map((i) => names.get(i));
  const sep = document.documentElement.lang.startsWith('zh') ? '、' : ', '; // the list comma
  const text = ranked.length ? ranked.join(sep) : t('booth.ranking.empty');
  return unranked.length ? t('booth.ranking.line', { ranking: text, unranked: unranked.join(sep) }) : text;
}

/** Places, visible buttons, the blank notice and the words of one ranked question. */
function renderRanking(fieldset) {
  const ranked = $$('ol.ranking > li', fieldset);
  ranked.forEach((li, k) => {
    $('.rank-place', li).textContent = `${k + 1}.`;
    const add = $('.rank-add', li);
    if (add) show(add, false);
    show($('.rank-up', li), k > 0);
    show($('.rank-down', li), k < ranked.length - 1);
    show($('.rank-remove', li));
  });
  for (const li of $$('ul.unranked > li', fieldset)) {
    $('.rank-place', li).textContent = '';
    const add = $('.rank-add', li);
    if (add) show(add);
    for (const cls of ['.rank-up', '.rank-down', '.rank-remove']) show($(cls, li), false);
  }
  show($('.ranking-blank', fieldset), ranked.length === 0);
  show($('ol.ranking', fieldset), ranked.length > 0);
  show($('ul.unranked', fieldset), $$('ul.unranked > li', fieldset).length > 0);
  $('.ranking-words', fieldset).textContent = t('booth.ranking.yours', { ranking: rankingWords(fieldset, rankingOf(fieldset)) });
}

function visibleButton(li, ...classes) {
  for (const cls of classes) {
    const button = li && $(cls, li);
    if (button && !button.hidden) return button;
  }
  return null;
}

form.addEventListener('click', (event) => {
  const button = event.target.closest('button');
  const li = button?.closest('li.rank-candidate');
  if (!li || form.dataset.locked || button.disabled) return;
  const fieldset = li.closest('fieldset.question');
  const ol = $('ol.ranking', fieldset);
  const ul = $('ul.unranked', fieldset);
  let focus = null;
  if (button.classList.contains('rank-add')) {
    const after = li.nextElementSibling || li.previousElementSibling;
    ol.append(li);
    renderRanking(fieldset);
    // Keep going down the list of candidates not ranked yet (or, when none is left, stay here).
    focus = visibleButton(after, '.rank-add') || visibleButton(li, '.rank-up', '.rank-remove');
  } else if (button.classList.contains('rank-up') && li.previousElementSibling) {
    ol.insertBefore(li, li.previousElementSibling);
    renderRanking(fieldset);
    focus = visibleButton(li, '.rank-up', '.rank-down');
  } else if (button.classList.contains('rank-down') && li.nextElementSibling) {
    li.nextElementSibling.after(li);
    renderRanking(fieldset);
    focus = visibleButton(li, '.rank-down', '.rank-up');
  } else if (button.classList.contains('rank-remove')) {
    const next = li.nextElementSibling || li.previousElementSibling;
    const i = Number(li.dataset.candidate);
    ul.insertBefore(li, $$('li', ul).find((other) => Number(other.dataset.candidate) > i) || null);
    renderRanking(fieldset);
    focus = visibleButton(next, '.rank-remove') || visibleButton(li, '.rank-add');
  } else {
    return;
  }
  focus?.focus();
  // Like any other change of the choices: an encrypted ballot is void.
  form.dispatchEvent(new Event('change'));
});

for (const fieldset of $$('fieldset.question[data-kind="ranked"]', form)) renderRanking(fieldset);

/** Thrown when the form changed while encrypting: the result is not what the screen shows. */
class Discarded extends Error {}

async function encrypt(choices) {
  const started = edits;
  setProgress(0.05, t('booth.progress.start'));
  await nextFrame();
  const key = await credential();
  const result = await crypto.encryptBallot(context, choices, key, (done, total) => {
    setProgress(0.05 + 0.9 * (done / Math.max(total, 1)), t('booth.progress.step', { done, total }));
  });
  // What the ballot really holds, from its own audit record (never from the form).
  const decoded = crypto.decodeBallot(context, { ...result, key });
  if (edits !== started) throw new Discarded(t('booth.discarded'));
  if (JSON.stringify(decoded) !== JSON.stringify(choices) || JSON.stringify(readChoices()) !== JSON.stringify(decoded)) {
    throw new Discarded(t('booth.decoded_mismatch'));
  }
  setProgress(1, t('booth.progress.done'));
  return { ...result, choices: decoded, key };
}

function lockChoices(locked) {
  for (const fieldset of $$('fieldset.question', form)) fieldset.disabled = locked;
  form.dataset.locked = locked ? '1' : '';
  show($('#encrypt-button'), !locked);
}

/** One list item per question (S/O/N: per candidate), in words, for `choices`. */
function choicesInWords(choices) {
  const items = [];
  $$('fieldset.question', form).forEach((fieldset, q) => {
    const row = choices[q] || [];
    const title = $('legend', fieldset).textContent.trim();
    if (fieldset.dataset.kind === 'ranked') {
      items.push(el('li', { 'data-question': String(q), 'data-ranking': JSON.stringify(row),
        text: t('booth.choice.question', { question: title, options: rankingWords(fieldset, row) }) }));
    } else if (fieldset.dataset.kind === 'sonc') {
      $$('fieldset.candidate', fieldset).forEach((candidate, i) => {
        const word = row[i] === 1 ? 'support' : row[i] === -1 ? 'oppose' : 'neutral';
        items.push(el('li', { 'data-question': String(q), 'data-candidate': String(i), 'data-choice': String(row[i]),
          text: t('booth.choice.line', { candidate: `${title} — ${$('legend', candidate).textContent.trim()}`, choice: t(`booth.choice.${word}`) }) }));
      });
    } else {
      const names = $$('label.option', fieldset).map((label) => label.textContent.trim()).filter((_, i) => row[i]);
      items.push(el('li', { 'data-question': String(q), text: t('booth.choice.question',
        { question: title, options: names.length ? names.join(', ') : t('booth.choice.none') }) }));
    }
  });
  return items;
}

function discard(message = '') {
  const had = pending !== null;
  pending = null;
  show($('#encrypted-box'), false);
  show(progressBox, false);
  lockChoices(false);
  if (had && message) announce(ballotError, message, 'error');
}

function showEncrypted() {
  $('#ballot-summary').replaceChildren(...choicesInWords(pending.choices));
  $('#tracker').textContent = pending.tracker;
  $('#commitment').textContent = pending.commitment || '';
  show($('#commitment-line'), Boolean(pending.commitment));
  show($('#encrypted-box'));
  show($('#receipt-box'), false);
  $('#cast-button').focus();
}

function setBusy(busy) {
  for (const button of $$('#vote-section button')) button.disabled = busy;
}

// Any change to the choices voids an encrypted (or encrypting) ballot: the voter re-encrypts.
for (const kind of ['change', 'input']) {
  form.addEventListener(kind, () => {
    edits += 1;
    if (pending) discard(t('booth.discarded'));
  });
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (pending || form.dataset.locked) return;
  announce(ballotError, '', 'error');
  show($('#audit-box'), false);
  setBusy(true);
  try {
    const choices = readChoices();
    lockChoices(true);
    pending = await encrypt(choices);
    showEncrypted();
  } catch (err) {
    discard();
    announce(ballotError, err.message || errorText(err), 'error');
  } finally {
    setBusy(false);
  }
});

$('#audit-button').addEventListener('click', async () => {
  setBusy(true);
  const auditBox = $('#audit-box');
  try {
    const audited = pending;
    pending = null;
    show($('#encrypted-box'), false);
    const report = await crypto.auditBallot(context, audited);
    show(auditBox);
    announce($('#audit-result'), report.ok ? t('booth.audit_ok', { tracker: audited.tracker })
      : t('booth.audit_failed', { problem: report.problem || '' }), report.ok ? 'ok' : 'error');
    // What the audited ballot contained, decoded from its record (not from the form).
    $('#audit-summary').replaceChildren(...(report.choices ? choicesInWords(report.choices) : []));
    setDownload($('#audit-download'), report.record, `audited-ballot-${audited.tracker.slice(0, 12)}.json`);
    // An audited ballot must never be cast: encrypt the same choices again with new randomness.
    pending = await encrypt(audited.choices);
    showEncrypted();
    announce($('#audit-result'), `${$('#audit-result').textContent} ${t('booth.reencrypted')}`,
      report.ok ? 'ok' : 'error');
  } catch (err) {
    discard();
    announce(ballotError, err.message || errorText(err), 'error');
  } finally {
    setBusy(false);
  }
});

$('#change-button').addEventListener('click', () => {
  discard();
  show($('#audit-box'), false);
  firstControl()?.focus();
});

$('#cast-button').addEventListener('click', async () => {
  if (!pending) return;
  setBusy(true);
  // Nothing from before this cast stays on the page: earlier errors, the last audit, the
  // previous receipt's check (a re-vote), the progress line.
  announce(ballotError, '', 'error');
  for (const id of ['#receipt-check', '#receipt-text', '#audit-result', '#progress-text', '#credential-code-error']) {
    $(id).textContent = '';
  }
  $('#audit-summary').replaceChildren();
  try {
    const receipt = await api(`${base}/ballots`, { method: 'POST', body: { ballot: pending.ballot } });
    const receiptKey = election.receiptKey;
    const tracker = receipt.tracker || pending.tracker;
    $('#receipt-tracker').textContent = tracker;
    // The board explorer looks the tracker up on arrival (results.js reads ?tracker=).
    $('#receipt-board').href = `/elections/${encodeURIComponent(electionId)}/results?tracker=${tracker}#board`;
    announce($('#receipt-text'), receipt.revote || receipt.payload?.revote
      ? t('booth.cast_revote', { time: localTime(new Date().toISOString()) })
      : t('booth.cast_ok', { time: localTime(new Date().toISOString()) }));
    setDownload($('#receipt-download'), {
      kind: 'scrutin-receipt', election_id: electionId, tracker,
      receipt, receipt_key: receiptKey,
      check: `${location.origin}${base}/trackers/${tracker}`,
    }, `scrutin-receipt-${electionId}-${tracker.slice(0, 12)}.json`);
    pending = null;
    discard();
    show($('#audit-box'), false);
    show($('#receipt-box'));
    $('#receipt-box').focus();
    // The receipt: signed with the manifest's receipt key, and on the board where it says.
    try {
      const event = crypto.checkReceipt(receipt, await fetchBoard(base), receiptKey);
      announce($('#receipt-check'), t('booth.receipt_ok', { seq: event.seq }), 'ok');
    } catch (err) {
      announce($('#receipt-check'), t('booth.receipt_bad', { problem: err.message || errorText(err) }), 'error');
    }
    me = await api(`${base}/me`);
    renderStatus(me);
  } catch (err) {
    announce(ballotError, errorText(err), 'error');
  } finally {
    setBusy(false);
  }
});

async function main() {
  if (!user) return;
  try {
    me = await api(`${base}/me`);
  } catch (err) {
    statusBox.replaceChildren(el('p', { class: 'error', text: errorText(err) }));
    return;
  }
  renderStatus(me);
  document.body.dataset.statusReady = '1';
  if (!me.can_cast) return;
  show($('#vote-section'));
  show($(me.credential_mode === 'independent' ? '#credential-independent' : '#credential-convenient'));
  const encryptButton = $('#encrypt-button');
  encryptButton.disabled = true;
  try {
    setProgress(0.01, t('booth.loading_crypto'));
    crypto = await import('./scrutin-crypto.js');
    const { definition } = await api(`${base}/definition`);
    const board = await fetchBoard(base);
    const wanted = new URLSearchParams(location.hash.slice(1)).get('fp');
    try {
      const checked = crypto.checkElection(electionId, board, definition?.manifest, definition?.fingerprint, wanted);
      context = checked.context;
      election = { code: checked.code, receiptKey: checked.receiptKey };
    } catch (err) {
      document.body.dataset.electionRefused = '1';
      throw new Error(t('booth.election_refused', { problem: err.message || String(err) }));
    }
    $('#fingerprint-code').textContent = election.code;
    if (wanted) $('#fingerprint-match').textContent = t('booth.fingerprint_matches');
    show($('#fingerprint-box'));
    const ready = me.credential_mode !== 'convenient' || await ensureConvenientCredential();
    show(progressBox, false);
    if (!ready) return; // waiting for the credential code (#credential-code-box)
    encryptButton.disabled = false;
    document.body.dataset.boothReady = '1';
  } catch (err) {
    show(progressBox, false);
    announce(ballotError, errorText(err), 'error');
  }
}

main();
