// Results (bars drawn as inline SVG, no chart library) and the public board explorer.
import { $, api, el, errorText, localized, phaseName, shortTime, t } from './common.js';

const electionId = document.body.dataset.election;
const defaultLanguage = document.body.dataset.defaultLanguage || 'en';
const base = `/api/v1/elections/${encodeURIComponent(electionId)}`;
const SVG = 'http://www.w3.org/2000/svg';
let election = null;

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const child of children) node.append(child);
  return node;
}

/** One horizontal bar: segments [{value, cls, label}], optional threshold line at a fraction. */
function bar(segments, total, threshold, label) {
  const image = svg('svg', { viewBox: '0 0 1000 40', preserveAspectRatio: 'none', role: 'img', 'aria-label': label });
  let x = 0;
  for (const seg of segments) {
    const width = total ? (1000 * seg.value) / total : 0;
    if (width > 0) image.append(svg('rect', { x, y: 0, width, height: 40, class: seg.cls }, svg('title', {}, document.createTextNode(seg.label))));
    x += width;
  }
  if (threshold !== null && threshold !== undefined) {
    const tx = 1000 * threshold;
    image.append(svg('line', { x1: tx, x2: tx, y1: -2, y2: 42, class: 'threshold-line' }));
  }
  return el('div', { class: 'bar' }, image);
}

/** A function naming a question's candidates in the page's language: the result names them in
 * the election's default language, the election's own definition in every language (matched by
 * position). */
function namer(question, source) {
  const translated = new Map((source?.candidates || []).map((c) => [c.position, c.name]));
  return (c) => localized(translated.get(c.position) ?? c.name, defaultLanguage);
}

/** A candidate the anonymity guard withheld: listed by fewer than min_contributors ballots. */
function withheldRow(c, name) {
  const text = c.withdrawn ? `${t('results.withdrawn')}; ${t('results.too_few')}` : t('results.too_few');
  return el('div', { class: 'bar-row candidate-result withheld', 'data-position': c.position },
    el('div', { class: 'bar-label', text: name }),
    el('div', { class: 'bar-figures' }, el('span', { class: 'verdict-withheld', text })));
}

function soncQuestion(question, source) {
  const nameOf = namer(question, source);
  const rule = question.pass_rule || {};
  const threshold = Number(rule.threshold_percent ?? 70);
  const comparison = rule.comparison === '>' ? '>' : '≥';
  const rows = question.candidates.map((c) => {
    const name = nameOf(c);
    if (c.too_few_ballots) return withheldRow(c, name);
    const decided = c.support + c.oppose;
    const figures = t('results.sonc_figures', {
      support: c.support, oppose: c.oppose, neutral: c.neutral ?? '—',
      percent: c.percent === null || c.percent === undefined ? '—' : `${c.percent}%`,
    });
    const verdict = c.withdrawn ? t('results.withdrawn') : c.passed ? t('results.passed') : t('results.failed');
    return el('div', { class: 'bar-row candidate-result', 'data-position': c.position },
      el('div', { class: 'bar-label', text: name }),
      bar([{ value: c.support, cls: 'seg-support', label: `${t('label.support')}: ${c.support}` },
        { value: c.oppose, cls: 'seg-oppose', label: `${t('label.oppose')}: ${c.oppose}` }],
      decided, threshold / 100, `${name}: ${figures}`),
      el('div', { class: 'bar-figures' }, figures, ' — ',
        el('span', { class: c.passed ? 'verdict-pass' : 'verdict-fail', text: verdict })));
  });
  const head = [t('results.col_candidate'), t('label.support'), t('label.oppose'), t('results.col_neutral'), t('results.col_percent'), t('results.col_result')];
  const cells = question.candidates.map((c) => {
    const name = nameOf(c);
    if (c.too_few_ballots) return [name, '—', '—', '—', '—', t('results.too_few')];
    const verdict = c.withdrawn ? t('results.withdrawn') : elected(question, c) ? t('results.elected') : c.passed ? t('results.passed') : t('results.failed');
    return [name, String(c.support), String(c.oppose), String(c.neutral ?? '—'), percentText(c.percent), verdict];
  });
  return [
    el('p', { class: 'legend' },
      el('span', {}, el('span', { class: 'swatch support' }), t('label.support')),
      el('span', {}, el('span', { class: 'swatch oppose' }), t('label.oppose')),
      el('span', {}, el('span', { class: 'swatch threshold' }), t('results.threshold', { comparison, percent: threshold }))),
    el('p', { class: 'note', text: t('results.sonc_note') }),
    chartAndTable(rows, resultTable(t('results.table_caption'), head, cells)),
  ];
}

