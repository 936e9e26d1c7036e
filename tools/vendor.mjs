#!/usr/bin/env node
// Copy libsodium-wrappers-sumo's ES module build (and the raw libsodium-sumo module it imports)
// from node_modules into admin_ui/static/vendor/libsodium/, so that the booth is served from our
// own origin without a bundler or a CDN. The vendored files are committed: `make run` needs no npm.
//
//   npm ci && node tools/vendor.mjs           # refresh after bumping the version in package.json
//   node tools/vendor.mjs --check             # exit 1 if the committed copy is stale
//
// One transformation is applied: the wrappers import the bare specifier "libsodium-sumo", which
// a browser cannot resolve without an import map (and an inline import map would need an inline
// script, which our Content-Security-Policy forbids), so it is rewritten to the relative path
// "./libsodium-sumo.js". The files are renamed .mjs → .js so any static server sends them as
// JavaScript (the repository's package.json has "type": "module", so node loads them as ESM).
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nm = join(root, 'node_modules');
const out = join(root, 'admin_ui', 'static', 'vendor', 'libsodium');

function pkgVersion(name) {
  return JSON.parse(readFileSync(join(nm, name, 'package.json'), 'utf8')).version;
}

export function vendoredFiles() {
  if (!existsSync(join(nm, 'libsodium-wrappers-sumo'))) {
    throw new Error('node_modules/libsodium-wrappers-sumo is missing: run `npm ci` first');
  }
  const wrappers = readFileSync(
    join(nm, 'libsodium-wrappers-sumo', 'dist', 'modules-sumo-esm', 'libsodium-wrappers.mjs'), 'utf8');
  const bare = /from\s*"libsodium-sumo"/g;
  const count = (wrappers.match(bare) || []).length;
  if (count !== 1) throw new Error(`expected one import of "libsodium-sumo" in the wrappers, found ${count}`);
  const files = {
    'libsodium-wrappers.js': wrappers.replace(bare, 'from"./libsodium-sumo.js"'),
    'libsodium-sumo.js': readFileSync(
      join(nm, 'libsodium-sumo', 'dist', 'modules-sumo-esm', 'libsodium-sumo.mjs'), 'utf8'),
    'LICENSE': readFileSync(join(nm, 'libsodium-wrappers-sumo', 'LICENSE'), 'utf8'),
    'LICENSE.libsodium-sumo': readFileSync(join(nm, 'libsodium-sumo', 'LICENSE'), 'utf8'),
    'VERSION': `libsodium-wrappers-sumo ${pkgVersion('libsodium-wrappers-sumo')}\n`
      + `libsodium-sumo ${pkgVersion('libsodium-sumo')}\n`
      + 'Copied from node_modules by tools/vendor.mjs (ESM builds; bare import rewritten to ./libsodium-sumo.js).\n',
  };
  return files;
}

function main() {
  const check = process.argv.includes('--check');
  const files = vendoredFiles();
  let stale = 0;
  mkdirSync(out, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    const path = join(out, name);
    if (check) {
      if (!existsSync(path) || readFileSync(path, 'utf8') !== text) {
        console.error(`${path} is out of date: run \`node tools/vendor.mjs\``);
        stale = 1;
      }
    } else {
      writeFileSync(path, text);
      console.log(`wrote ${path}`);
    }
  }
  process.exitCode = stale;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
