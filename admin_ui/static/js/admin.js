// The committee page: list, create and edit elections; roles (with jurisdiction and flags) and
// the role policy, invitation links, roll and eligibility rules, phase actions, re-vote
// invitations and the notification outbox, key ceremony progress, tally start and the audit log.
// Everything goes through the JSON API.
import { $, $$, ApiError, api, announce, confirmAction, el, errorText, localized, phaseName, shortTime, t } from './common.js';
import { RuleFieldError, builderFields, fieldFor, fillBuilder, fromRules, readBuilder, toRules } from './rulebuilder.js';

const LANGS = ['en', 'zh-hans', 'zh-hant'];
const message = $('#admin-message');
let current = null;   // the election being edited (API view), or null when creating
let pollTimer = null;

function flash(text, cls = 'ok') { announce(message, text, cls); }

// --- list --------------------------------------------------------------------------------------
async function loadList() {
  const rows = $('#election-rows');
  try {
    const elections = await api('/api/v1/elections');
    rows.replaceChildren(...elections.map((e) => el('tr', { 'data-election': e.id },
      el('td', {}, el('code', { text: e.id })),
      el('td', {}, el('a', { href: `/elections/${e.id}`, text: localized(e.title, e.default_language) })),
      el('td', { text: phaseName(e.phase) }),
      el('td', {}, el('button', { type: 'button', class: 'link', text: t('admin.manage'), 'aria-label': t('admin.manage_named', { id: e.id }), onclick: () => openElection(e.id) })))));
  } catch (err) {
    flash(errorText(err), 'error');
  }
}

// --- the election form -------------------------------------------------------------------------
function addQuestion(data = null) {
  const fragment = $('#question-template').content.cloneNode(true);
  const box = fragment.querySelector('fieldset');
  const index = $$('#questions .question-editor').length;
  box.querySelector('.q-legend').textContent = t('admin.question_n', { n: index + 1 });
  const kind = box.querySelector('.q-kind');
  const sync = () => {
    box.querySelector('.sonc-only').hidden = kind.value !== 'sonc';
    box.querySelector('.selection-only').hidden = kind.value !== 'approval';
    box.querySelector('.ranked-only').hidden = kind.value !== 'ranked';
  };
  kind.addEventListener('change', sync);
  box.querySelector('.q-remove').addEventListener('click', () => { box.remove(); renumber(); });
  if (data) {
    kind.value = data.kind;
    for (const input of box.querySelectorAll('.q-title')) input.value = data.title[input.dataset.lang] || '';
    for (const area of box.querySelectorAll('.q-candidates')) {
      area.value = data.candidates.map((c) => c.name[area.dataset.lang] || '').join('\n').replace(/\n+$/, '');
    }
    if (data.seats) box.querySelector('.q-seats').value = data.seats;
    if (data.kind === 'ranked' && data.method) box.querySelector('.q-method').value = data.method;
    box.querySelector('.q-min').value = data.min_selections || 0;
    if (data.max_selections && data.kind === 'approval') box.querySelector('.q-max').value = data.max_selections;
    if (data.pass_rule) {
      box.querySelector('.q-threshold').value = data.pass_rule.threshold_percent;
      box.querySelector('.q-comparison').value = data.pass_rule.comparison;
      box.querySelector('.q-min-support').value = data.pass_rule.min_support;
      box.querySelector('.q-display').value = data.pass_rule.display;
      box.querySelector('.q-decimals').value = data.pass_rule.decimals;
    }
  }
  sync();
  $('#questions').append(fragment);
}

function renumber() {
  $$('#questions .question-editor').forEach((box, i) => {
    box.querySelector('.q-legend').textContent = t('admin.question_n', { n: i + 1 });
  });
}

function texts(nodes) {
  const out = {};
  for (const node of nodes) if (node.value.trim()) out[node.dataset.lang] = node.value.trim();
  return out;
}

// --- form validation: each error next to its field (aria-invalid, aria-describedby), the first
// one scrolled into view and focused; the schedule checked in the election's time zone --------

/** An error tied to a field: thrown by readForm, shown next to `field`. */
class FieldError extends Error {
  constructor(field, text) { super(text); this.field = field; }
}

function clearFieldErrors() {
  for (const node of $$('#election-form .field-error')) node.remove();
  for (const node of $$('#election-form [aria-invalid]')) {
    node.removeAttribute('aria-invalid');
    node.setAttribute('aria-describedby', (node.getAttribute('aria-describedby') || '').split(' ').filter((id) => !id.endsWith('-error')).join(' '));
  }
}