/** A percentage as the result gives it (the election's display rule: rounded, truncated, or
 * enwiki's ">99" / "<1"), never recomputed here. */
function percentText(percent) {
  return percent === null || percent === undefined ? '—' : `${percent}%`;
}

function elected(question, c) {
  return Boolean(question.seats && (question.elected || []).includes(c.position));
}

/** The figures as a table (readable by a screen reader, copyable), in a keyboard-scrollable box. */
function resultTable(caption, head, rows) {
  const table = el('table', { class: 'data result-table' },
    el('caption', { text: caption }),
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((c, i) => (i === 0 ? el('th', { scope: 'row', text: c }) : el('td', { text: c })))))));
  return el('div', { class: 'scroll result-table-box', tabindex: '0', role: 'region', 'aria-label': caption }, table);
}

/** The chart and the table side by side (stacked on a narrow screen). */
function chartAndTable(rows, table) {
  return el('div', { class: 'chart-and-table' }, el('div', { class: 'chart' }, ...rows), table);
}

function selectionQuestion(question, source) {
  const nameOf = namer(question, source);
  const total = Math.max(1, ...question.candidates.map((c) => c.votes ?? 0));
  const elected = new Set(question.elected || []);
  const cells = question.candidates.map((c) => {
    const name = nameOf(c);
    if (c.too_few_ballots) return [name, '—', t('results.too_few')];
    const verdict = c.withdrawn ? t('results.withdrawn') : elected.has(c.position) ? t('results.elected') : '—';
    return [name, String(c.votes), verdict];
  });
  const table = resultTable(t('results.table_caption'), [t('results.col_option'), t('results.col_votes'), t('results.col_result')], cells);
  const rows = question.candidates.map((c) => {
    const name = nameOf(c);
    if (c.too_few_ballots) return withheldRow(c, name);
    const figures = t('results.votes', { votes: c.votes });
    return el('div', { class: 'bar-row candidate-result', 'data-position': c.position },
      el('div', { class: 'bar-label', text: name }),
      bar([{ value: c.votes, cls: 'seg-votes', label: figures }], total, null, `${name}: ${figures}`),
      el('div', { class: 'bar-figures' }, figures,
        elected.has(c.position) ? el('span', { class: 'verdict-pass', text: ` — ${t('results.elected')}` }) : ''));
  });
  return [chartAndTable(rows, table)];
}

const METHOD_KEYS = { meek: 'results.method.meek', 'meek-openstv': 'results.method.meek_openstv', 'scottish-stv': 'results.method.scottish_stv', irv: 'results.method.irv', schulze: 'results.method.schulze', debian: 'results.method.debian' };

/** A table in a keyboard-scrollable box (wide counts scroll sideways on a phone). */
function scrollTable(caption, head, rows) {
  const table = el('table', { class: 'data count-table' },
    el('caption', { text: caption }),
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((c, i) => (i === 0 ? el('th', { scope: 'row', text: c }) : el('td', { text: c })))))));
  return el('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': caption }, table);
}

/** A ranked question: winners, every round of an STV/IRV count, or the pairwise matrix of a
 * Condorcet count, a chart, and the anonymous rankings as BLT (anyone can recount). */
