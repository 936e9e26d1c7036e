// From an election manifest to the ballot context (crypto/manifest.py).
import { InvalidEncoding } from './errors.js';
import { Point } from './group.js';
import { BallotContext, QuestionSpec } from './ballots.js';
import { electionFingerprint } from './fingerprint.js';

/** One QuestionSpec per manifest question: {kind, candidates, min_selections, max_selections};
 * a ranked question's spec carries its candidates' stable positions (what a ranking encodes). */
export function questionSpecs(manifest) {
  return manifest.questions.map((q, i) => {
    const n = q.candidates.length;
    if (q.kind === 'sonc') return new QuestionSpec({ kind: 'sonc', n_options: n });
    if (q.kind === 'approval') {
      return new QuestionSpec({
        kind: 'approval', n_options: n,
        min_selections: Number.parseInt(q.min_selections, 10),
        max_selections: q.max_selections ?? null,
      });
    }
    if (q.kind === 'ranked') {
      return new QuestionSpec({ kind: 'ranked', n_options: n,
        positions: q.candidates.map((c) => Number.parseInt(c.position, 10)) });
    }
    if (q.kind === 'plurality') return new QuestionSpec({ kind: 'plurality', n_options: n, min_selections: 1, max_selections: 1 });
    throw new InvalidEncoding(`manifest question ${i}: unknown kind ${JSON.stringify(q.kind)}`);
  });
}

/**
 * The BallotContext of a manifest. `fingerprint` defaults to electionFingerprint(manifest);
 * when the server also sends one, pass it and it is checked against the manifest.
 */
export function ballotContextFromManifest(manifest, fingerprint = undefined) {
  const computed = electionFingerprint(manifest);
  if (fingerprint !== undefined && fingerprint !== null && fingerprint !== computed) {
    throw new InvalidEncoding('manifest: the fingerprint does not match the manifest');
  }
  return new BallotContext({
    electionId: String(manifest.election_id),
    fingerprint: computed,
    publicKey: Point.fromHex(manifest.public_key, { what: 'manifest.public_key' }),
    questions: questionSpecs(manifest),
  });
}
