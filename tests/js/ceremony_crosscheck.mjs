#!/usr/bin/env node
// Cross-language driver for tests/js/test_js_ceremony.py: the trustee page's protocol-2 code
// (crypto/ceremony.js, tally.js, keyfile.js) on records and values made by the Python service.
// Reads one JSON request on stdin, prints one JSON response.
import * as S from '../../admin_ui/static/js/crypto/index.js';

function attempt(fn) {
  try { return { ok: fn() ?? true }; } catch (e) { return { error: `${e.name}: ${e.message}` }; }
}

function summary(ceremony) {
  const rnd = ceremony.round;
  return {
    protocol: ceremony.protocol, setup_round: ceremony.setupRound, round: rnd.number,
    fingerprints: [...rnd.trustees.values()].sort((a, b) => a.index - b.index).map((t) => t.fingerprint),
    public_key: rnd.publicKey.hex(), confirmed: [...rnd.trustees.values()].map((t) => t.confirmed),
  };
}

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const req = JSON.parse(input);
  const out = {};
  const eid = req.election_id;

  out.replay = attempt(() => summary(S.replayCeremony(eid, req.record.board)));
  out.tally = attempt(() => S.rebuildEncryptedTally(req.record, eid).tallyHash);
  out.tampered = req.tampered.map((r) => ({
    replay: attempt(() => { S.verifyChain(r.board); return summary(S.replayCeremony(eid, r.board)); }),
    tally: attempt(() => S.rebuildEncryptedTally(r, eid).tallyHash),
  }));
  out.fingerprint_required = attempt(() => S.requireTrustees(S.replayCeremony(eid, req.record.board), req.published));

  const m = req.message;
  out.identity = { signing_key: S.identityPublic(m.seed_hex), fingerprint: S.identityFingerprint(S.identityPublic(m.seed_hex)) };
  out.signature = S.signMessage(m.seed_hex, m.kind, eid, m.round, m.index, m.body);
  out.python_signature = attempt(() => S.verifyMessage(out.identity.signing_key, m.python_signature, m.kind, eid, m.round, m.index, m.body));
  out.forged_signature = attempt(() => S.verifyMessage(out.identity.signing_key, m.python_signature, m.kind, eid, m.round + 1, m.index, m.body));
  out.digest = S.commitmentsDigest(m.commitments, m.proofs);
  out.normalised = S.normaliseFingerprint(out.identity.fingerprint.toLowerCase().replaceAll('-', ' '));

  const s = req.seal;
  out.sealed = S.toBase64(S.sealShareRevealable(S.fromHex(s.recipient_hex), S.scalarFromHex(s.share_hex),
    S.ceremonyShareContext(eid, s.round, s.sender, s.recipient), S.shareEphemeralKey(s.seed_hex, s.round, s.recipient)));

  const k = req.keyfile;
  out.python_keyfile = attempt(() => S.openKeyFile(k.doc, k.passphrase).state);
  out.wrong_passphrase = attempt(() => S.openKeyFile(k.doc, `${k.passphrase}!`).state);
  out.js_keyfile = S.sealKeyFile(k.state, S.keyFileKey(k.passphrase));

  const d = req.decrypt;
  const cts = d.ciphertexts.map((c) => S.Ciphertext.fromJSON(c, { allowIdentity: true }));
  const context = S.tallyDecryptionContext(eid, d.fingerprint, d.tally_hash);
  out.decryption_share = S.decryptionShare(cts, S.scalarFromHex(d.secret_hex), d.index, context, { slotBound: true });
  out.decryption_signature = S.signDecryptionShare(m.seed_hex, eid, 1, d.index, d.tally_hash, out.decryption_share);
  process.stdout.write(JSON.stringify(out));
}

main();
