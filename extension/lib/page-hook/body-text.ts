/** A request body as text, when it can be had at once (a synchronous XHR cannot wait for more). */
export function bodyText(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  return undefined;
}

/** Any body fetch, XHR or sendBeacon accepts, as the text rules match against. */
export async function bodyTextAsync(body: unknown): Promise<string | undefined> {
  const text = bodyText(body);
  if (text !== undefined || body === undefined || body === null) return text;
  if (body instanceof Blob) return body.text();
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return new Response(body as BodyInit).text();
  if (body instanceof FormData) return new Response(body).text();
  if (body instanceof Document) return new XMLSerializer().serializeToString(body);
  return String(body);
}
