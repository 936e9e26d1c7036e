// The scrutineer page: ballots cast (with audited PII on request), signal groups, strikes and
// unstrikes with reasons, re-vote invitations, and the public list of who voted.
import { $, $$, api, announce, confirmAction, el, errorText, phaseName, shortTime, t, user } from './common.js';

const electionId = document.body.dataset.election;
const base = `/api/v1/elections/${encodeURIComponent(electionId)}`;
const message = $('#scrutiny-message');
const REASON_CODES = ['sockpuppet', 'ineligible', 'canvassing', 'ballot_error', 'candidate_change', 'technical', 'other'];

function flash(text, cls = 'ok') { announce(message, text, cls); }

async function loadVoted() {
  try {
    const { voters } = await api(`${base}/voted`);
    $('#voted-count').textContent = t('scrutiny.count', { count: voters.length });
    $('#voted-rows').replaceChildren(...voters.map((v) => el('tr', {}, el('td', { text: v.username }))));
  } catch (err) {
    $('#voted-count').textContent = errorText(err);
  }
}

function prefill(selector, values) {
  $('#strike-selector').value = selector;
  $('#strike-values').value = values.join('\n');
  $('#strike-code').focus();
}

async function loadCasts() {
  const pii = $('#show-pii').checked;
  for (const th of $$('.pii-col')) th.hidden = !pii;
  try {
    const data = await api(`${base}/scrutiny/voters${pii ? '?pii=true' : ''}`);
    $('#cast-rows').replaceChildren(...data.casts.map((c) => el('tr', { 'data-tracker': c.tracker, 'data-state': c.state },
      el('td', { text: c.username }), el('td', { text: shortTime(c.cast_at) }),
      el('td', {}, el('code', { class: 'mono', text: c.tracker })),
      el('td', { class: `state-${c.state}`, text: t(`scrutiny.state.${c.state}`) }),
      pii ? el('td', { class: 'mono', text: [c.ip, c.forwarded_for, c.user_agent].filter(Boolean).join(' · ') || (data.pii_purged ? t('scrutiny.pii_purged') : '—') }) : null,
      el('td', {}, el('button', {
        type: 'button', class: 'link', text: t('scrutiny.select'),
        'aria-label': t('scrutiny.select_named', { name: c.username }),
        onclick: () => prefill('trackers', [c.tracker]),
      })))));
  } catch (err) {
    if (pii) $('#show-pii').checked = false;
    flash(errorText(err), 'error');
  }
}

async function loadSignals() {
  const box = $('#signals');
  try {
    const { clusters } = await api(`${base}/scrutiny/signals`);
    if (!clusters.length) { box.replaceChildren(el('p', { text: t('scrutiny.no_signals') })); return; }
    box.replaceChildren(el('ul', {}, clusters.map((c) => el('li', {},
      t('scrutiny.cluster', { kind: t(`scrutiny.kind.${c.kind}`), voters: c.voters.join(', '), ballots: c.ballots }),
      c.key ? el('code', { class: 'mono', text: ` ${c.key}` }) : '', ' ',
      el('button', { type: 'button', class: 'link', text: t('scrutiny.select'), onclick: () => prefill('cluster', [c.id]) })))));
  } catch (err) {
    box.replaceChildren(el('p', { class: 'error', text: errorText(err) }));
  }
}

function selectorBody() {
  const kind = $('#strike-selector').value;
  const values = $('#strike-values').value.split('\n').map((s) => s.trim()).filter(Boolean);
  if (!values.length) throw new Error(t('scrutiny.need_values'));
  if (kind === 'trackers' || kind === 'voters') return { [kind]: values };
  if (kind === 'cluster') return { cluster: values[0] };
  if (kind === 'definition_version') return { definition_version: Number(values[0]) };
  if (values.length !== 2) throw new Error(t('scrutiny.need_range'));
  return { cast_between: values };
}

/** What the selection names, for the confirmation dialog (at most 10 lines). */
function selectionLines() {
  const kind = $('#strike-selector');
  const values = $('#strike-values').value.split('\n').map((s) => s.trim()).filter(Boolean);
  const label = kind.options[kind.selectedIndex]?.text || kind.value;
  const lines = values.slice(0, 10).map((v) => `${label}: ${v}`);
  if (values.length > 10) lines.push(t('confirm.more', { count: values.length - 10 }));
  return lines;
}

async function strike(unstrike) {
  try {
    const body = {
      ...selectorBody(), reason_code: $('#strike-code').value,
      reason_text: $('#strike-text').value.trim(), invite_to_revote: $('#strike-invite').checked,
    };
    const invite = !unstrike && body.invite_to_revote ? `\n${t('confirm.strike_invite')}` : '';
    const ok = await confirmAction({
      title: t(unstrike ? 'confirm.unstrike_title' : 'confirm.strike_title'),
      body: t(unstrike ? 'confirm.unstrike_body' : 'confirm.strike_body', { reason: t(`reason.${body.reason_code}`) }) + invite,
      confirm: t(unstrike ? 'confirm.unstrike' : 'confirm.strike'),
      details: selectionLines(),
    });
    if (!ok) { flash(t('confirm.cancelled')); return; }
    const result = await api(`${base}/scrutiny/${unstrike ? 'unstrike' : 'strike'}`, { method: 'POST', body });
    flash(t(unstrike ? 'scrutiny.unstruck' : 'scrutiny.struck', { count: result.trackers.length, invited: result.invited.length }));
  } catch (err) {
    flash(err.status ? errorText(err) : err.message, 'error');
  }
  await Promise.all([loadCasts(), loadSignals()]);
}

async function main() {
  await loadVoted();
  if (!user) return;
  $('#strike-code').replaceChildren(...REASON_CODES.map((code) => el('option', { value: code, text: t(`reason.${code}`) })));
  $('#show-pii').addEventListener('change', loadCasts);
  $('#strike-form').addEventListener('submit', (event) => { event.preventDefault(); strike(false); });
  $('#unstrike-button').addEventListener('click', () => strike(true));
  $('#revote-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const usernames = $('#revote-users').value.split('\n').map((s) => s.trim()).filter(Boolean);
    try {
      const result = await api(`${base}/revote-invitations`, { method: 'POST', body: { usernames, reason: $('#revote-reason').value.trim() } });
      flash(t('scrutiny.invited', { count: result.invited.length }));
    } catch (err) { flash(errorText(err), 'error'); }
  });
  try {
    const election = await api(base);
    $('#phase').textContent = phaseName(election.phase);
  } catch { /* shown by the server-rendered phase */ }
  await Promise.all([loadCasts(), loadSignals()]);
  document.body.dataset.scrutinyReady = '1';
}

main();
