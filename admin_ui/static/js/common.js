// Shared helpers of the pages: translations, the JSON API, DOM building, times and downloads.
const catalogue = JSON.parse(document.getElementById('scrutin-i18n')?.textContent || '{}');

/** The UI language (en, zh-hans, zh-hant). */
export const lang = document.body.dataset.lang || 'en';
/** The logged-in user's name, or '' when nobody is logged in. */
export const user = document.body.dataset.user || '';
const LOCALE = { en: 'en', 'zh-hans': 'zh-Hans-CN', 'zh-hant': 'zh-Hant-TW' }[lang] || 'en';

/** A translated UI string; `%(name)s` placeholders are filled from `vars`. */
export function t(key, vars = {}) {
  const text = catalogue[key] ?? key;
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(vars[name] ?? '')).replace(/%%/g, '%');
}

/** A per-election text in the UI language, else the election's default language, else any. */
export function localized(texts, defaultLanguage = 'en') {
  if (!texts) return '';
  // A plain string is already the name (results carry names as given); indexing it as a
  // per-language dictionary gave its first letter.
  if (typeof texts === 'string') return texts;
  return texts[lang] || texts[defaultLanguage] || Object.values(texts)[0] || '';
}

export class ApiError extends Error {
  /** `field`: the request field the error is about (`rules.need_groups[0]`), when the server
   *  names one; the detail is translated, the field never is. */
  constructor(status, code, detail, field = null) {
    super(detail || code);
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.field = field;
  }
}

/** Calls the JSON API with the session cookie; writes send X-Scrutin-Request: 1 (CSRF). */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-Scrutin-Request'] = '1';
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  const text = await response.text();
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!response.ok) {
    throw new ApiError(response.status, data?.error || 'http_error', data?.detail || response.statusText,
      typeof data?.field === 'string' ? data.field : null);
  }
  return data;
}

/** A readable message for any error (API errors show their detail). */
/** The whole public board of an election (`base` = /api/v1/elections/{id}), following pages. */
export async function fetchBoard(base) {
  const events = [];
  for (;;) {
    const page = await api(`${base}/board?after=${events.length ? events[events.length - 1].seq : 0}&limit=1000`);
    events.push(...page.events);
    if (page.events.length < 1000) return events;
  }
}

export function errorText(err) {
  if (err instanceof ApiError) return t('error.api', { detail: err.detail || err.code });
  return t('error.generic', { detail: err?.message || String(err) });
}

/** el('p', {class: 'x', text: 'hi'}, child, ...) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** A UTC ISO time in the browser's time zone, in the UI language. */
export function localTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(LOCALE, { dateStyle: 'full', timeStyle: 'long' }).format(new Date(iso));
}

export function shortTime(iso) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(LOCALE, { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
}

export function browserZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Fills every .local-time[data-time] / time.local-time[datetime] with the browser-zone time. */
export function fillLocalTimes(root = document) {
  for (const node of $$('.local-time', root)) {
    const iso = node.dataset.time || node.getAttribute('datetime');
    if (iso) node.textContent = localTime(iso);
  }
}

export function phaseName(phase) {
  return t(`phase.${phase}`);
}

/** Points a link at a JSON (or text) download made in the browser. */
export function setDownload(link, content, filename, type = 'application/json') {
  const text = typeof content === 'string' ? content : JSON.stringify(content, null, 2);
  if (link.dataset.objectUrl) URL.revokeObjectURL(link.dataset.objectUrl);
  const url = URL.createObjectURL(new Blob([text], { type }));
  link.dataset.objectUrl = url;
  link.href = url;
  link.download = filename;
  link.hidden = false;
}

export function show(node, visible = true) {
  node.hidden = !visible;
}

/** Puts the text in a live region (screen readers announce it). */
export function announce(node, text, cls = '') {
  node.textContent = text;
  node.className = cls;
}

fillLocalTimes();

/** Ask before an action that cannot (all) be undone: a modal <dialog> — the focus moves into
 * it (on Cancel, the safe choice) and stays there, Escape cancels — that says what the action
 * does and what cannot be undone. Resolves true only when the confirm button is pressed; the
 * focus returns to where it was. `details`: lines listed under the text (e.g. what is struck). */
export function confirmAction({ title, body, confirm, details = [] }) {
  let dialog = document.getElementById('confirm-dialog');
  if (!dialog) {
    dialog = el('dialog', { id: 'confirm-dialog', class: 'confirm-dialog', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-body' },
      el('h2', { id: 'confirm-title' }),
      el('div', { id: 'confirm-body' }),
      el('div', { class: 'dialog-buttons' },
        el('button', { type: 'button', id: 'confirm-cancel', text: t('confirm.cancel') }),
        el('button', { type: 'button', id: 'confirm-ok', class: 'danger' })));
    document.body.append(dialog);
  }
  const before = document.activeElement;
  dialog.querySelector('#confirm-title').textContent = title;
  dialog.querySelector('#confirm-body').replaceChildren(
    ...String(body).split('\n').map((line) => el('p', { text: line })),
    details.length ? el('ul', {}, details.map((d) => el('li', { text: d }))) : '');
  const ok = dialog.querySelector('#confirm-ok');
  const cancel = dialog.querySelector('#confirm-cancel');
  ok.textContent = confirm;
  return new Promise((resolve) => {
    const finish = (answer) => {
      ok.onclick = null; cancel.onclick = null; dialog.oncancel = null;
      if (dialog.open) dialog.close();
      if (before && typeof before.focus === 'function') before.focus();
      resolve(answer);
    };
    ok.onclick = () => finish(true);
    cancel.onclick = () => finish(false);
    dialog.oncancel = (event) => { event.preventDefault(); finish(false); };
    dialog.showModal();
    cancel.focus();
  });
}
