import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers.mjs';
import { vendoredFiles } from '../../tools/vendor.mjs';

test('the committed admin_ui/static/vendor/libsodium/ matches node_modules (run `node tools/vendor.mjs`)', () => {
  const files = vendoredFiles();
  for (const [name, text] of Object.entries(files)) {
    const committed = readFileSync(join(ROOT, 'admin_ui', 'static', 'vendor', 'libsodium', name), 'utf8');
    assert.ok(committed === text, `admin_ui/static/vendor/libsodium/${name} is stale: run \`node tools/vendor.mjs\``);
  }
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.match(files.VERSION, new RegExp(`libsodium-wrappers-sumo ${pkg.dependencies['libsodium-wrappers-sumo'].replace(/[\^~]/, '')}`));
});

test('the crypto modules import nothing but each other and the vendored libsodium', () => {
  const dir = join(ROOT, 'admin_ui', 'static', 'js', 'crypto');
  for (const name of ['index.js', 'sodium.js', 'group.js', 'hashing.js', 'ballots.js', 'threshold.js', 'credentials.js', 'proofs.js', 'audit.js']) {
    const src = readFileSync(join(dir, name), 'utf8');
    for (const m of src.matchAll(/^(?:import|export)[^'\n]*from\s+'([^']+)'/gm)) {
      assert.ok(m[1].startsWith('./') || m[1] === '../../vendor/libsodium/libsodium-wrappers.js', `${name} imports ${m[1]}`);
    }
  }
});