/** Show `text` under `field` (class `error` or `warn`) and return the message node. */
function fieldMessage(field, text, cls = 'error') {
  const id = `${field.id || field.className.split(' ')[0]}-${cls === 'error' ? 'error' : 'warn'}`;
  $(`#${CSS.escape(id)}`)?.remove();
  const note = el('p', { id, class: `field-error ${cls}`, role: cls === 'error' ? 'alert' : null, text });
  const anchor = field.closest('.field');
  if (anchor) anchor.append(note); else field.after(note);
  if (cls === 'error') field.setAttribute('aria-invalid', 'true');
  field.setAttribute('aria-describedby', [field.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
  return note;
}

function showFieldError(err) {
  fieldMessage(err.field, err.message);
  err.field.scrollIntoView({ block: 'center' });
  err.field.focus({ preventScroll: true });
}

/** A wall-clock time's fields in a time zone (UTC offset in minutes for 'AoE' and 'UTC'). */
function wallIn(ms, zone) {
  if (zone === 'AoE' || zone === 'UTC') {
    const d = new Date(ms + (zone === 'AoE' ? -12 * 3600e3 : 0));
    return d.toISOString().slice(0, 16);
  }
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

function offsetText(minutes) {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** Every instant at which the zone's clocks show `wall` ('YYYY-MM-DDTHH:MM'): none in a DST
 * gap, two in an overlap. [{ ms, offset: '+01:00' }], earliest first. */
export function instantsOf(wall, zone) {
  const asUtc = Date.parse(`${wall}:00Z`);
  if (Number.isNaN(asUtc)) return [];
  const offsets = new Set();
  for (const probe of [asUtc - 86400e3, asUtc, asUtc + 86400e3]) {
    const shown = Date.parse(`${wallIn(probe, zone)}:00Z`);
    offsets.add(Math.round((shown - probe) / 60000));
  }
  const found = [];
  for (const minutes of offsets) {
    const ms = asUtc - minutes * 60000;
    if (wallIn(ms, zone) === wall && !found.some((f) => f.ms === ms)) found.push({ ms, offset: offsetText(minutes) });
  }
  return found.sort((a, b) => a.ms - b.ms);
}

/** The schedule as the API takes it: a wall-clock time, or — when the zone shows it twice —
 * the one the committee chose, with its offset. A skipped time is an error; an unanswered
 * overlap shows the two choices next to the field. Returns { value, ms }. */
function resolveTime(input, zone) {
  const wall = input.value.slice(0, 16);
  const found = instantsOf(wall, zone);
  const choiceBox = $(`#${input.id}-fold`);
  if (found.length === 0) {
    choiceBox?.remove();
    throw new FieldError(input, t('admin.time_gap', { time: wall.replace('T', ' '), zone }));
  }
  if (found.length === 1) { choiceBox?.remove(); return { value: input.value, ms: found[0].ms }; }
  const chosen = choiceBox?.dataset.wall === `${wall} ${zone}` ? choiceBox.querySelector('input:checked') : null;
  if (chosen) return { value: `${wall}${chosen.value}`, ms: Number(chosen.dataset.ms) };
  choiceBox?.remove();
  const name = `${input.id}-fold`;
  const box = el('fieldset', { id: name, class: 'fold-choice', 'data-wall': `${wall} ${zone}` },
    el('legend', { text: t('admin.time_twice', { time: wall.replace('T', ' '), zone }) }),
    ...found.map((f, i) => el('div', { class: 'check' },
      el('input', { type: 'radio', name, id: `${name}-${i}`, value: f.offset, 'data-ms': String(f.ms) }),
      el('label', { for: `${name}-${i}`, text: t(i === 0 ? 'admin.time_first' : 'admin.time_second', { offset: f.offset, utc: new Date(f.ms).toISOString().slice(0, 16).replace('T', ' ') }) }))));
  (input.closest('.field') || input).after(box);
  throw new FieldError(input, t('admin.time_choose'));
}

/** Start and end checked in the election's zone; times in the past are listed (the caller
 * asks before saving them). */
function readSchedule() {
  const start = $('#f-start'), end = $('#f-end');
  if (!start.value && !end.value) return { schedule: null, past: [] };
  if (!start.value || !end.value) throw new FieldError(start.value ? end : start, t('admin.need_both_times'));
  const zone = $('#f-timezone').value;
  const a = resolveTime(start, zone);
  const b = resolveTime(end, zone);
  if (b.ms <= a.ms) throw new FieldError(end, t('admin.end_before_start'));
  const now = Date.now();
  const past = [];
  if (a.ms < now) past.push(start);
  if (b.ms < now) past.push(end);
  return { schedule: { start: a.value, end: b.value, timezone: zone }, past };
}

function readQuestion(box, i) {
  const kind = box.querySelector('.q-kind').value;
  const title = texts(box.querySelectorAll('.q-title'));
  const lines = {};
  for (const area of box.querySelectorAll('.q-candidates')) {
    const names = area.value.split('\n').map((s) => s.trim());
    while (names.length && !names[names.length - 1]) names.pop();
    if (names.length) lines[area.dataset.lang] = names;
  }
  const count = Math.max(0, ...Object.values(lines).map((l) => l.length));
  if (!count) throw new FieldError(box.querySelector('.q-candidates'), t('admin.need_candidates', { n: i + 1 }));
  const candidates = [];
  for (let c = 0; c < count; c++) {
    const name = {};
    for (const [lang, names] of Object.entries(lines)) if (names[c]) name[lang] = names[c];
    candidates.push({ name });
  }
  const question = { kind, title, candidates };
  const seats = box.querySelector('.q-seats').value;
  if (seats) question.seats = Number(seats);
  if (kind === 'approval') {
    question.min_selections = Number(box.querySelector('.q-min').value || 0);
    const max = box.querySelector('.q-max').value;
    if (max) question.max_selections = Number(max);
  }
  if (kind === 'ranked') question.method = box.querySelector('.q-method').value;
  if (kind === 'sonc') {
    question.pass_rule = {
      threshold_percent: box.querySelector('.q-threshold').value || '70',
      comparison: box.querySelector('.q-comparison').value,
      min_support: Number(box.querySelector('.q-min-support').value || 0),
      display: box.querySelector('.q-display').value,
      decimals: Number(box.querySelector('.q-decimals').value || 1),
    };
  }
  return question;
}

function readForm() {
  const body = {
    title: texts($$('.title-input')),
    default_language: $('#f-default-language').value,
    credential_mode: $('#f-credential-mode').value,
    trustee_count: Number($('#f-trustee-count').value),
    threshold: Number($('#f-threshold').value),
    voter_list_public: $('#f-voter-list-public').checked,
    min_contributors: Number($('#f-min-contributors').value || 5),
    questions: $$('#questions .question-editor').map(readQuestion),
  };
  const description = texts($$('.description-input'));
  if (Object.keys(description).length) body.description = description;
  const { schedule, past } = readSchedule();
  if (schedule) body.schedule = schedule;
  if (!current && $('#f-id').value.trim()) body.id = $('#f-id').value.trim();
  // Ranked answers are mixed by every trustee in turn before any is decrypted: at least two.
  if (body.questions.some((q) => q.kind === 'ranked') && body.trustee_count < 2) {
    throw new FieldError($('#f-trustee-count'), t('admin.ranked_trustees'));
  }
  return { body, past };
}

/** The server's refusals that name a field, shown next to it. */
function serverFieldError(err) {
  if (!(err instanceof ApiError)) return null;
  const detail = err.detail || '';
  if (['ambiguous_time', 'nonexistent_time', 'invalid_time'].includes(err.code)) return new FieldError(err.field === 'schedule.end' ? $('#f-end') : $('#f-start'), errorText(err));
  if (err.code === 'invalid_schedule') return new FieldError($('#f-end'), errorText(err));
  if (err.code === 'invalid_timezone') return new FieldError($('#f-timezone'), errorText(err));
  if (err.code === 'too_few_mixers') return new FieldError($('#f-trustee-count'), errorText(err));
  if (err.code === 'election_exists' || /\bid\b/.test(detail)) return !current ? new FieldError($('#f-id'), errorText(err)) : null;
  return null;
}

function fillForm(e) {
  $('#f-id').value = e ? e.id : '';
  $('#f-id').disabled = Boolean(e);
  $('#f-default-language').value = e ? e.default_language : 'en';
  for (const input of $$('.title-input')) input.value = e?.title?.[input.dataset.lang] || '';
  for (const area of $$('.description-input')) area.value = e?.description?.[area.dataset.lang] || '';
  $('#f-credential-mode').value = e ? e.credential_mode : 'convenient';
  $('#f-trustee-count').value = e ? e.trustee_count : 3;
  $('#f-threshold').value = e ? e.threshold : 2;
  $('#f-voter-list-public').checked = e ? e.voter_list_public : true;
  $('#f-min-contributors').value = e?.min_contributors ?? 5;
  const local = (iso) => (iso ? iso.slice(0, 16) : '');
  $('#f-start').value = local(e?.schedule?.start_local);
  $('#f-end').value = local(e?.schedule?.end_local);
  $('#f-timezone').value = e?.schedule?.timezone || 'UTC';
  $('#questions').replaceChildren();
  if (e) e.questions.forEach((q) => addQuestion(q));
  else addQuestion();
}

/** In a patch, send only what the phase lets the committee change. */
const EDITABLE = {
  draft: null,
  key_ceremony: ['title', 'description', 'schedule', 'voter_list_public'],
  ready: ['title', 'description', 'schedule', 'voter_list_public'],
  open: ['title', 'description'],
  paused: ['title', 'description'],
};

$('#election-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const errorBox = $('#form-error');
  announce(errorBox, '', 'error');
  clearFieldErrors();
  try {
    const read = readForm();
    let { body } = read;
    let saved;
    const allowed = current ? EDITABLE[current.phase] : null;
    const sendsSchedule = body.schedule && (!allowed || allowed.includes('schedule'));
    if (sendsSchedule && read.past.length) {
      for (const field of read.past) fieldMessage(field, t('admin.time_past'), 'warn');
      const ok = await confirmAction({
        title: t('confirm.past_title'), body: t('confirm.past_body'), confirm: t('confirm.past'),
        details: read.past.map((f) => `${f.labels?.[0]?.textContent || f.id}: ${f.value.replace('T', ' ')}`),
      });
      if (!ok) { read.past[0].scrollIntoView({ block: 'center' }); read.past[0].focus({ preventScroll: true }); return; }
    }
    if (current) {
      if (allowed === undefined) throw new Error(t('admin.not_editable'));
      if (allowed) body = Object.fromEntries(Object.entries(body).filter(([k]) => allowed.includes(k)));
      saved = await api(`/api/v1/elections/${current.id}`, { method: 'PATCH', body });
    } else {
      saved = await api('/api/v1/elections', { method: 'POST', body });
    }
    flash(t('admin.saved', { id: saved.id }));
    await loadList();
    await openElection(saved.id);
  } catch (err) {
    const fieldErr = err instanceof FieldError ? err : serverFieldError(err);
    if (fieldErr?.field) { showFieldError(fieldErr); return; }
    announce(errorBox, err.status ? errorText(err) : err.message, 'error');
    errorBox.scrollIntoView({ block: 'center' });
  }
});

$('#add-question').addEventListener('click', () => addQuestion());
$('#cancel-edit').addEventListener('click', () => closeEditor());
$('#new-election')?.addEventListener('click', () => {
  current = null;
  history.replaceState(null, '', '/admin');
  fillForm(null);
  $('#editor-section').hidden = false;
  $('#manage-sections').hidden = true;
  $('#editor-h').textContent = t('admin.new_election');
  $('#f-id').focus();
});

function closeEditor() {
  current = null;
  clearTimeout(pollTimer);
  history.replaceState(null, '', '/admin');
  $('#editor-section').hidden = true;
  $('#manage-sections').hidden = true;
  $('#list-section').hidden = false;
}

// --- one election ------------------------------------------------------------------------------
async function openElection(id) {
  try {
    current = await api(`/api/v1/elections/${id}`);
  } catch (err) {
    flash(errorText(err), 'error');
    return;
  }
  history.replaceState(null, '', `/admin?election=${encodeURIComponent(id)}`);
  fillForm(current);
  $('#elig-mode').value = current.roll_mode || 'list';
  showLatestRollCheck(current).catch((err) => announce($('#roll-check-status'), errorText(err), 'error'));
  $('#policy-json').value = '';
  delete $('#policy-json').dataset.dirty;
  announce($('#policy-result'), '');
  announce($('#invite-result'), '');
  announce($('#admin-revote-result'), '');
  $('#invite-rows').replaceChildren();
  $('#invite-table').hidden = true;
  $('#invite-copy-all').hidden = true;
  $('#editor-h').textContent = t('admin.editing', { id });
  $('#editor-section').hidden = false;
  $('#manage-sections').hidden = false;
  await Promise.all([refreshManage(), loadRules()]);
  $('#roll-query').value = '';
  await loadRoll(0);
  $('#editor-h').focus?.();
}

// --- the roll view: who is on the roll (eligible or not, and why), searched, 50 at a time ----
const ROLL_PAGE = 50;
let rollOffset = 0;

async function loadRoll(offset = rollOffset) {
  if (!current) return;
  rollOffset = Math.max(0, offset);
  const query = new URLSearchParams({ q: $('#roll-query').value.trim(), offset: String(rollOffset), limit: String(ROLL_PAGE) });
  try {
    const page = await api(`/api/v1/elections/${current.id}/roll?${query}`);
    $('#roll-rows').replaceChildren(...page.voters.map((v) => el('tr', { 'data-user': v.username },
      el('td', { text: v.username }),
      el('td', { text: v.eligible ? t('admin.roll_yes') : t('admin.roll_no') }),
      el('td', { text: (v.reasons || []).join('; ') || '—' }),
      el('td', { text: shortTime(v.added_at) }))));
    const shown = page.voters.length ? t('admin.roll_shown', { from: rollOffset + 1, to: rollOffset + page.voters.length }) : '';
    $('#roll-summary').textContent = [
      page.query ? t('admin.roll_matched', { matched: page.matched, query: page.query }) : '',
      t('admin.roll_total', { total: page.total, eligible: page.eligible }), shown].filter(Boolean).join(' ');
    $('#roll-prev').disabled = rollOffset === 0;
    $('#roll-next').disabled = rollOffset + page.voters.length >= page.matched;
  } catch (err) {
    $('#roll-summary').textContent = errorText(err);
  }
}

$('#roll-search').addEventListener('submit', (event) => { event.preventDefault(); loadRoll(0); });
$('#roll-prev').addEventListener('click', () => loadRoll(rollOffset - ROLL_PAGE));
$('#roll-next').addEventListener('click', () => loadRoll(rollOffset + ROLL_PAGE));

function renderPhase() {
  const phase = current.phase;
  $('#phase-name').textContent = phaseName(phase);
  const id = encodeURIComponent(current.id);
  $('#election-links').replaceChildren(
    el('a', { href: `/elections/${id}`, text: t('admin.link.booth') }),
    el('a', { href: `/elections/${id}/trustee`, text: t('admin.link.trustee') }),
    el('a', { href: `/scrutiny/${id}`, text: t('admin.link.scrutiny') }),
    el('a', { href: `/elections/${id}/results`, text: t('admin.link.results') }));
  $('#pause-reason').textContent = current.pause_reason ? t('admin.pause_reason', { reason: current.pause_reason })
    : current.open_blocked ? t('admin.open_blocked') : '';
  const visible = {
    'freeze-button': phase === 'draft',
    'pause-button': phase === 'open',
    'resume-button': phase === 'paused',
    'close-button': phase === 'open' || phase === 'paused',
    'tally-button': phase === 'closed',
    'scrutiny-button': phase === 'closed',
    'seal-button': phase === 'scrutiny',
    'change-section': phase === 'open' || phase === 'paused',
    'extend-box': phase === 'open' || phase === 'paused',
    'restart-ceremony': phase === 'key_ceremony',
    'back-to-draft': phase === 'key_ceremony',
    'policy-form': phase === 'draft',
    'policy-draft-only': phase !== 'draft',
    'admin-revote-form': phase === 'open' || phase === 'paused',
    'admin-revote-closed': phase !== 'open' && phase !== 'paused',
    'wiki-results-box': phase === 'published',
    'wiki-announce-box': phase !== 'draft',
  };
  for (const [id, on] of Object.entries(visible)) $(`#${id}`).hidden = !on;
  $('#extend-timezone').value = current.schedule?.timezone || 'UTC';
}

async function refreshManage() {
  if (!current) return;
  clearTimeout(pollTimer);
  try {
    current = await api(`/api/v1/elections/${current.id}`);
  } catch (err) { flash(errorText(err), 'error'); return; }
  renderPhase();
  await Promise.all([loadRoles(), loadCeremony(), loadAudit(), loadOutbox()]);
  if (['key_ceremony', 'ready', 'tallying'].includes(current.phase)) pollTimer = setTimeout(refreshManage, 2000);
}

async function loadRoles() {
  try {
    const roles = await api(`/api/v1/elections/${current.id}/roles`);
    $('#role-rows').replaceChildren(...roles.map((r) => el('tr', { 'data-role': r.role, 'data-user': r.username },
      el('td', { text: r.username }),
      el('td', { text: t(`role.${r.role}`) }),
      el('td', { class: 'role-jurisdiction', text: r.jurisdiction || '—' }),
      el('td', { class: 'role-flags' }, (r.flags || []).length ? r.flags.flatMap((f, i) => [i ? ', ' : '', el('code', { text: f })]) : '—'),
      el('td', {}, el('button', {
        type: 'button', class: 'link', text: t('admin.remove'),
        'aria-label': t('admin.remove_role', { name: r.username, role: t(`role.${r.role}`) }),
        onclick: () => act(`/roles/${r.role}/${encodeURIComponent(r.username)}`, null, 'DELETE'),
      })))));
  } catch (err) { $('#role-rows').replaceChildren(el('tr', {}, el('td', { colspan: 5, text: errorText(err) }))); }
}

async function loadCeremony() {
  const box = $('#ceremony');
  if (current.phase === 'draft') { box.replaceChildren(el('p', { text: t('admin.ceremony_not_started') })); return; }
  try {
    const c = await api(`/api/v1/elections/${current.id}/ceremony`);
    const done = c.trustees.filter((tr) => tr.status === 'confirmed').length;
    box.replaceChildren(
      el('p', { id: 'ceremony-summary', text: t('admin.ceremony_summary', { round: c.round, done, n: c.trustees.length, threshold: c.threshold }) }),
      el('table', { class: 'data' },
        el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: '#' }), el('th', { scope: 'col', text: t('label.trustee') }), el('th', { scope: 'col', text: t('label.fingerprint') }), el('th', { scope: 'col', text: t('label.status') }))),
        // The fingerprints are what the committee publishes on the wiki for trustees to compare.
        el('tbody', {}, c.trustees.map((tr) => el('tr', {}, el('td', { text: String(tr.index) }), el('td', { text: tr.username }),
          el('td', {}, tr.fingerprint ? el('code', { class: 'fingerprint', text: tr.fingerprint }) : '—'),
          el('td', { text: t(`ceremony.status.${tr.status}`) }))))),
      ...c.complaints.map((x) => el('p', { class: 'error', text: t('admin.complaint', { from: x.complainant_index, against: x.accused_index, reason: x.reason }) })),
      c.public_key ? el('p', {}, t('trustee.election_key'), ' ', el('code', { class: 'mono', text: c.public_key })) : '',
    );
  } catch (err) { box.replaceChildren(el('p', { class: 'error', text: errorText(err) })); }
}

