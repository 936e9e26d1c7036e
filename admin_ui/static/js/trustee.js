// The trustee page: the key ceremony and the tally decryption, done in this browser.
// The key file (the same format as `scrutin trustee ceremony --key-file`) lives in this
// browser's storage and in the file the trustee downloads; only public commitments, sealed
// shares and decryption shares with proofs are sent to the server.
import { $, api, announce, el, errorText, phaseName, setDownload, show, t, user } from './common.js';

const electionId = document.body.dataset.election;
const base = `/api/v1/elections/${encodeURIComponent(electionId)}`;
const storageKey = `scrutin:trustee:${electionId}:${user}`;
const stepButton = $('#step-button');
const errorBox = $('#trustee-error');
let crypto = null;
let state = JSON.parse(localStorage.getItem(storageKey) || '{}');
let status = null;
let tally = null;
let pollTimer = null;

function save() {
  state.version = 1;
  state.election_id = electionId;
  localStorage.setItem(storageKey, JSON.stringify(state));
  renderKeyFile();
}

function renderKeyFile() {
  const link = $('#keyfile-download');
  if (!state.box_private) {
    $('#keyfile-state').textContent = t('trustee.no_key_file');
    link.hidden = true;
    return;
  }
  $('#keyfile-state').textContent = state.secret_share ? t('trustee.key_complete')
    : t('trustee.key_in_progress');
  setDownload(link, state, `scrutin-trustee-${electionId}-${user}.json`);
}

$('#keyfile-load').addEventListener('change', async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  try {
    const loaded = JSON.parse(await file.text());
    if (loaded.election_id !== electionId || !loaded.box_private) throw new Error(t('trustee.wrong_key_file'));
    state = loaded;
    save();
    announce(errorBox, '', 'error');
    await refresh();
  } catch (err) {
    announce(errorBox, err.message || errorText(err), 'error');
  }
});

function shareContext(sender, recipient) {
  return `${status.context}/share/${sender}->${recipient}`;
}

function mine() {
  return status?.trustees.find((tr) => tr.username === user) || null;
}

const STEPS = {
  async join() {
    const box = crypto.boxKeypair();
    const result = await api(`${base}/ceremony/join`, { method: 'POST', body: { encryption_key: box.publicKey } });
    Object.assign(state, { index: result.index, context: result.context, box_private: box.privateKey });
    save();
  },
  async commit() {
    requireKey();
    const polynomial = crypto.newPolynomial(status.threshold);
    const proofs = crypto.commitmentProofs(polynomial, state.context);
    state.coefficients = polynomial.coefficients;
    save();  // before sending: a reload must not lose the polynomial
    await api(`${base}/ceremony/commitments`, {
      method: 'POST', body: { commitments: polynomial.commitments, proofs },
    });
  },
  async send() {
    requireKey();
    const me = state.index;
    const shares = {};
    for (const trustee of status.trustees) {
      if (trustee.index === me) continue;
      shares[trustee.index] = crypto.sealShare(trustee.encryption_key,
        crypto.shareFor(state.coefficients, trustee.index), shareContext(me, trustee.index));
    }
    await api(`${base}/ceremony/shares`, { method: 'POST', body: { shares } });
  },
  async verify() {
    requireKey();
    const me = state.index;
    const received = (await api(`${base}/ceremony/shares`)).shares;
    const parts = [crypto.shareFor(state.coefficients, me)];
    const complaints = [];
    for (const trustee of status.trustees) {
      if (trustee.index === me) continue;
      try {
        const share = crypto.openShare(state.box_private, received[String(trustee.index)],
          shareContext(trustee.index, me));
        crypto.verifyShare(trustee.commitments, me, share);
        parts.push(share);
      } catch (err) {
        complaints.push({ accused_index: trustee.index, reason: `share does not verify: ${err.message}` });
      }
    }
    await api(`${base}/ceremony/verify`, { method: 'POST', body: { complaints } });
    if (!complaints.length) {
      state.secret_share = crypto.addShares(parts);
      delete state.coefficients;  // no longer needed; keeping it would only add risk
      save();
    }
  },
};

function requireKey() {
  if (!state.box_private || state.index === undefined) throw new Error(t('trustee.need_key_file'));
}

function nextStep(me) {
  const all = status.trustees;
  const allPast = (...states) => all.every((tr) => !states.includes(tr.status));
  switch (me.status) {
    case 'invited': return ['join', t('trustee.step.join')];
    case 'joined': return ['commit', t('trustee.step.commit')];
    case 'committed':
      return allPast('invited', 'joined') ? ['send', t('trustee.step.send')] : [null, t('trustee.wait.commitments')];
    case 'shared':
      return allPast('invited', 'joined', 'committed') ? ['verify', t('trustee.step.verify')]
        : [null, t('trustee.wait.shares')];
    case 'verified': return [null, t('trustee.wait.others')];
    case 'complained': return [null, t('trustee.complained')];
    default: return [null, ''];
  }
}

