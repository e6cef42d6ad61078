/**
 * The token of an `Authorization: Bearer <token>` header, or undefined for any other header or none.
 * The API, /metrics and SCIM read keys the same way.
 */
export const bearerToken = (header: string | undefined): string | undefined =>
  /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