async function loadAudit() {
  try {
    const log = await api(`/api/v1/elections/${current.id}/audit`);
    $('#audit-head').textContent = t('admin.audit_head', { hash: log.head })
      + (log.verification && !log.verification.ok ? ` — ${log.verification.problems.map((p) => p.problem).join('; ')}` : '');
    fillPolicy(log.entries);
    $('#audit-rows').replaceChildren(...log.entries.slice().reverse().map((e) => el('tr', {},
      el('td', { text: String(e.seq) }), el('td', { text: shortTime(e.at) }), el('td', { text: e.actor }),
      el('td', {}, el('code', { text: e.action })), el('td', { class: 'mono', text: JSON.stringify(e.detail) }))));
  } catch (err) { $('#audit-rows').replaceChildren(el('tr', {}, el('td', { colspan: 5, text: errorText(err) }))); }
}

async function act(path, body, method = 'POST') {
  try {
    await api(`/api/v1/elections/${current.id}${path}`, { method, body });
    flash(t('admin.done'));
  } catch (err) {
    flash(errorText(err), 'error');
  }
  await refreshManage();
  await loadList();
}

/** Ask first (confirm.<name>_title / _body / the button): what cannot be undone. Cancel
 * sends nothing. */
async function confirmed(name, vars = {}, details = []) {
  const ok = await confirmAction({
    title: t(`confirm.${name}_title`, vars), body: t(`confirm.${name}_body`, vars),
    confirm: t(`confirm.${name}`, vars), details,
  });
  if (!ok) flash(t('confirm.cancelled'));
  return ok;
}

