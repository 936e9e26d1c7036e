// The eligibility rule builder: SecurePoll's terms (edits before / between dates, registration
// date, not blocked, not a bot, in groups, on lists, on wikis) as form fields that write the same
// rules JSON as app/eligibility/rules.py reads; the JSON stays editable for experts and fills the
// builder back. Pure functions (toRules / fromRules) plus the form they drive.
import { el, t } from './common.js';

/** [path, kind, message key]: kind number | date | text | lines | list | check | block */
export const FIELDS = [
  ['wiki', 'text', 'rb.wiki'],
  ['rules.min_edits', 'number', 'rb.min_edits'],
  ['rules.edits_before.count', 'number', 'rb.edits_before_count'],
  ['rules.edits_before.date', 'date', 'rb.edits_before_date'],
  ['rules.edits_before.namespaces', 'list', 'rb.namespaces'],
  ['rules.edits_between.count', 'number', 'rb.edits_between_count'],
  ['rules.edits_between.start', 'date', 'rb.edits_between_start'],
  ['rules.edits_between.end', 'date', 'rb.edits_between_end'],
  ['rules.edits_between.namespaces', 'list', 'rb.namespaces'],
  ['rules.registered_before', 'date', 'rb.registered_before'],
  ['rules.not_blocked.scope', 'block', 'rb.not_blocked'],
  ['rules.not_blocked.global_threshold', 'number', 'rb.global_threshold'],
  ['rules.not_locked', 'check', 'rb.not_locked'],
  ['rules.not_bot', 'check', 'rb.not_bot'],
  ['rules.need_groups', 'list', 'rb.need_groups'],
  ['rules.need_global_groups', 'list', 'rb.need_global_groups'],
  ['rules.allow_groups', 'list', 'rb.allow_groups'],
  ['rules.need_list', 'lines', 'rb.need_list'],
  ['rules.include', 'lines', 'rb.include'],
  ['rules.exclude', 'lines', 'rb.exclude'],
  ['message', 'text', 'rb.message'],
];
const KNOWN_RULES = ['min_edits', 'edits_before', 'edits_between', 'registered_before', 'not_blocked', 'not_locked', 'not_bot', 'need_groups', 'need_global_groups', 'allow_groups', 'need_list', 'include', 'exclude'];

/** An error tied to a builder path (shown next to its field). */
export class RuleFieldError extends Error {
  constructor(path, text) { super(text); this.path = path; }
}

const split = (text, sep) => text.split(sep).map((s) => s.trim()).filter(Boolean);

function number(values, path) {
  const raw = String(values[path] ?? '').trim();
  if (!raw) return undefined;
  if (!/^\d+$/.test(raw)) throw new RuleFieldError(path, t('rb.need_number'));
  return Number(raw);
}

/** The rules document from the builder's values ({path: string | boolean}); keys of `base`
 * the builder does not know (e.g. "version", or a future rule) are kept as they are. */
export function toRules(values, base = {}) {
  const doc = Object.fromEntries(Object.entries(base).filter(([k]) => !['wiki', 'message', 'rules'].includes(k)));
  const rules = Object.fromEntries(Object.entries(base.rules || {}).filter(([k]) => !KNOWN_RULES.includes(k)));
  const text = (path) => String(values[path] ?? '').trim();
  if (text('wiki')) doc.wiki = text('wiki');
  if (text('message')) doc.message = text('message');
  const min = number(values, 'rules.min_edits');
  if (min !== undefined) rules.min_edits = min;
  for (const [name, dates] of [['edits_before', ['date']], ['edits_between', ['start', 'end']]]) {
    const count = number(values, `rules.${name}.count`);
    const given = dates.filter((d) => text(`rules.${name}.${d}`));
    const namespaces = split(text(`rules.${name}.namespaces`), ',');
    if (count === undefined && !given.length && !namespaces.length) continue;
    if (count === undefined) throw new RuleFieldError(`rules.${name}.count`, t('rb.need_count'));
    for (const d of dates) if (!text(`rules.${name}.${d}`)) throw new RuleFieldError(`rules.${name}.${d}`, t('rb.need_date'));
    const window = { count };
    for (const d of dates) window[d] = text(`rules.${name}.${d}`);
    if (name === 'edits_between' && window.end <= window.start) throw new RuleFieldError(`rules.${name}.end`, t('rb.end_after_start'));
    if (namespaces.length) {
      if (namespaces.some((n) => !/^-?\d+$/.test(n))) throw new RuleFieldError(`rules.${name}.namespaces`, t('rb.need_namespaces'));
      window.namespaces = namespaces.map(Number);
    }
    rules[name] = window;
  }
  if (text('rules.registered_before')) rules.registered_before = text('rules.registered_before');
  const scope = text('rules.not_blocked.scope');
  const threshold = number(values, 'rules.not_blocked.global_threshold');
  if (scope) rules.not_blocked = threshold === undefined ? scope : { scope, global_threshold: threshold };
  else if (threshold !== undefined) throw new RuleFieldError('rules.not_blocked.scope', t('rb.need_scope'));
  if (values['rules.not_locked']) rules.not_locked = true;
  if (values['rules.not_bot']) rules.not_bot = true;
  for (const name of ['need_groups', 'need_global_groups', 'allow_groups']) {
    const groups = split(text(`rules.${name}`), ',');
    if (groups.length) rules[name] = groups;
  }
  for (const name of ['need_list', 'include', 'exclude']) {
    const users = split(text(`rules.${name}`), '\n');
    if (users.length) rules[name] = users;
  }
  doc.rules = rules;
  return doc;
}

