/**
 * The content coding of a request body the server would not undo, or undefined for none/`identity`.
 * Nothing here decompresses (no client compresses; a body is a few KB; a decoder is one more way to
 * be handed a zip bomb), so a body declared gzip would otherwise be read as if plain: a plain body
 * mislabelled gzip accepted, a real gzip body a confusing JSON syntax error. RFC 9110 §15.5.16: 415.
 */
export function undecodedEncoding(header: string | undefined): string | undefined {
  const codings = (header ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  return codings.length === 0 ? undefined : codings.join(', ');
}

export const encodingRefusal = (coding: string): string =>
  `Content-Encoding "${coding}" is not accepted: send the body uncompressed`;
