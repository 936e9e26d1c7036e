#!/usr/bin/env node
// Cross-language driver for tests/js/test_js_ceremony.py (anonymity guard): the trustee page's
// tally rebuild (crypto/tally.js) on a Python record whose small slots are the identity, and
// on tampered copies. Reads {election_id, record, tampered: [...]} on stdin, prints JSON.
import * as S from '../../admin_ui/static/js/crypto/index.js';

function attempt(fn) {
  try { return { ok: fn() ?? true }; } catch (e) { return { error: `${e.name}: ${e.message}` }; }
}

let input = '';
for await (const chunk of process.stdin) input += chunk;
const req = JSON.parse(input);
await S.ready();
const rebuild = (record) => attempt(() => S.rebuildEncryptedTally(record, req.election_id).tallyHash);
process.stdout.write(JSON.stringify({ tally: rebuild(req.record), tampered: req.tampered.map(rebuild) }));
