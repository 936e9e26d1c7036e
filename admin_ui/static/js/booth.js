// The voting booth: status, credential, in-browser encryption, cast-or-audit, receipt.
// The plaintext choices and the credential's secret never leave this page.
import {
  $, $$, api, announce, browserZone, el, errorText, localTime, phaseName, setDownload, show, t, user,
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
    if (kind === 'sonc') {
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

async function ensureConvenientCredential() {
  let secret = localStorage.getItem(credentialStorageKey());
  let key = secret ? crypto.credentialFromSecret(secret) : null;
  if (key && me.credential === crypto.credentialPublic(key)) return;
  if (me.credential && me.has_voted) {
    if (!key) throw new Error(t('booth.credential_elsewhere'));
    throw new Error(t('booth.credential_mismatch'));
  }
  if (!key) {
    key = crypto.newCredential();
    secret = crypto.credentialSecret(key);
    localStorage.setItem(credentialStorageKey(), secret);
  }
  await api(`${base}/credential`, { method: 'POST', body: { public_key: crypto.credentialPublic(key) } });
  me = await api(`${base}/me`);
}

async function encrypt(choices) {
  setProgress(0.05, t('booth.progress.start'));
  await nextFrame();
  const key = await credential();
  const result = await crypto.encryptBallot(context, choices, key, (done, total) => {
    setProgress(0.05 + 0.9 * (done / Math.max(total, 1)), t('booth.progress.step', { done, total }));
  });
  setProgress(1, t('booth.progress.done'));
  return { ...result, choices, key };
}

function showEncrypted() {
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

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  announce(ballotError, '', 'error');
  show($('#audit-box'), false);
  setBusy(true);
  try {
    pending = await encrypt(readChoices());
    showEncrypted();
  } catch (err) {
    show(progressBox, false);
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
    const report = await crypto.auditBallot(context, audited);
    show(auditBox);
    announce($('#audit-result'), report.ok ? t('booth.audit_ok', { tracker: audited.tracker })
      : t('booth.audit_failed', { problem: report.problem || '' }), report.ok ? 'ok' : 'error');
    setDownload($('#audit-download'), report.record, `audited-ballot-${audited.tracker.slice(0, 12)}.json`);
    // An audited ballot must never be cast: encrypt the same choices again with new randomness.
    pending = await encrypt(audited.choices);
    showEncrypted();
    announce($('#audit-result'), `${$('#audit-result').textContent} ${t('booth.reencrypted')}`,
      report.ok ? 'ok' : 'error');
  } catch (err) {
    announce(ballotError, errorText(err), 'error');
  } finally {
    setBusy(false);
  }
});

$('#change-button').addEventListener('click', () => {
  pending = null;
  show($('#encrypted-box'), false);
  show(progressBox, false);
  $('fieldset.question input', form)?.focus();
});

$('#cast-button').addEventListener('click', async () => {
  if (!pending) return;
  setBusy(true);
  announce(ballotError, '', 'error');
  try {
    const receipt = await api(`${base}/ballots`, { method: 'POST', body: { ballot: pending.ballot } });
    const receiptKey = await api('/api/v1/receipt-key').catch(() => null);
    const tracker = receipt.tracker || pending.tracker;
    $('#receipt-tracker').textContent = tracker;
    announce($('#receipt-text'), receipt.revote || receipt.payload?.revote
      ? t('booth.cast_revote', { time: localTime(new Date().toISOString()) })
      : t('booth.cast_ok', { time: localTime(new Date().toISOString()) }));
    setDownload($('#receipt-download'), {
      kind: 'scrutin-receipt', election_id: electionId, tracker,
      receipt, receipt_key: receiptKey,
      check: `${location.origin}${base}/trackers/${tracker}`,
    }, `scrutin-receipt-${electionId}-${tracker.slice(0, 12)}.json`);
    show($('#encrypted-box'), false);
    show(progressBox, false);
    show($('#receipt-box'));
    $('#receipt-box').focus();
    pending = null;
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
    context = crypto.ballotContext(definition.manifest, definition.fingerprint);
    if (me.credential_mode === 'convenient') await ensureConvenientCredential();
    show(progressBox, false);
    encryptButton.disabled = false;
    document.body.dataset.boothReady = '1';
  } catch (err) {
    show(progressBox, false);
    announce(ballotError, errorText(err), 'error');
  }
}

main();
