// The audit append assembles each event's canonical JSON around the data's canonical JSON (computed
// once, stored in the row) instead of canonicalising the whole event again. Whatever the fields,
// that must be the very hash the plain definition gives, or every verify would fail.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, chainHash, chainHashOfData } from '../../server/src/audit/chain';

/** The chain's definition: sha256 of the previous hash, a newline and the event's canonical JSON. */
const defined = (prev: string, e: unknown) =>
  createHash('sha256')
    .update(`${prev}\n${canonicalJson(e)}`)
    .digest('hex');

const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary' }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

const event = fc.record({
  seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  at: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  type: fc.string({ unit: 'binary' }),
  actor: fc.string({ unit: 'binary' }),
  subject: fc.option(fc.string({ unit: 'binary' }), { nil: null }),
  data: fc.dictionary(fc.string({ unit: 'binary' }), json, { maxKeys: 6 }),
});

describe('chainHashOfData', () => {
  it('equals the definition over the whole event, for any fields and data', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
        event,
        (prev, e) => {
          // Lone surrogates cannot be canonicalised; the plain definition refuses them too.
          let data: string;
          try {
            data = canonicalJson(e.data);
            canonicalJson(e);
          } catch {
            return;
          }
          expect(chainHashOfData(prev, e, data)).toBe(defined(prev, e));
          expect(chainHash(prev, e)).toBe(defined(prev, e));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