const reason = () => ({ reason: $('#action-reason').value.trim() });
$('#freeze-button').addEventListener('click', async () => {
  if (await confirmed('freeze')) await act('/freeze');
});
$('#pause-button').addEventListener('click', () => act('/pause', reason()));
$('#resume-button').addEventListener('click', () => act('/resume', reason()));
$('#close-button').addEventListener('click', async () => {
  const body = reason();
  if (await confirmed('close', {}, body.reason ? [t('confirm.reason', { reason: body.reason })] : [])) await act('/close', body);
});
$('#tally-button').addEventListener('click', async () => {
  if (await confirmed('tally')) await act('/tally/start');
});
$('#scrutiny-button').addEventListener('click', () => act('/scrutiny/start'));
$('#seal-button').addEventListener('click', async () => {
  if (await confirmed('tally')) await act('/scrutiny/seal');
});
$('#change-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const replacement = texts($$('.change-name'));
  const body = {
    question: Number($('#change-question').value) - 1, position: Number($('#change-position').value) - 1,
    replacement: Object.keys(replacement).length ? replacement : null,
    reason: $('#change-reason').value.trim(), old_ballots: $('#change-old').value,
  };
  const vars = { question: body.question + 1, position: body.position + 1 };
  const name = current?.questions?.[body.question]?.candidates?.find((c) => c.position === body.position)?.name;
  const details = [
    t('confirm.change_candidate', { name: name ? localized(name, current.default_language) : `#${vars.position}` }),
    body.replacement ? t('confirm.change_replacement', { name: localized(body.replacement, current.default_language) }) : t('confirm.change_withdraw'),
    t(body.old_ballots === 'strike' ? 'confirm.change_old_strike' : 'confirm.change_old_keep'),
  ];
  if (!(await confirmed('change', vars, details))) return;
  try {
    await api(`/api/v1/elections/${current.id}/candidates/change`, { method: 'POST', body });
    flash(t('admin.done'));
    await refreshManage();
    await loadList();
  } catch (err) {
    // Keeping old ballots while swapping in a candidate makes a slot of only later ballots:
    // the server refuses until the committee has read why and confirms (anonymity guard).
    if (err instanceof ApiError && err.code === 'small_slots' && await confirmAction({ title: t('confirm.small_slots_title'), body: t('admin.small_slots', { detail: err.detail }), confirm: t('confirm.change', vars) })) {
      await act('/candidates/change', { ...body, acknowledge_small_slots: true });
    } else {
      flash(errorText(err), 'error');
    }
  }
});
$('#restart-ceremony').addEventListener('click', () => act('/ceremony/restart', reason()));
$('#back-to-draft').addEventListener('click', () => act('/ceremony/back-to-draft', reason()));
$('#extend-button').addEventListener('click', () => {
  if (!$('#extend-end').value) { flash(t('admin.need_end'), 'error'); return; }
  act('/extend', { end: $('#extend-end').value, timezone: $('#extend-timezone').value, ...reason() });
});
$('#role-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const username = $('#role-user').value.trim();
  const body = { username, role: $('#role-kind').value };
  if ($('#role-jurisdiction').value.trim()) body.jurisdiction = $('#role-jurisdiction').value.trim();
  const flags = $('#role-flags').value.split(',').map((f) => f.trim()).filter(Boolean);
  if ($('#role-pii').checked) flags.unshift('pii');
  if (flags.length) body.flags = [...new Set(flags)];
  $('#role-user').value = '';
  $('#role-jurisdiction').value = '';
  $('#role-flags').value = '';
  $('#role-pii').checked = false;
  $('#role-user').focus();
  await act('/roles', body);
});