function renderCeremony() {
  const box = $('#ceremony-status');
  const me = mine();
  const rows = status.trustees.map((tr) => el('tr', {},
    el('td', { text: String(tr.index) }), el('td', { text: tr.username }),
    el('td', { text: t(`ceremony.status.${tr.status}`) })));
  box.replaceChildren(
    el('p', { text: t('trustee.phase', { phase: phaseName(status.phase), round: status.round, threshold: status.threshold, n: status.trustees.length }) }),
    el('table', { class: 'data' }, el('thead', {}, el('tr', {},
      el('th', { scope: 'col', text: '#' }), el('th', { scope: 'col', text: t('label.trustee') }),
      el('th', { scope: 'col', text: t('label.status') }))), el('tbody', {}, rows)),
    status.complaints.length ? el('p', { class: 'error', text: t('trustee.complaints', { count: status.complaints.length }) }) : '',
    status.public_key ? el('p', {}, t('trustee.election_key'), ' ', el('code', { class: 'mono', text: status.public_key })) : '',
  );
  if (!me) {
    $('#next-step').textContent = t('trustee.not_trustee');
    stepButton.dataset.step = '';
    show(stepButton, false);
    return false;
  }
  if (status.phase !== 'key_ceremony') {
    $('#next-step').textContent = status.public_key ? t('trustee.ceremony_done') : t('trustee.ceremony_not_started');
    stepButton.dataset.step = '';
    show(stepButton, false);
    return false;
  }
  const [step, text] = nextStep(me);
  $('#next-step').textContent = text;
  stepButton.textContent = text;
  stepButton.dataset.step = step || '';
  show(stepButton, Boolean(step));
  return !step;  // waiting: poll
}

function renderTally() {
  const box = $('#tally-status');
  const button = $('#decrypt-button');
  show(button, false);
  if (!tally) {
    box.replaceChildren(el('p', { text: t('trustee.tally_not_started') }));
    return false;
  }
  const parts = [el('p', { text: t('trustee.tally_phase', { phase: phaseName(tally.phase), count: tally.counted.length, shares: tally.shares.length, threshold: tally.threshold }) })];
  if (tally.result) parts.push(el('p', { class: 'ok' }, t('trustee.tally_done'), ' ', el('a', { href: `/elections/${electionId}/results`, text: t('label.results') })));
  else if (state.index !== undefined && tally.shares.includes(state.index)) parts.push(el('p', { class: 'ok', text: t('trustee.share_sent') }));
  else if (!state.secret_share) parts.push(el('p', { class: 'warn', text: t('trustee.need_key_file') }));
  else show(button);
  box.replaceChildren(...parts);
  return !tally.result;
}

async function refresh() {
  clearTimeout(pollTimer);
  let waiting = false;
  try {
    status = await api(`${base}/ceremony`);
    if (status.phase === 'key_ceremony' && status.round && state.context
        && !state.context.startsWith(`${status.context}/`) && !state.secret_share) {
      // A new ceremony round: the old key material is void.
      state = {};
      save();
    }
    waiting = renderCeremony();
  } catch (err) {
    $('#ceremony-status').replaceChildren(el('p', { class: 'error', text: errorText(err) }));
  }
  if (status && ['closed', 'scrutiny', 'tallying', 'published', 'archived'].includes(status.phase)) {
    try {
      tally = await api(`${base}/tally`);
    } catch (err) {
      tally = null;
      if (err.status !== 404 && err.status !== 409) announce(errorBox, errorText(err), 'error');
    }
    waiting = renderTally() || waiting || !tally;
  }
  if (waiting) pollTimer = setTimeout(refresh, 1500);
  document.body.dataset.trusteeReady = '1';
}

stepButton.addEventListener('click', async () => {
  const step = stepButton.dataset.step;
  if (!step) return;
  stepButton.disabled = true;
  announce(errorBox, '', 'error');
  try {
    await STEPS[step]();
  } catch (err) {
    announce(errorBox, err.message && !err.status ? err.message : errorText(err), 'error');
  } finally {
    stepButton.disabled = false;
  }
  await refresh();
});

$('#decrypt-button').addEventListener('click', async () => {
  const button = $('#decrypt-button');
  button.disabled = true;
  announce(errorBox, '', 'error');
  show($('#decrypt-progress'));
  try {
    const bar = $('#decrypt-bar');
    $('#decrypt-text').textContent = t('trustee.decrypting');
    await new Promise((resolve) => setTimeout(resolve, 0));
    const share = await crypto.decryptionShare(tally.ciphertexts, state.secret_share, state.index,
      tally.context, (done, total) => { bar.value = Math.round(100 * done / Math.max(total, 1)); });
    bar.value = 100;
    await api(`${base}/tally/shares`, { method: 'POST', body: { share } });
    $('#decrypt-text').textContent = t('trustee.share_sent');
  } catch (err) {
    announce(errorBox, errorText(err), 'error');
  } finally {
    button.disabled = false;
  }
  await refresh();
});

async function main() {
  if (!user) return;
  renderKeyFile();
  try {
    crypto = await import('./scrutin-crypto.js');
  } catch (err) {
    announce(errorBox, errorText(err), 'error');
    return;
  }
  await refresh();
}

main();