function rankedQuestion(question, qi, source) {
  const display = new Map();
  const count = question.count;
  // The result names candidates in the election's default language; the election's own
  // definition has every language (matched by position).
  const translated = new Map((source?.candidates || []).map((c) => [c.position, c.name]));
  question.candidates.forEach((c, i) => {
    const shown = localized(translated.get(c.position) ?? c.name, defaultLanguage);
    display.set(String(count?.candidates?.[i] ?? shown), shown);
  });
  const name = (n) => display.get(String(n)) ?? String(n);
  const method = t(METHOD_KEYS[question.method] || 'results.method.other', { method: question.method });
  const parts = [el('p', { class: 'count-method', text: t('results.ranked_summary', { method, seats: question.seats ?? 1, count: question.ballots_counted, invalid: question.invalid ?? 0 }) })];
  if (question.too_few_ballots) return [...parts, el('p', { class: 'verdict-withheld', text: t('results.too_few') })];
  if (!count) return [...parts, el('p', { text: t('results.ranked_empty') })];
  const winners = (count.elected || count.winners || []).map(name);
  parts.push(el('p', { class: 'ranked-winners' }, el('strong', { text: t('results.ranked_winners', { names: winners.join(', ') || '—' }) })));
  if (count.unfilled_seats) parts.push(el('p', { class: 'warn', text: t('results.unfilled', { seats: count.unfilled_seats }) }));
  if (Array.isArray(count.rounds) && count.rounds.length) {
    const names = count.candidates.filter((n) => !(count.withdrawn || []).includes(n));
    const last = count.rounds[count.rounds.length - 1];
    const top = Math.max(1, ...names.map((n) => Number(last.votes?.[n] ?? 0)), Number(last.quota ?? 0));
    parts.push(el('p', { text: t('results.final_round', { round: last.round, quota: last.quota ?? count.quota }) }));
    for (const n of names) {
      const votes = Number(last.votes?.[n] ?? 0);
      const label = `${name(n)}: ${last.votes?.[n] ?? '0'}`;
      parts.push(el('div', { class: 'bar-row candidate-result', 'data-candidate': n },
        el('div', { class: 'bar-label', text: name(n) }),
        bar([{ value: votes, cls: 'seg-votes', label }], top, Number(last.quota ?? 0) / top, label),
        el('div', { class: 'bar-figures', text: last.votes?.[n] ?? '0' })));
    }
    const head = [t('results.round'), t('results.quota'), ...names.map(name), t('results.exhausted'), t('results.decided')];
    const rows = count.rounds.map((r) => {
      const cells = names.map((n) => {
        let text = r.votes?.[n] ?? '—';
        if (r.transfers?.[n] !== undefined) text += ` (${String(r.transfers[n]).startsWith('-') ? '' : '+'}${r.transfers[n]})`;
        if (r.keep_factors?.[n] !== undefined) text += ` ${t('results.keep_factor', { k: r.keep_factors[n] })}`;
        return text;
      });
      const decided = [...(r.elected || []).map((n) => t('results.round_elected', { name: name(n) })),
        ...(r.eliminated || []).map((n) => t('results.round_excluded', { name: name(n) }))].join('; ');
      return [String(r.round), String(r.quota ?? count.quota ?? '—'), ...cells, String(r.exhausted ?? '—'), decided || '—'];
    });
    parts.push(scrollTable(t('results.rounds_caption'), head, rows));
  }
  if (count.pairwise) {
    const names = count.candidates.filter((n) => !(count.withdrawn || []).includes(n));
    const rows = names.map((a) => [name(a), ...names.map((b) => (a === b ? '—' : String(count.pairwise[a]?.[b] ?? 0)))]);
    parts.push(scrollTable(t('results.pairwise_caption'), [t('results.pairwise_corner'), ...names.map(name)], rows));
    if (count.ranking) parts.push(el('p', { text: t('results.condorcet_ranking', { ranking: count.ranking.map((group) => group.map(name).join(' = ')).join(' > ') }) }));
    if (count.tie) parts.push(el('p', { class: 'warn', text: t('results.condorcet_tie') }));
  }
  for (const tie of count.ties || []) {
    parts.push(el('p', { class: 'note tie-break', text: t('results.tie_broken', { purpose: tie.purpose, tied: (tie.tied || []).map(name).join(', '), chosen: name(tie.chosen), method: tie.method }) }));
  }
  if (question.ballots) {
    parts.push(el('p', {}, el('a', { href: `${base}/results/${qi}.blt`, download: `${electionId}-question-${qi}.blt`, text: t('results.blt') })));
  }
  return parts;
}