// --- role policy (draft only) ---------------------------------------------------------------
// There is no GET for the policy: the page shows the last one saved, from the audit log.
function fillPolicy(entries) {
  const box = $('#policy-json');
  if (box.dataset.dirty) return;
  const last = entries.filter((e) => e.action === 'role_policy.set').pop();
  const policy = last?.detail?.policy;
  box.value = policy && Object.keys(policy).length ? JSON.stringify(policy, null, 2) : '';
}
$('#policy-json').addEventListener('input', () => { $('#policy-json').dataset.dirty = '1'; });
$('#policy-use-example').addEventListener('click', () => {
  $('#policy-json').value = $('#policy-example').textContent;
  $('#policy-json').dataset.dirty = '1';
  $('#policy-json').focus();
});
$('#policy-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const result = $('#policy-result');
  let policy = {};
  try {
    const text = $('#policy-json').value.trim();
    policy = text ? JSON.parse(text) : {};
    if (!policy || typeof policy !== 'object' || Array.isArray(policy)) throw new Error('{…}');
  } catch (err) {
    announce(result, t('admin.policy_json', { detail: err.message }), 'error');
    return;
  }
  try {
    await api(`/api/v1/elections/${current.id}/role-policy`, { method: 'PUT', body: { policy } });
    announce(result, t('admin.policy_saved'), 'ok');
    delete $('#policy-json').dataset.dirty;
  } catch (err) {
    announce(result, errorText(err), 'error');
  }
  await loadAudit();
});

