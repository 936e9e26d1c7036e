#!/usr/bin/env node
// Cross-language check driver for tests/js/test_js_crypto.py: reads one JSON request on stdin,
// runs the JavaScript crypto on it and prints one JSON response on stdout. Uses the platform
// CSPRNG (not the test DRBG), so the Python side checks fresh, independent output.
//
// Request: {"ballots": [{context, choices, code}], "verify_ballots": [{context, ballot}],
//           "audits": [{context, choices, code}]  → prepareBallot's {ballot, tracker, commitment, audit},
//           "audits_seeded": [{context, choices, credential_secret, seed_hex, version}]  → the same, drawn
//               from the test DRBG (reproducible: compared with crypto.audit.audit_record),
//           "verify_audits": [{context, record, credential?}]  → {error, result} of verifyAudit,
//           "ceremony": {election_id, threshold, indices, recipients: {j: pubhex}, sealed_for_js: {...}},
//           "decrypt": {ciphertexts, secret_share, index, context_hex, python_share, public_share}}
import * as S from '../../admin_ui/static/js/crypto/index.js';

function ctxOf(c) {
  return new S.BallotContext({ electionId: c.election_id, fingerprint: c.fingerprint, publicKey: c.public_key, questions: c.questions });
}

function errorOf(fn) {
  try { fn(); return null; } catch (e) { return `${e.name}: ${e.message}`; }
}

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const req = JSON.parse(input);
  const out = {};

  out.ballots = [];
  for (const b of req.ballots ?? []) {
    const ctx = ctxOf(b.context);
    const key = await S.CredentialKey.fromCode(b.code, b.context.election_id);
    const ballot = S.encryptBallot(ctx, b.choices, key);
    out.ballots.push({ ballot, tracker: S.ballotTracker(ballot), credential: key.public.hex() });
  }

  // Service-shaped manifests: fingerprint and context computed in JS, one ballot each.
  out.manifests = [];
  for (const m of req.manifests ?? []) {
    const ctx = S.ballotContextFromManifest(m.manifest, m.fingerprint);
    const key = await S.CredentialKey.fromCode(m.code, ctx.electionId);
    out.manifests.push({ fingerprint: S.electionFingerprint(m.manifest), ballot: S.encryptBallot(ctx, m.choices, key) });
  }

  out.verify_ballots = (req.verify_ballots ?? []).map((b) => {
    const ctx = ctxOf(b.context);
    let tracker = null;
    const error = errorOf(() => { tracker = S.verifyBallot(ctx, b.ballot).tracker; });
    return { error, tracker };
  });

  out.audits = [];
  for (const a of req.audits ?? []) {
    const ctx = ctxOf(a.context);
    const key = await S.CredentialKey.fromCode(a.code, a.context.election_id);
    out.audits.push(S.prepareBallot(ctx, a.choices, key));
  }

  out.audits_seeded = (req.audits_seeded ?? []).map((a) => S.prepareBallot(ctxOf(a.context), a.choices,
    S.CredentialKey.fromSecretHex(a.credential_secret), { rng: S.deterministicRng(S.fromHex(a.seed_hex)), version: a.version }));

  out.verify_audits = (req.verify_audits ?? []).map((a) => {
    let result = null;
    const credentialPublic = a.credential ? S.Point.fromHex(a.credential) : null;
    const error = errorOf(() => { result = S.verifyAudit(ctxOf(a.context), a.record, { credentialPublic }); });
    return { error, result };
  });

  if (req.ceremony) {
    const c = req.ceremony;
    out.ceremony = {};
    for (const i of c.indices) {
      const poly = S.TrusteePolynomial.generate(c.threshold);
      const ctx = S.ceremonyContext(c.election_id, i);
      const sealed = {};
      for (const [j, pub] of Object.entries(c.recipients)) {
        sealed[j] = S.toBase64(S.sealShare(S.fromHex(pub), poly.shareFor(Number(j)), S.shareContext(c.status_context, i, Number(j))));
      }
      out.ceremony[i] = {
        commitments: poly.commitments.map((p) => p.hex()),
        proofs: poly.commitmentProofs(ctx),
        shares: Object.fromEntries(Object.keys(c.recipients).map((j) => [j, S.scalarHex(poly.shareFor(Number(j)))])),
        sealed,
      };
    }
    // Shares sealed by Python to a JS key pair: open and check them.
    const kp = { privateKey: S.fromHex(c.js_box_private) };
    out.opened = c.sealed_for_js.map((s) => {
      let share = null;
      const error = errorOf(() => {
        share = S.openShare(kp.privateKey, S.fromBase64(s.sealed), S.utf8(s.context));
        S.verifyShare(s.commitments.map((h) => S.Point.fromHex(h)), s.recipient, share);
      });
      return { error, share: share === null ? null : S.scalarHex(share) };
    });
  }

  if (req.decrypt) {
    const d = req.decrypt;
    const cts = d.ciphertexts.map((c) => S.Ciphertext.fromJSON(c, { allowIdentity: true }));
    const context = S.fromHex(d.context_hex);
    out.decryption_share = S.decryptionShare(cts, S.scalarFromHex(d.secret_share), d.index, context);
    const pub = S.Point.fromHex(d.python_public_share);
    out.python_share_error = errorOf(() => S.verifyDecryptionShare(cts, d.python_share, pub, d.python_index, context));
    const tampered = JSON.parse(JSON.stringify(d.python_share));
    tampered.factors[0] = S.Point.fromHex(tampered.factors[0]).add(S.G).hex();
    out.tampered_share_error = errorOf(() => S.verifyDecryptionShare(cts, tampered, pub, d.python_index, context));
  }

  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(1); });
