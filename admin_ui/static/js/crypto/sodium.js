// libsodium (sumo build, vendored under /static/vendor/libsodium/ by tools/vendor.mjs).
// Top-level await: importing any crypto module waits for the WebAssembly to be ready, so
// `await ready()` is only needed by callers who want to handle a load failure explicitly.
// The page's Content-Security-Policy must allow WebAssembly: script-src 'self' 'wasm-unsafe-eval'.
import sodiumModule from '../../vendor/libsodium/libsodium-wrappers.js';

await sodiumModule.ready;

/** The initialised libsodium-wrappers-sumo object. */
export const sodium = sodiumModule;

/** Resolves when libsodium is initialised (already true once this module has loaded). */
export function ready() {
  return sodiumModule.ready;
}