// --- invitation links ---------------------------------------------------------------------
function lines(selector) {
  return $(selector).value.split('\n').map((s) => s.trim()).filter(Boolean);
}

async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    flash(t('admin.copied'));
  } catch {
    input?.select();
    flash(t('admin.copy_failed'), 'warn');
  }
}

let inviteLinks = {};
$('#invite-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const usernames = lines('#invite-users');
  if (!usernames.length) { announce($('#invite-result'), t('admin.need_usernames'), 'error'); return; }
  try {
    const { links, invitations } = await api(`/api/v1/elections/${current.id}/invitations`, { method: 'POST', body: { usernames } });
    inviteLinks = links;
    const ids = Object.fromEntries(invitations.map((i) => [i.username, i.id]));
    $('#invite-rows').replaceChildren(...Object.entries(links).map(([name, url]) => {
      const input = el('input', { type: 'text', readonly: true, value: url, class: 'mono invite-link', 'aria-label': t('admin.link_of', { name }) });
      const row = el('tr', { 'data-user': name },
        el('td', { text: name }),
        el('td', {}, input),
        el('td', {}, el('button', {
          type: 'button', class: 'link', text: t('admin.copy'), 'aria-label': t('admin.copy_named', { name }),
          onclick: () => copyText(url, input),
        }), ' ', el('button', {
          type: 'button', class: 'link invite-revoke', text: t('admin.revoke_link'), 'aria-label': t('admin.revoke_named', { name }),
          onclick: () => revokeInvitation(row, name, ids[name]),
        })));
      return row;
    }));
    $('#invite-table').hidden = false;
    $('#invite-copy-all').hidden = false;
    announce($('#invite-result'), t('admin.invite_result', { count: Object.keys(links).length }), 'ok');
  } catch (err) {
    announce($('#invite-result'), errorText(err), 'error');
  }
  await loadAudit();
});
async function revokeInvitation(row, name, id) {
  try {
    await api(`/api/v1/elections/${current.id}/invitations/${encodeURIComponent(id)}`, { method: 'DELETE' });
    delete inviteLinks[name];
    row.remove();
    announce($('#invite-result'), t('admin.link_revoked', { name }), 'ok');
  } catch (err) {
    announce($('#invite-result'), errorText(err), 'error');
  }
  await loadAudit();
}
$('#invite-copy-all').addEventListener('click', () => {
  copyText(Object.entries(inviteLinks).map(([name, url]) => `${name}\t${url}`).join('\n'));
});

// --- re-vote invitations and the outbox ------------------------------------------------------
$('#admin-revote-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const usernames = lines('#admin-revote-users');
  if (!usernames.length) { announce($('#admin-revote-result'), t('admin.need_usernames'), 'error'); return; }
  try {
    const result = await api(`/api/v1/elections/${current.id}/revote-invitations`, {
      method: 'POST', body: { usernames, reason: $('#admin-revote-reason').value.trim() },
    });
    announce($('#admin-revote-result'), t('scrutiny.invited', { count: result.invited.length }), 'ok');
    $('#admin-revote-users').value = '';
  } catch (err) {
    announce($('#admin-revote-result'), errorText(err), 'error');
  }
  await Promise.all([loadOutbox(), loadAudit()]);
});

/** What became of a message: sent, given up, retrying, waiting… (`status` of GET /outbox). */
function delivery(m) {
  if (m.status === 'sent') return el('span', { class: 'ok', text: t('admin.outbox.sent', { time: shortTime(m.sent_at) }) });
  if (m.status === 'failed') return el('span', { class: 'error', text: t('admin.outbox.given_up') });
  if (m.status === 'skipped') return el('span', { text: t('admin.outbox.skipped') });
  if (m.status === 'unknown') return el('span', { class: 'warn', text: t('admin.outbox.unknown') });
  if (m.status === 'sending') return el('span', { class: 'warn', text: t('admin.outbox.sending') });
  return el('span', { class: 'warn', text: m.attempts ? t('admin.outbox.retrying') : t('admin.outbox.pending') });
}

