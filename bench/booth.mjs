#!/usr/bin/env node
// Benchmark: encrypt + prove + sign a 30-candidate support/oppose/neutral ballot with the
// booth's JavaScript crypto (admin_ui/static/js/crypto/), in node and in headless Chromium.
//
//   node bench/booth.mjs [--runs 15] [--json] [--no-browser] [--chromium /usr/bin/chromium]
//
// The browser half serves admin_ui/static/ and a blank page from a local HTTP server on
// 127.0.0.1 and drives Debian's Chromium with playwright-core (never a downloaded browser).
// Reports medians (ms) over --runs runs after one warm-up run. Target (issue 9): ≤ 1000 ms.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, normalize, extname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const STATIC = join(ROOT, 'admin_ui', 'static');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Number(opt('--runs', '15'));
const CHROMIUM = opt('--chromium', '/usr/bin/chromium');
const N_CANDIDATES = 30;

// Runs in node and (serialised) in the page: everything it needs is imported inside.
async function benchmark(moduleUrl, runs, nCandidates) {
  const S = await import(moduleUrl);
  await S.ready();
  const { public: y } = S.keygen();
  const ctx = new S.BallotContext({
    electionId: 'bench', fingerprint: 'ab'.repeat(32), publicKey: y,
    questions: [{ kind: 'sonc', n_options: nCandidates }],
  });
  const choices = [Array.from({ length: nCandidates }, (_, i) => [1, -1, 0][i % 3])];
  const t0 = performance.now();
  const key = await S.CredentialKey.fromCode(S.generateCode(), 'bench');
  const kdfMs = performance.now() - t0;
  const encrypt = [], verify = [], tracker = [];
  S.encryptBallot(ctx, choices, key); // warm-up (JIT, tables)
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const ballot = S.encryptBallot(ctx, choices, key);
    encrypt.push(performance.now() - t);
    t = performance.now();
    S.ballotTracker(ballot);
    tracker.push(performance.now() - t);
    t = performance.now();
    S.verifyBallot(ctx, ballot, key.public);
    verify.push(performance.now() - t);
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const r = (x) => Math.round(x * 10) / 10;
  return {
    sonc30_encrypt_ms: r(median(encrypt)),
    sonc30_encrypt_min_ms: r(Math.min(...encrypt)),
    sonc30_verify_ms: r(median(verify)),
    tracker_ms: r(median(tracker)),
    credential_from_code_ms: r(kdfMs),
    runs,
  };
}

const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html', '.json': 'application/json' };

function serve() {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    if (url.pathname === '/' || url.pathname === '/bench.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><meta charset="utf-8"><title>booth bench</title><p>booth crypto benchmark</p>');
      return;
    }
    if (!url.pathname.startsWith('/static/')) { res.writeHead(404); res.end(); return; }
    const path = normalize(join(STATIC, url.pathname.slice('/static/'.length)));
    if (!path.startsWith(STATIC)) { res.writeHead(403); res.end(); return; }
    try {
      const body = await readFile(path);
      res.writeHead(200, { 'content-type': TYPES[extname(path)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404); res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function browserBench() {
  if (!existsSync(CHROMIUM)) return { error: `${CHROMIUM} not found (apt-get install -y chromium)` };
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch {
    return { error: 'playwright-core is not installed: run `npm ci`' };
  }
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.goto(`${base}/bench.html`);
    const version = browser.version();
    const result = await page.evaluate(
      ([src, url, runs, n]) => (0, eval)(`(${src})`)(url, runs, n),
      [benchmark.toString(), `${base}/static/js/crypto/index.js`, RUNS, N_CANDIDATES]);
    return { browser: `Chromium ${version}`, ...result };
  } finally {
    await browser.close();
    server.close();
  }
}

function cpuModel() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1].trim();
  } catch { /* not Linux */ }
  return cpus()[0]?.model ?? 'unknown';
}

const out = {
  machine: { nproc: cpus().length, cpu: cpuModel(), node: process.version },
  candidates: N_CANDIDATES,
  node: await benchmark(new URL('../admin_ui/static/js/crypto/index.js', import.meta.url).href, RUNS, N_CANDIDATES),
};
if (!args.includes('--no-browser')) out.chromium = await browserBench();

if (args.includes('--json')) {
  console.log(JSON.stringify(out));
} else {
  console.log(`machine: ${out.machine.nproc} × ${out.machine.cpu}, node ${out.machine.node}`);
  for (const where of ['node', 'chromium']) {
    const r = out[where];
    if (!r) continue;
    if (r.error) { console.log(`${where}: skipped (${r.error})`); continue; }
    console.log(`${where}${r.browser ? ` (${r.browser})` : ''}: 30-candidate S/O/N ballot encrypt+prove+sign `
      + `median ${r.sonc30_encrypt_ms} ms (min ${r.sonc30_encrypt_min_ms}), verify ${r.sonc30_verify_ms} ms, `
      + `credential from code ${r.credential_from_code_ms} ms, tracker ${r.tracker_ms} ms, ${r.runs} runs`);
  }
}
