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

function renderResult(result) {
  const parts = [el('p', { id: 'ballots-counted', text: t('results.counted', { count: result.ballots_counted }) })];
  result.questions.forEach((question, i) => {
    const source = election?.questions?.[i];
    const title = source ? localized(source.title, defaultLanguage) : t('results.question', { n: i + 1 });
    const section = el('section', { class: 'result-question', 'aria-label': title }, el('h3', { text: title }));
    section.append(...(question.kind === 'sonc' ? soncQuestion(question, source) : selectionQuestion(question)));
    if (question.seats && question.elected) {
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
