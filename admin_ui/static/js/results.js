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

/** A candidate the anonymity guard withheld: listed by fewer than min_contributors ballots. */
function withheldRow(c, name) {
  const text = c.withdrawn ? `${t('results.withdrawn')}; ${t('results.too_few')}` : t('results.too_few');
  return el('div', { class: 'bar-row candidate-result withheld', 'data-position': c.position },
    el('div', { class: 'bar-label', text: name }),
    el('div', { class: 'bar-figures' }, el('span', { class: 'verdict-withheld', text })));
}

function soncQuestion(question, source) {
  const rule = question.pass_rule || {};
  const threshold = Number(rule.threshold_percent ?? 70);
  const comparison = rule.comparison === '>' ? '>' : '≥';
  const rows = question.candidates.map((c) => {
    const name = localized(c.name, defaultLanguage);
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
  return [
    el('p', { class: 'legend' },
      el('span', {}, el('span', { class: 'swatch support' }), t('label.support')),
      el('span', {}, el('span', { class: 'swatch oppose' }), t('label.oppose')),
      el('span', {}, el('span', { class: 'swatch threshold' }), t('results.threshold', { comparison, percent: threshold }))),
    el('p', { class: 'note', text: t('results.sonc_note') }),
    ...rows,
  ];
}

function selectionQuestion(question) {
  const total = Math.max(1, ...question.candidates.map((c) => c.votes ?? 0));
  const elected = new Set(question.elected || []);
  return question.candidates.map((c) => {
    const name = localized(c.name, defaultLanguage);
    if (c.too_few_ballots) return withheldRow(c, name);
    const figures = t('results.votes', { votes: c.votes });
    return el('div', { class: 'bar-row candidate-result', 'data-position': c.position },
      el('div', { class: 'bar-label', text: name }),
      bar([{ value: c.votes, cls: 'seg-votes', label: figures }], total, null, `${name}: ${figures}`),
      el('div', { class: 'bar-figures' }, figures,
        elected.has(c.position) ? el('span', { class: 'verdict-pass', text: ` — ${t('results.elected')}` }) : ''));
  });
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

function renderResult(result) {
  const parts = [el('p', { id: 'ballots-counted', text: t('results.counted', { count: result.ballots_counted }) })];
  result.questions.forEach((question, i) => {
    const source = election?.questions?.[i];
    const title = source ? localized(source.title, defaultLanguage) : t('results.question', { n: i + 1 });
    const section = el('section', { class: 'result-question', 'aria-label': title }, el('h3', { text: title }));
    const body = question.kind === 'sonc' ? soncQuestion(question, source)
      : question.kind === 'ranked' ? rankedQuestion(question, i, source) : selectionQuestion(question);
    section.append(...body);
    if (question.kind !== 'ranked' && question.seats && question.elected) {
      const names = question.elected.map((p) => localized(question.candidates.find((c) => c.position === p)?.name, defaultLanguage));
      section.append(el('p', { text: t('results.elected_list', { seats: question.seats, names: names.join(', ') || '—' }) }));
    }
    if (question.tie) section.append(el('p', { class: 'warn', text: t('results.tie', { seats: question.tie.seats }) }));
    if (question.withheld?.length) section.append(el('p', { class: 'note', text: t('results.withheld_note', { k: result.min_contributors }) }));
    parts.push(section);
  });
  $('#results').replaceChildren(...parts);
  $('#downloads').hidden = false;
}

async function loadResults() {
  try {
    election = await api(base);
    $('#phase').textContent = phaseName(election.phase);
  } catch { /* the page itself was rendered, so the election exists */ }
  try {
    renderResult(await api(`${base}/results`));
  } catch (err) {
    const text = err.status === 404 || err.status === 409 ? t('results.not_yet') : errorText(err);
    $('#results').replaceChildren(el('p', { text }));
  }
}

// --- board explorer --------------------------------------------------------------------------
let after = 0;
const seenTypes = new Set();

function summary(event) {
  const p = event.payload || {};
  if (p.tracker) return `tracker ${p.tracker}`;
  if (p.credential) return `credential ${p.credential}`;
  if (p.reason) return p.reason;
  const text = JSON.stringify(p);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

async function loadBoard(reset = false) {
  const rows = $('#board-rows');
  if (reset) { after = 0; rows.replaceChildren(); }
  const type = $('#board-filter').value;
  const query = new URLSearchParams({ after: String(after), limit: '100' });
  if (type) query.set('type', type);
  try {
    const page = await api(`${base}/board?${query}`);
    for (const event of page.events) {
      after = Math.max(after, event.seq);
      if (!seenTypes.has(event.type)) {
        seenTypes.add(event.type);
        $('#board-filter').append(el('option', { value: event.type, text: event.type }));
      }
      rows.append(el('tr', { id: `event-${event.seq}`, 'data-tracker': event.payload?.tracker || '' },
        el('td', { text: String(event.seq) }), el('td', { text: shortTime(event.at) }),
        el('td', { text: event.type }), el('td', { text: summary(event) }),
        el('td', { class: 'mono', text: event.hash })));
    }
    $('#board-more').hidden = page.events.length < 100;
    $('#board-head').textContent = page.head?.hash || '';
    $('#board-count').textContent = page.head ? t('results.board_events', { count: page.head.events ?? page.head.seq }) : '';
  } catch (err) {
    $('#board-count').textContent = errorText(err);
  }
}

$('#board-filter').addEventListener('change', () => loadBoard(true));
$('#board-more').addEventListener('click', () => loadBoard(false));
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

loadBoard(true).then(refreshHead);
showFingerprintCode();

// ?tracker=… (the booth receipt's board link): look that tracker up on arrival.
const askedTracker = new URLSearchParams(location.search).get('tracker');
if (askedTracker) {
  $('#tracker-input').value = askedTracker;
  $('#tracker-form').requestSubmit();
}
