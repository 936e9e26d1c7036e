#!/usr/bin/env node
// Driver for tests/js/test_js_canonical_json.py: reads a JSON array on stdin and prints, for
// each value, the hex of the JavaScript canonical JSON bytes (admin_ui/static/js/crypto/
// hashing.js) or {"error": message} when it refuses the value.
import { canonicalJsonBytes } from '../../admin_ui/static/js/crypto/hashing.js';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map((value) => {
  try {
    return Buffer.from(canonicalJsonBytes(value)).toString('hex');
  } catch (e) {
    return { error: e.message };
  }
});
process.stdout.write(JSON.stringify(out));