async function loadOutbox() {
  if (!current) return;
  try {
    const { messages } = await api(`/api/v1/elections/${current.id}/outbox`);
    $('#outbox-count').textContent = messages.length ? t('admin.outbox.count', { count: messages.length }) : t('admin.outbox.empty');
    $('#outbox-rows').replaceChildren(...messages.slice().reverse().map((m) => el('tr', {
      'data-recipient': m.recipient, 'data-channel': m.channel, 'data-state': m.status,
    },
    el('td', { text: shortTime(m.created_at) }),
    el('td', { text: m.recipient }),
    el('td', {}, el('code', { text: m.channel })),
    el('td', {}, el('details', {}, el('summary', { text: m.subject }), el('pre', { class: 'outbox-body', text: m.body }))),
    el('td', { class: 'outbox-delivery' }, delivery(m)),
    el('td', { class: 'outbox-attempts', text: String(m.attempts) }),
    el('td', { class: 'outbox-error' }, m.last_error ? el('code', { text: m.last_error }) : '—'),
    el('td', { class: 'outbox-next', text: m.next_attempt_at ? shortTime(m.next_attempt_at) : '—' }))));
  } catch (err) {
    $('#outbox-count').textContent = '';
    $('#outbox-rows').replaceChildren(el('tr', {}, el('td', { colspan: 8, text: errorText(err) })));
  }
}
$('#outbox-refresh').addEventListener('click', () => loadOutbox());
$('#roll-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const usernames = $('#roll-users').value.split('\n').map((s) => s.trim()).filter(Boolean);
  try {
    const r = await api(`/api/v1/elections/${current.id}/roll`, { method: 'POST', body: { usernames, mode: $('#roll-mode').value } });
    const done = t('admin.roll_result', { added: r.added, removed: r.removed, total: r.total });
    const rejected = (r.rejected || []).map((x) => `${x.entry} (${x.reason})`).join('; ');
    announce($('#roll-result'), rejected ? `${done} ${t('admin.roll_rejected', { list: rejected })}` : done,
      rejected ? 'error' : 'ok');
    $('#roll-users').value = '';
  } catch (err) { announce($('#roll-result'), errorText(err), 'error'); }
  await loadRoll(0);
  await loadAudit();
});

// --- eligibility rules: the builder writes the JSON, the JSON fills the builder ------------------
const builder = $('#rule-builder-fields');
let rulesBase = {};   // the last JSON read: keys the builder does not know are kept

function clearRuleErrors() {
  for (const node of $$('#elig-form .field-error')) node.remove();
  for (const node of $$('#elig-form [aria-invalid]')) node.removeAttribute('aria-invalid');
}

function ruleError(node, text) {
  fieldMessage(node, text);
  node.scrollIntoView({ block: 'center' });
  node.focus({ preventScroll: true });
}

/** Builder → JSON; a builder error is shown next to its field (the JSON is left as it was). */
function syncJson() {
  clearRuleErrors();
  try {
    const doc = toRules(readBuilder(builder), rulesBase);
    const empty = !Object.keys(doc.rules).length && Object.keys(doc).length === 1;
    $('#elig-rules').value = empty ? '' : JSON.stringify(doc, null, 2);
    return true;
  } catch (err) {
    if (!(err instanceof RuleFieldError)) throw err;
    fieldMessage(fieldFor(builder, err.path), err.message);
    return false;
  }
}

/** JSON → builder (when the expert leaves the box). */
function syncBuilder() {
  clearRuleErrors();
  const text = $('#elig-rules').value.trim();
  try {
    rulesBase = text ? JSON.parse(text) : {};
  } catch (err) {
    fieldMessage($('#elig-rules'), t('admin.rules_json', { detail: err.message }));
    return false;
  }
  fillBuilder(builder, fromRules(rulesBase));
  return true;
}

/** The rules and roll mode as saved (`GET /eligibility`) into the JSON box and the builder. */
async function loadRules() {
  clearRuleErrors();
  announce($('#elig-result'), '');
  try {
    const saved = await api(`/api/v1/elections/${current.id}/eligibility`);
    $('#elig-mode').value = saved.roll_mode;
    $('#elig-rules').value = saved.rules ? JSON.stringify(saved.rules, null, 2) : '';
  } catch (err) {
    $('#elig-rules').value = '';
    announce($('#elig-result'), errorText(err), 'error');
  }
  if (builder) syncBuilder();
}

if (builder) {
  builder.append(...builderFields());
  builder.addEventListener('input', syncJson);
  builder.addEventListener('change', syncJson);
  $('#elig-rules').addEventListener('change', syncBuilder);
}

$('#elig-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  clearRuleErrors();
  let rules = null;
  try {
    const text = $('#elig-rules').value.trim();
    rules = text ? JSON.parse(text) : null;
  } catch (err) {
    ruleError($('#elig-rules'), t('admin.rules_json', { detail: err.message }));
    return;
  }
  try {
    await api(`/api/v1/elections/${current.id}/eligibility`, { method: 'PUT', body: { roll_mode: $('#elig-mode').value, rules } });
    flash(t('admin.done'));
    announce($('#elig-result'), t('admin.rules_saved'), 'ok');
  } catch (err) {
    // The server names the field in the error's `field` ("rules.edits_before.date"): shown next to it.
    const path = err instanceof ApiError && err.code === 'invalid_rules' ? err.field : null;
    const node = (path && path !== 'rules' && fieldFor(builder, path)) || $('#elig-rules');
    ruleError(node, errorText(err));
  }
  await refreshManage();
});

function previewUsers() {
  return $('#preview-users').value.split('\n').map((s) => s.trim()).filter(Boolean);
}

