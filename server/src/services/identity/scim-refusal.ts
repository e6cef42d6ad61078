/**
 * A SCIM request the core refuses, with the status RFC 7644 §3.12 gives it and its `scimType` where
 * the RFC names one (400 and 409). The SCIM edge writes it in SCIM's error format.
 */
export class ScimRefusal extends Error {
  readonly status: 400 | 403 | 404 | 409;
  readonly scimType: string | undefined;

  constructor(status: 400 | 403 | 404 | 409, detail: string, scimType?: string) {
    super(detail);
    this.name = 'ScimRefusal';
    this.status = status;
    this.scimType = scimType;
  }
}

/** Who is provisioning: the SCIM key, and the request (its id goes into every audit event). */
export type ScimCaller = { principal: string; keyId: string; requestId: string };