/** Ballots counted against the roll size (both public: the count in the result, the size on
 * the board); the rate is rounded to 0.1. */
function turnoutText(result) {
  const size = Number(result.roll_size || 0);
  if (!size) return t('results.counted', { count: result.ballots_counted });
  const percent = (Math.round((1000 * result.ballots_counted) / size) / 10).toFixed(1);
  return t('results.turnout', { count: result.ballots_counted, size, percent });
}

function renderResult(result) {
  const parts = [el('p', { id: 'ballots-counted', text: turnoutText(result) })];
  result.questions.forEach((question, i) => {
    const source = election?.questions?.[i];
    const titleOf = question.title ?? source?.title;
    const title = titleOf ? localized(titleOf, defaultLanguage) : t('results.question', { n: i + 1 });
    const section = el('section', { class: 'result-question', 'aria-label': title }, el('h3', { text: title }));
    const body = question.kind === 'sonc' ? soncQuestion(question, source)
      : question.kind === 'ranked' ? rankedQuestion(question, i, source) : selectionQuestion(question, source);
    section.append(...body);
    if (question.kind !== 'ranked' && question.seats && question.elected) {
      const nameOf = namer(question, source);
      const names = question.elected.map((p) => nameOf(question.candidates.find((c) => c.position === p) || { position: p }));
      section.append(el('p', { text: t('results.elected_list', { seats: question.seats, names: names.join(', ') || '—' }) }));
    }
    if (question.tie) section.append(el('p', { class: 'warn', text: t('results.tie', { seats: question.tie.seats }) }));
    if (question.withheld?.length) section.append(el('p', { class: 'note', text: t('results.withheld_note', { k: result.min_contributors }) }));
    parts.push(section);
  });
  $('#results').replaceChildren(...parts);
  $('#downloads').hidden = false;
}

// Phases in which a result exists: before them the page does not ask (no 404 in the console).
const RESULT_PHASES = new Set(['published']);

async function loadResults() {
  try {
    election = await api(base);
    $('#phase').textContent = phaseName(election.phase);
  } catch { /* the page itself was rendered, so the election exists */ }
  const phase = election?.phase ?? document.body.dataset.phase;
  if (phase && !RESULT_PHASES.has(phase)) {
    $('#results').replaceChildren(el('p', { text: t('results.not_yet') }));
    return;
  }
  try {
    renderResult(await api(`${base}/results`));
  } catch (err) {
    const text = err.status === 404 || err.status === 409 ? t('results.not_yet') : errorText(err);
    $('#results').replaceChildren(el('p', { text }));
  }
}

// --- board explorer: one readable, translated row per event (the payload on demand), a page
// of PAGE events at a time (the API pages with ?after=SEQ&limit=N) -----------------------------
const PAGE = 25;
let pageStarts = [0];   // the `after` of every page shown so far (Previous goes back one)
const seenTypes = new Set();

const by = (p) => t(p.by === 'schedule' ? 'board.by_schedule' : 'board.by_committee');
const trustee = (p) => (p.index ?? '?');
const withReason = (text, p) => (p.reason ? `${text} ${t('board.reason', { reason: p.reason })}` : text);