$('#preview-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const entries = await api(`/api/v1/elections/${current.id}/roll/preview`, { method: 'POST', body: { usernames: previewUsers() } });
    const yes = entries.filter((e) => e.eligible).length;
    announce($('#preview-result'), t('admin.preview_result', { eligible: yes, total: entries.length }), 'ok');
    $('#preview-rows').replaceChildren(...entries.map((e) => el('tr', {},
      el('td', { text: e.user }),
      el('td', { text: e.eligible === null ? '?' : e.eligible ? t('admin.yes') : t('admin.no') }),
      el('td', {}, el('ul', {}, e.reasons.map((r) => el('li', { text: r })))))));
  } catch (err) {
    announce($('#preview-result'), errorText(err), 'error');
  }
});
$('#freeze-roll').addEventListener('click', async () => {
  const usernames = previewUsers();
  const names = usernames.slice(0, 10);
  if (usernames.length > 10) names.push(t('confirm.more', { count: usernames.length - 10 }));
  if (!(await confirmed('roll_freeze', { count: usernames.length }, names))) return;
  try {
    await followRollCheck(current.id, await api(`/api/v1/elections/${current.id}/roll/freeze`,
      { method: 'POST', body: { usernames } }));
  } catch (err) {
    announce($('#roll-check-status'), errorText(err), 'error');
  }
});

/** The server's worker checks a frozen roll against the wiki (a large roll takes minutes):
 * show its progress until it ends, while this election stays open on the page. */
async function followRollCheck(electionId, check) {
  const status = $('#roll-check-status');
  const base = `/api/v1/elections/${electionId}/roll/checks`;
  while (check.status === 'queued' || check.status === 'running') {
    announce(status, t('admin.roll_check_progress', { checked: check.checked, total: check.total }));
    await new Promise((resume) => { setTimeout(resume, 1000); });
    if (current?.id !== electionId) return;
    check = await api(`${base}/${check.id}`);
  }
  if (current?.id !== electionId) return;
  if (check.status === 'done') {
    announce(status, t('admin.roll_check_done', { eligible: check.eligible, total: check.total }));
    await refreshManage();
    await loadRoll(0);
  } else {
    announce(status, errorText(new ApiError(409, check.error, check.detail)), 'error');
  }
}

/** On opening a frozen-roll election: the last roll check, followed if it still runs. */
async function showLatestRollCheck(election) {
  announce($('#roll-check-status'), '');
  if (election.roll_mode !== 'frozen') return;
  const { checks } = await api(`/api/v1/elections/${election.id}/roll/checks?limit=1`);
  if (checks.length) await followRollCheck(election.id, checks[0]);
}

async function main() {
  if (!$('#election-rows')) return;
  await loadList();
  const wanted = new URLSearchParams(location.search).get('election');
  if (wanted) await openElection(wanted);
  document.body.dataset.adminReady = '1';
}

main();

// --- the wiki: results on a page, announcements to the roll (the server's bot does the edits) --
async function publishResults(dryRun) {
  const status = $('#wiki-results-status');
  const page = $('#wiki-results-page').value.trim();
  if (!page) { announce(status, t('admin.wiki_need_page'), 'error'); return; }
  try {
    const r = await api(`/api/v1/elections/${current.id}/wiki/results`, {
      method: 'POST', body: { page, dry_run: dryRun, force: $('#wiki-results-force').checked } });
    $('#wiki-results-text').hidden = !dryRun;
    $('#wiki-results-text').textContent = dryRun ? r.text : '';
    if (dryRun) {
      announce(status, r.changed_since_publish && !$('#wiki-results-force').checked
        ? t('admin.wiki_changed', { detail: r.changed_since_publish })
        : t('admin.wiki_preview', { action: t(`admin.wiki_action.${r.action}`), page: r.page }), r.changed_since_publish ? 'error' : 'ok');
    } else {
      announce(status, r.nochange ? t('admin.wiki_unchanged', { page: r.page })
        : t('admin.wiki_published', { page: r.page, revid: r.revid }), 'ok');
    }
  } catch (err) { announce(status, errorText(err), 'error'); }
  await loadAudit();
}
$('#wiki-results-preview').addEventListener('click', () => publishResults(true));
$('#wiki-results-publish').addEventListener('click', () => publishResults(false));

async function announceOnWiki(dryRun) {
  const status = $('#wiki-announce-status');
  const subject = $('#wiki-announce-subject').value.trim();
  const text = $('#wiki-announce-body').value.trim();
  if (!subject || !text) { announce(status, t('admin.wiki_need_message'), 'error'); return; }
  const lang = current.default_language;
  const body = { subject: { [lang]: subject }, body: { [lang]: text }, dry_run: dryRun, limit: 20 };
  const path = `/api/v1/elections/${current.id}/wiki/announce`;
  const button = $('#wiki-announce-send');
  button.disabled = true;
  try {
    let r = await api(path, { method: 'POST', body });
    if (dryRun) {
      announce(status, t('admin.announce_preview', { n: r.would_send.length, channel: r.channel }), 'ok');
      return;
    }
    body.since = r.since;
    for (;;) {  // progress after every batch; stops when everyone was reached (or tried)
      announce(status, t('admin.announce_progress', { channel: r.channel, ...r.counts, remaining: r.remaining }),
        r.counts.failed || r.counts.unknown ? 'error' : 'ok');
      if (r.remaining === 0 || r.deliveries.length === 0) break;
      r = await api(path, { method: 'POST', body });
    }
  } catch (err) { announce(status, errorText(err), 'error'); } finally { button.disabled = false; }
  await Promise.all([loadOutbox(), loadAudit()]);
}
$('#wiki-announce-preview').addEventListener('click', () => announceOnWiki(true));
$('#wiki-announce-send').addEventListener('click', () => announceOnWiki(false));
