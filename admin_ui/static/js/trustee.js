// The trustee page: the key ceremony (protocol 2) and the tally decryption, done in this browser.
//
// The server is not believed. Every step is decided from the public board, replayed here by the
// same rules as crypto/ceremony.py: every other trustee's signature and coefficient proofs are
// checked, shares are sealed only to encryption keys signed on the board, the manifest is
// confirmed only when it names exactly the board's trustees, and the tally is decrypted only
// when it is the homomorphic sum of the ballots the board says count. The trustee's secrets
// (identity seed, polynomial, key share) live in this page's memory and in the key file the
// trustee downloads, encrypted with a passphrase (the CLI's format); never in localStorage.
import { $, api, announce, el, errorText, fetchBoard, phaseName, show, t, user } from './common.js';

const electionId = document.body.dataset.election;
const base = `/api/v1/elections/${encodeURIComponent(electionId)}`;
const stepButton = $('#step-button');
const errorBox = $('#trustee-error');
let crypto = null;
let state = {};         // the key file's state (as app/client/trustee.py keeps it)
let fileKey = null;     // the passphrase-derived key of the key file (memory only)
let fileDoc = null;     // the last encrypted key-file document made from `state`
let unsaved = false;    // `state` changed since the key file was last downloaded
let status = null;
let ceremony = null;
let tally = null;
let pollTimer = null;
let downloadUrl = null;

// --- the key file -------------------------------------------------------------------------

function expectedFingerprints() {
  const text = $('#trustee-keys').value.trim();
  return text ? crypto.parseFingerprints(text) : null;
}

function roundState(number) {
  state.rounds = state.rounds || {};
  state.rounds[String(number)] = state.rounds[String(number)] || {};
  return state.rounds[String(number)];
}

function save() {
  state.version = 2;
  state.election_id = electionId;
  fileDoc = crypto.sealKeyFile(state, fileKey);
  unsaved = true;
  renderKeyFile();
}

function renderKeyFile() {
  const link = $('#keyfile-download');
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = null;
  if (!fileDoc) {
    $('#keyfile-state').textContent = t('trustee.no_key_file');
    link.hidden = true;
    $('#my-fingerprint').replaceChildren();
    return;
  }
  downloadUrl = URL.createObjectURL(new Blob([JSON.stringify(fileDoc, null, 2)], { type: 'application/json' }));
  link.href = downloadUrl;
  link.download = `scrutin-trustee-${electionId}-${user}.json`;
  link.hidden = false;
  $('#keyfile-state').textContent = [
    state.secret_share ? t('trustee.key_complete') : t('trustee.key_in_progress'),
    unsaved ? t('trustee.key_unsaved') : '',
  ].filter(Boolean).join(' ');
  $('#my-fingerprint').replaceChildren(t('trustee.my_fingerprint'), ' ',
    el('code', { class: 'mono', id: 'my-fingerprint-value', text: crypto.fingerprintOf(state.identity_seed) }));
}

function passphrase() {
  const value = $('#keyfile-passphrase').value;
  if (!value) throw new Error(t('trustee.need_passphrase'));
  return value;
}

/** Make sure there is a state with an identity, encrypted under the passphrase. */
function ensureIdentity() {
  if (fileKey) return;
  fileKey = crypto.keyFileKey(passphrase());
  state = { identity_seed: crypto.newIdentity() };
  save();
}

$('#keyfile-download').addEventListener('click', () => {
  unsaved = false;
  setTimeout(renderKeyFile, 0);  // after the browser has taken the current blob
});

window.addEventListener('beforeunload', (event) => {
  if (unsaved) event.preventDefault();
});

$('#keyfile-load').addEventListener('change', async (event) => {
  const file = event.target.files[0];
  if (!file) return;
  announce(errorBox, '', 'error');
  try {
    const doc = JSON.parse(await file.text());
    const opened = crypto.openKeyFile(doc, passphrase());
    if (opened.state.election_id !== electionId || !opened.state.identity_seed) throw new Error(t('trustee.wrong_key_file'));
    state = opened.state;
    fileKey = opened.key;
    fileDoc = doc;
    unsaved = false;
    renderKeyFile();
    await refresh();
  } catch (err) {
    announce(errorBox, err.message || errorText(err), 'error');
  } finally {
    event.target.value = '';
  }
});

// --- reading the board --------------------------------------------------------------------