/** The builder's values from a rules document (the inverse of toRules). */
export function fromRules(doc) {
  const values = {};
  const r = doc?.rules || {};
  values.wiki = doc?.wiki || '';
  values.message = doc?.message || '';
  values['rules.min_edits'] = r.min_edits ?? '';
  for (const [name, dates] of [['edits_before', ['date']], ['edits_between', ['start', 'end']]]) {
    const w = r[name] || {};
    values[`rules.${name}.count`] = w.count ?? '';
    for (const d of dates) values[`rules.${name}.${d}`] = String(w[d] ?? '').slice(0, 10);
    values[`rules.${name}.namespaces`] = (w.namespaces || []).join(', ');
  }
  values['rules.registered_before'] = String(r.registered_before ?? '').slice(0, 10);
  const block = r.not_blocked;
  values['rules.not_blocked.scope'] = typeof block === 'string' ? block : block?.scope || '';
  values['rules.not_blocked.global_threshold'] = typeof block === 'object' && block ? block.global_threshold ?? '' : '';
  values['rules.not_locked'] = Boolean(r.not_locked);
  values['rules.not_bot'] = Boolean(r.not_bot);
  for (const name of ['need_groups', 'need_global_groups', 'allow_groups']) values[`rules.${name}`] = (r[name] || []).join(', ');
  for (const name of ['need_list', 'include', 'exclude']) values[`rules.${name}`] = (r[name] || []).join('\n');
  return values;
}

const inputId = (path) => `rb-${path.replace(/\./g, '-')}`;

/** The builder's form fields, each with a label (and ids rb-<path with dashes>). */
export function builderFields() {
  return FIELDS.map(([path, kind, key]) => {
    const id = inputId(path);
    let input;
    if (kind === 'check') {
      return el('div', { class: 'field check' }, el('input', { type: 'checkbox', id, 'data-path': path }), el('label', { for: id, text: t(key) }));
    }
    if (kind === 'block') {
      input = el('select', { id, 'data-path': path },
        el('option', { value: '', text: t('rb.block_none') }),
        el('option', { value: 'sitewide', text: t('rb.block_sitewide') }),
        el('option', { value: 'any', text: t('rb.block_any') }));
    } else if (kind === 'lines') {
      input = el('textarea', { id, 'data-path': path, rows: '3', spellcheck: 'false' });
    } else {
      input = el('input', { id, 'data-path': path, type: kind === 'number' ? 'number' : kind === 'date' ? 'date' : 'text', min: kind === 'number' ? '0' : null, inputmode: kind === 'number' ? 'numeric' : null, spellcheck: 'false' });
    }
    return el('div', { class: 'field' }, el('label', { for: id, text: t(key) }), input);
  });
}

export function readBuilder(root) {
  const values = {};
  for (const node of root.querySelectorAll('[data-path]')) values[node.dataset.path] = node.type === 'checkbox' ? node.checked : node.value;
  return values;
}

export function fillBuilder(root, values) {
  for (const node of root.querySelectorAll('[data-path]')) {
    const v = values[node.dataset.path];
    if (node.type === 'checkbox') node.checked = Boolean(v);
    else node.value = v ?? '';
  }
}

/** The builder field for an error's dotted path (the `field` of the server's `invalid_rules`). */
export function fieldFor(root, path) {
  let p = path.replace(/\[\d+\]/g, '');  // "rules.need_groups[0]" is the need_groups field
  while (p) {
    const node = root.querySelector(`[data-path="${CSS.escape(p)}"]`) || root.querySelector(`[data-path^="${CSS.escape(p)}."]`);
    if (node) return node;
    p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '';
  }
  return null;
}