/** What happened, in words, from the event's type and payload (unknown types: the type). */
const DESCRIBE = {
  ceremony_started: (p) => t('board.ev.ceremony_started', { round: p.round ?? 1, threshold: p.threshold, trustees: p.trustees, size: p.roll?.size ?? '—' }),
  returned_to_draft: (p) => withReason(t('board.ev.returned_to_draft'), p),
  trustee_joined: (p) => t('board.ev.trustee_joined', { index: trustee(p) }),
  trustee_commitment_hash: (p) => t('board.ev.trustee_commitment_hash', { index: trustee(p) }),
  trustee_commitments: (p) => t('board.ev.trustee_commitments', { index: trustee(p) }),
  trustee_shares_sent: (p) => t('board.ev.trustee_shares_sent', { index: trustee(p) }),
  trustee_confirmed: (p) => t('board.ev.trustee_confirmed', { index: trustee(p) }),
  ceremony_complaint: (p) => t('board.ev.ceremony_complaint', { index: trustee(p) }),
  election_setup: (p) => t('board.ev.election_setup', { version: p.manifest?.definition_version ?? 1 }),
  ballot_definition: (p) => withReason(t('board.ev.ballot_definition', { version: p.version ?? '?' }), p),
  opened: (p) => t('board.ev.opened', { by: by(p) }),
  paused: (p) => withReason(t('board.ev.paused', { by: by(p) }), p),
  resumed: (p) => withReason(t('board.ev.resumed', { by: by(p) }), p),
  closed: (p) => withReason(t('board.ev.closed', { by: by(p) }), p),
  extended: (p) => withReason(t('board.ev.extended', { end: p.end_utc ? shortTime(p.end_utc) : '—' }), p),
  schedule_changed: (p) => t('board.ev.schedule_changed', { start: p.start_utc ? shortTime(p.start_utc) : '—', end: p.end_utc ? shortTime(p.end_utc) : '—' }),
  roll_published: (p) => t('board.ev.roll_published', { size: p.size ?? '—' }),
  credential_registered: () => t('board.ev.credential_registered'),
  credential_replaced: () => t('board.ev.credential_replaced'),
  credentials_published: (p) => t('board.ev.credentials_published', { count: p.count ?? (p.credentials || []).length }),
  ballot_cast: (p) => t('board.ev.ballot_cast', { tracker: p.tracker ?? '' }),
  ballot_struck: (p) => t('board.ev.ballot_struck', { count: p.count ?? (p.trackers || []).length }),
  ballot_unstruck: (p) => t('board.ev.ballot_unstruck', { count: p.count ?? (p.trackers || []).length }),
  revote_invited: (p) => t('board.ev.revote_invited', { count: p.count ?? 0 }),
  scrutiny_started: () => t('board.ev.scrutiny_started'),
  tally_started: (p) => t('board.ev.tally_started', { struck: Object.values(p.struck_by_reason || {}).reduce((a, b) => a + Number(b || 0), 0) }),
  encrypted_tally: (p) => t('board.ev.encrypted_tally', { count: (p.counted || []).length }),
  mix: (p) => t('board.ev.mix', { index: trustee(p), question: Number(p.question ?? 0) + 1 }),
  decryption_share: (p) => t('board.ev.decryption_share', { index: trustee(p) }),
  result: (p) => t('board.ev.result', { count: p.result?.ballots_counted ?? '—' }),
  audit_head: (p) => t('board.ev.audit_head', { count: p.count ?? '—' }),
};

function describeEvent(event) {
  const describe = DESCRIBE[event.type];
  try {
    if (describe) return describe(event.payload || {});
  } catch { /* an unexpected payload: fall back to the type */ }
  return t('board.ev.other', { type: event.type });
}

function typeName(type) {
  return DESCRIBE[type] ? t(`board.type.${type}`) : type;
}

/** The filter lists every event type the page knows (and any other type it meets). */
function addType(type) {
  if (seenTypes.has(type)) return;
  seenTypes.add(type);
  $('#board-filter').append(el('option', { value: type, text: typeName(type) }));
}
Object.keys(DESCRIBE).forEach(addType);