/** The board, chain-checked and checked to extend what this trustee saw before. */
function checkExtends(board) {
  const head = crypto.headOf(board);
  const seen = state.board_seen;
  if (seen && (board.length < seen.seq || board[seen.seq - 1].hash !== seen.hash)) {
    throw new Refusal(t('trustee.refused', { reason: `the board no longer contains event ${seen.seq} as this trustee saw it: the server rewrote the public record` }));
  }
  if (head && fileKey && (!seen || head.seq !== seen.seq)) {
    state.board_seen = head;
    save();
  }
}

/** The page refuses to act: what the server sent does not match the board (message says what). */
class Refusal extends Error {}

function refused(err) {
  return err instanceof Refusal ? err : new Refusal(t('trustee.refused', { reason: err.message }));
}

async function readCeremony() {
  const board = await fetchBoard(base);
  try {
    checkExtends(board);
    return crypto.readCeremony(electionId, board, expectedFingerprints());
  } catch (err) {
    throw refused(err);
  }
}

function myRecord() {
  if (!ceremony || !state.identity_seed || ceremony.current === null) return null;
  return ceremony.trusteeByKey(crypto.signingKeyOf(state.identity_seed));
}

async function post(step, kind, round, index, body) {
  return api(`${base}/ceremony/${step}`, {
    method: 'POST', body: crypto.signed(state.identity_seed, kind, electionId, round, index, body),
  });
}

// --- the ceremony steps (as app/client/trustee.py) -----------------------------------------

const STEPS = {
  async join() {
    ensureIdentity();
    const me = status.you;
    if (!me) throw new Error(t('trustee.not_trustee'));
    const rnd = ceremony.round;
    const mine = roundState(rnd.number);
    if (!mine.box_private) {
      mine.box_private = crypto.boxKeypair().privateKey;
      save();  // before sending: the key must not be lost once announced
    }
    await post('join', 'trustee_joined', rnd.number, me.index, {
      signing_key: crypto.signingKeyOf(state.identity_seed), encryption_key: crypto.boxPublicOf(mine.box_private),
    });
    state.index = me.index;
    save();
  },
  async commit() {
    const rnd = ceremony.round;
    const index = myRecord().index;
    const mine = roundState(rnd.number);
    if (!mine.coefficients) {
      Object.assign(mine, crypto.newPolynomial(rnd.threshold, electionId, rnd.number, index, crypto.signingKeyOf(state.identity_seed)));
      save();
    }
    await post('commitment-hash', 'trustee_commitment_hash', rnd.number, index,
      { digest: crypto.digestOf(mine.commitments, mine.proofs) });
  },
  async reveal() {
    const rnd = ceremony.round;
    const mine = roundState(rnd.number);
    await post('commitments', 'trustee_commitments', rnd.number, myRecord().index,
      { commitments: mine.commitments, proofs: mine.proofs });
  },
  async send() {
    const rnd = ceremony.round;
    const index = myRecord().index;
    await post('shares', 'trustee_shares_sent', rnd.number, index,
      { sealed: crypto.sealShares(roundState(rnd.number), rnd, electionId, index) });
  },
  async confirm() {
    const rnd = ceremony.round;
    const index = myRecord().index;
    if (!status.proposed) throw new Error(t('trustee.no_manifest'));
    let fingerprint;
    try {
      fingerprint = crypto.confirmManifest(status.proposed.manifest, rnd, electionId);
    } catch (err) {
      throw refused(err);
    }
    const opened = crypto.openShares(roundState(rnd.number), rnd, electionId, index);
    if (opened.complaints.length) {
      for (const [accused, reason] of opened.complaints) {
        await post('complaints', 'ceremony_complaint', rnd.number, index,
          { complainant_index: index, accused_index: accused, reason });
      }
      return;
    }
    await post('confirm', 'trustee_confirmed', rnd.number, index, { fingerprint });
    Object.assign(state, { secret_share: opened.secretShare, fingerprint, ceremony_round: rnd.number });
    save();
  },
  async answer() {
    const rnd = ceremony.round;
    const index = myRecord().index;
    for (const complaint of rnd.complaints) {
      if (complaint.accused !== index || complaint.answer !== null || complaint.finding !== null) continue;
      await post('answer', 'complaint_answer', rnd.number, index,
        crypto.complaintAnswer(roundState(rnd.number), rnd, complaint.complainant));
    }
  },
};

