#!/usr/bin/env node
// Cross-language driver for tests/js/test_js_voter_checks.py: the booth's election and receipt
// checks (crypto/ceremony.js checkElection, crypto/receipts.js, crypto/fingerprint.js) on
// boards and receipts made by the Python service. One JSON request on stdin, one JSON answer.
import * as S from '../../admin_ui/static/js/crypto/index.js';

function attempt(fn) {
  try { return { ok: fn() ?? true }; } catch (e) { return { error: `${e.name}: ${e.message}` }; }
}

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const req = JSON.parse(input);
  await S.ready();
  const out = {};
  out.codes = req.fingerprints.map((fp) => S.fingerprintCode(fp));
  out.normalised = req.typed_codes.map((c) => attempt(() => S.normaliseFingerprintCode(c)));
  out.elections = req.elections.map((c) => attempt(() => {
    const r = S.checkElection(req.election_id, c.board, c.manifest, c.fingerprint, { expectedCode: c.code });
    return { code: r.code, fingerprint: r.fingerprint, setup_fingerprint: r.setupFingerprint, receipt_key: r.receiptKey };
  }));
  out.receipts = req.receipts.map((c) => attempt(() => {
    S.verifyReceipt(c.receipt, c.key);
    return S.checkReceiptOnBoard(c.receipt, req.board).seq;
  }));
  process.stdout.write(JSON.stringify(out));
}

main();