function eventRow(event) {
  const payload = JSON.stringify(event.payload ?? {}, null, 2);
  const details = el('details', { class: 'payload' },
    el('summary', { text: t('board.payload') }),
    el('p', {}, t('board.hash'), ' ', el('code', { class: 'mono', text: event.hash })),
    el('pre', { class: 'mono scroll', tabindex: '0', text: payload }));
  return el('tr', { id: `event-${event.seq}`, 'data-tracker': event.payload?.tracker || '', 'data-type': event.type },
    el('td', { text: String(event.seq) }),
    el('td', { text: shortTime(event.at) }),
    el('td', { class: 'event-what' }, el('span', { class: 'event-type', text: typeName(event.type) }), el('br'),
      el('span', { class: 'event-text', text: describeEvent(event) }), details));
}

async function loadBoard(direction = 'reset') {
  if (direction === 'reset') pageStarts = [0];
  else if (direction === 'prev' && pageStarts.length > 1) pageStarts.pop();
  const type = $('#board-filter').value;
  const query = new URLSearchParams({ after: String(pageStarts[pageStarts.length - 1]), limit: String(PAGE) });
  if (type) query.set('type', type);
  try {
    const page = await api(`${base}/board?${query}`);
    if (direction === 'next' && !page.events.length) { pageStarts.pop(); $('#board-next').disabled = true; return; }
    for (const event of page.events) addType(event.type);
    $('#board-rows').replaceChildren(...page.events.map(eventRow));
    const first = page.events[0]?.seq;
    const last = page.events[page.events.length - 1]?.seq;
    $('#board-page').textContent = page.events.length
      ? t(type ? 'board.page_filtered' : 'board.page', { from: first, to: last, count: page.head?.events ?? page.head?.seq ?? '?' })
      : t('board.empty');
    $('#board-prev').disabled = pageStarts.length <= 1;
    $('#board-next').disabled = page.events.length < PAGE;
    $('#board-next').dataset.after = String(last ?? 0);
    $('#board-head').textContent = page.head?.hash || '';
    $('#board-count').textContent = page.head ? t('results.board_events', { count: page.head.events ?? page.head.seq }) : '';
  } catch (err) {
    $('#board-count').textContent = errorText(err);
  }
}

$('#board-filter').addEventListener('change', () => loadBoard('reset'));
$('#board-prev').addEventListener('click', () => loadBoard('prev'));
$('#board-next').addEventListener('click', () => {
  pageStarts.push(Number($('#board-next').dataset.after || 0));
  loadBoard('next');
});
$('#tracker-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const tracker = $('#tracker-input').value.trim().toLowerCase();
  const out = $('#tracker-result');
  if (!/^[0-9a-f]{64}$/.test(tracker)) { out.textContent = t('results.tracker_format'); out.className = 'error'; return; }
  try {
    // The public look-up says only that the ballot is on the board: whether it still counts is
    // shown to its voter alone, on their own page (a coercer holding a receipt learns nothing).
    const found = await api(`${base}/trackers/${tracker}`);
    out.className = 'ok';
    out.textContent = t('results.tracker_found', { seq: found.board_seq, time: shortTime(found.at) });
  } catch (err) {
    out.className = 'error';
    out.textContent = err.status === 404 ? t('results.tracker_unknown') : errorText(err);
  }
});

async function refreshHead() {
  try {
    const head = await api(`${base}/board/head`);
    $('#board-head').textContent = head.hash || '';
  } catch { /* shown by loadBoard */ }
}

loadResults();
/** The short code of the fingerprint the trustees confirmed (crypto/fingerprint.js), to compare with the wiki. */
async function showFingerprintCode() {
  try {
    const page = await api(`${base}/board?type=election_setup&limit=1`);
    const setup = page.events[0];
    if (!setup) return;
    const { fingerprintCode } = await import('./crypto/fingerprint.js');
    $('#fingerprint-code').textContent = fingerprintCode(setup.payload.fingerprint);
    $('#fingerprint-line').hidden = false;
  } catch { /* the board explorer shows the error */ }
}

loadBoard('reset').then(refreshHead);
showFingerprintCode();

// ?tracker=… (the booth receipt's board link): look that tracker up on arrival.
const askedTracker = new URLSearchParams(location.search).get('tracker');
if (askedTracker) {
  $('#tracker-input').value = askedTracker;
  $('#tracker-form').requestSubmit();
}