/** [step, label] of what the board lets this trustee do now (step null: nothing, label says why). */
function nextStep() {
  if (!status.you) return [null, t('trustee.not_trustee')];
  const rnd = ceremony.round;
  const record = myRecord();
  const holdsRound = Boolean(state.rounds?.[String(rnd.number)]?.box_private);
  if (record && !holdsRound) return [null, t('trustee.need_key_file')];
  if (record && rnd.complaints.some((c) => c.accused === record.index && c.answer === null && c.finding === null)) {
    return ['answer', t('trustee.step.answer')];
  }
  if (rnd.dead) return [null, t('trustee.round_stopped')];
  if (!record) {
    // Joined already (by the server's word) but no key file here: joining again would be refused.
    if (!fileKey && status.you.status !== 'invited') return [null, t('trustee.need_key_file')];
    return fileKey || $('#keyfile-passphrase').value ? ['join', t('trustee.step.join')] : [null, t('trustee.need_passphrase')];
  }
  if (record.commitmentHash === null) return ['commit', t('trustee.step.commit')];
  if (record.commitments === null) return rnd.allHave('commitmentHash') ? ['reveal', t('trustee.step.reveal')] : [null, t('trustee.wait.commitments')];
  if (record.sealed === null) return rnd.allHave('commitments') ? ['send', t('trustee.step.send')] : [null, t('trustee.wait.reveal')];
  if (record.confirmed === null) return rnd.allHave('sealed') ? ['confirm', t('trustee.step.verify')] : [null, t('trustee.wait.shares')];
  return [null, t('trustee.wait.others')];
}

function trusteeState(record) {
  if (!record) return 'invited';
  if (record.confirmed !== null) return 'confirmed';
  if (record.sealed !== null) return 'shared';
  if (record.commitments !== null) return 'committed';
  if (record.commitmentHash !== null) return 'hashed';
  return 'joined';
}

/** Once the election is set up no complaint can come: the polynomials leave the key file. */
function forgetPolynomials() {
  if (!ceremony || ceremony.setupRound === null || !fileKey) return;
  const rounds = Object.values(state.rounds || {});
  if (!rounds.some((r) => r.coefficients)) return;
  for (const r of rounds) delete r.coefficients;
  save();
}

function renderCeremony() {
  const box = $('#ceremony-status');
  const rnd = ceremony && ceremony.current !== null ? ceremony.round : null;
  const rows = status.trustees.map((tr) => {
    const record = rnd ? rnd.trustees.get(tr.index) : null;
    return el('tr', { 'data-index': String(tr.index) },
      el('td', { text: String(tr.index) }), el('td', { text: tr.username }),
      el('td', {}, record ? el('code', { class: 'fingerprint', text: record.fingerprint }) : '—'),
      el('td', { text: t(`ceremony.status.${trusteeState(record)}`) }));
  });
  const complaints = rnd ? rnd.complaints : [];
  box.replaceChildren(
    el('p', { text: t('trustee.phase', { phase: phaseName(status.phase), round: status.round, threshold: status.threshold, n: status.trustees.length }) }),
    el('table', { class: 'data' }, el('thead', {}, el('tr', {},
      el('th', { scope: 'col', text: '#' }), el('th', { scope: 'col', text: t('label.trustee') }),
      el('th', { scope: 'col', text: t('label.fingerprint') }),
      el('th', { scope: 'col', text: t('label.status') }))), el('tbody', {}, rows)),
    complaints.length ? el('p', { class: 'error', text: t('trustee.complaints', { count: complaints.length }) }) : '',
    ceremony && ceremony.setupRound !== null ? el('p', {}, t('trustee.election_key'), ' ', el('code', { class: 'mono', text: ceremony.rounds.get(ceremony.setupRound).publicKey.hex() })) : '',
  );
  const hide = (text) => {
    $('#next-step').textContent = text;
    stepButton.dataset.step = '';
    show(stepButton, false);
    return false;
  };
  if (!status.you) return hide(t('trustee.not_trustee'));
  if (status.phase !== 'key_ceremony' || !rnd) {
    return hide(ceremony && ceremony.setupRound !== null ? t('trustee.ceremony_done') : t('trustee.ceremony_not_started'));
  }
  const [step, text] = nextStep();
  $('#next-step').textContent = text;
  stepButton.textContent = text;
  stepButton.dataset.step = step || '';
  show(stepButton, Boolean(step));
  return true;  // during the ceremony: poll, so the other trustees' progress shows
}

// --- the tally ----------------------------------------------------------------------------

function renderTally() {
  const box = $('#tally-status');
  const button = $('#decrypt-button');
  show(button, false);
  if (!tally) {
    box.replaceChildren(el('p', { text: t('trustee.tally_not_started') }));
    return false;
  }
  const parts = [el('p', { text: t('trustee.tally_phase', { phase: phaseName(tally.phase), count: tally.counted.length, shares: tally.shares.length, threshold: tally.threshold }) })];
  if (tally.mixing && !tally.result) {
    // Ranked ballots are decrypted one by one after the mixes: a share over them is safe only
    // once every mix's shuffle proof is checked, which this page does not do (the CLI does).
    // Whether to decrypt here is decided from the record at the click, not from this field.
    const done = Math.min(...Object.values(tally.mixing.mixed).map((m) => m.length));
    parts.push(el('p', { id: 'mixing-status', text: t('trustee.mixing_status', { done, required: tally.mixing.required }) }));
    parts.push(el('p', { class: 'warn', id: 'ranked-cli', text: t('trustee.ranked_cli') }));
    box.replaceChildren(...parts);
    return true;  // poll: the mixes and the other shares come in
  }
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
    ceremony = null;
    if (status.phase !== 'draft' || status.round > 1) ceremony = await readCeremony();
    forgetPolynomials();
    waiting = renderCeremony();
  } catch (err) {
    // A logged-in user who is not a trustee (nor on the committee) is refused the ceremony:
    // say so in words, not as the API's refusal.
    const refused = err.status === 403;
    const text = refused ? t('trustee.not_trustee') : err.status ? errorText(err) : err.message;
    $('#ceremony-status').replaceChildren(el('p', { class: 'error', id: refused ? 'not-trustee' : null, text }));
    show(stepButton, false);
  }
  if (status && ['closed', 'scrutiny', 'tallying', 'published'].includes(status.phase)) {
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
    ceremony = await readCeremony();  // act on the board as it is now, not as it was drawn
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
  const bar = $('#decrypt-bar');
  try {
    $('#decrypt-text').textContent = t('trustee.checking_tally');
    await new Promise((resolve) => setTimeout(resolve, 0));
    const record = await api(`${base}/record`);
    const asked = await api(`${base}/tally`);
    let rebuilt;
    try {
      checkExtends(record.board || []);
      crypto.readCeremony(electionId, record.board || [], expectedFingerprints());
      rebuilt = crypto.rebuildTally(record, electionId, (done, total) => { bar.value = Math.round(50 * done / Math.max(total, 1)); });
      if (JSON.stringify(asked.ciphertexts) !== JSON.stringify(rebuilt.payload.ciphertexts)) {
        throw new Error('the server asks to decrypt ciphertexts that are not the encrypted tally on the board');
      }
      if (state.decrypted_tally && state.decrypted_tally !== rebuilt.tallyHash) {
        throw new Error(`this trustee already decrypted tally ${state.decrypted_tally}; it never decrypts a second, different one`);
      }
      // Later ballot definitions keep the key and trustees (the replay checks it); the set-up
      // one is what this trustee confirmed.
      if (crypto.hasRankedQuestions(rebuilt.manifest)) {
        // Whatever the server's tally view says: a share here would cover only the sums, and
        // the mixed rankings need the CLI's check of every shuffle proof before decryption.
        throw new Error(t('trustee.ranked_cli'));
      }
      const setup = (record.board || []).find((e) => e.type === 'election_setup');
      if (!setup || setup.payload.fingerprint !== state.fingerprint) {
        throw new Error(`the election fingerprint on the board is not the one this trustee confirmed (${state.fingerprint})`);
      }
    } catch (err) {
      throw refused(err);
    }
    $('#decrypt-text').textContent = t('trustee.decrypting');
    await new Promise((resolve) => setTimeout(resolve, 0));
    const body = crypto.decryptionShare(rebuilt, state, electionId, (done, total) => { bar.value = 50 + Math.round(50 * done / Math.max(total, 1)); });
    state.decrypted_tally = rebuilt.tallyHash;
    save();
    bar.value = 100;
    await api(`${base}/tally/shares`, { method: 'POST', body });
    $('#decrypt-text').textContent = t('trustee.share_sent');
  } catch (err) {
    announce(errorBox, err.message && !err.status ? err.message : errorText(err), 'error');
    $('#decrypt-text').textContent = '';
  } finally {
    button.disabled = false;
  }
  await refresh();
});

$('#trustee-keys').addEventListener('change', () => { refresh(); });
$('#keyfile-passphrase').addEventListener('input', () => { if (status && ceremony && !fileKey) renderCeremony(); });

async function main() {
  if (!user) return;
  try {
    crypto = await import('./scrutin-crypto.js');
  } catch (err) {
    announce(errorBox, errorText(err), 'error');
    return;
  }
  renderKeyFile();
  await refresh();
}

main();
