import {
  ENTERPRISE_USER,
  GROUP_SCHEMA,
  LIST_RESPONSE,
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  SPC_SCHEMA,
  USER_SCHEMA,
} from './schemas';

// What the provider reads to learn what this server supports (RFC 7643 §5–7).

export const serviceProviderConfig = (base: string) => ({
  schemas: [SPC_SCHEMA],
  documentationUri: `${base}/docs/identity`,
  patch: { supported: true },
  bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
  filter: { supported: true, maxResults: 200 },
  changePassword: { supported: false },
  sort: { supported: false },
  etag: { supported: false },
  authenticationSchemes: [
    {
      type: 'oauthbearertoken',
      name: 'Bearer token',
      description: 'A Countersign key made with `countersign keys create --scim NAME` (scope scim)',
      primary: true,
    },
  ],
  meta: { resourceType: 'ServiceProviderConfig', location: `${base}/scim/v2/ServiceProviderConfig` },
});

const resourceType = (base: string, name: 'User' | 'Group') => ({
  schemas: [RESOURCE_TYPE_SCHEMA],
  id: name,
  name,
  endpoint: `/${name}s`,
  schema: name === 'User' ? USER_SCHEMA : GROUP_SCHEMA,
  ...(name === 'User' && { schemaExtensions: [{ schema: ENTERPRISE_USER, required: false }] }),
  meta: { resourceType: 'ResourceType', location: `${base}/scim/v2/ResourceTypes/${name}` },
});

export const resourceTypes = (base: string) =>
  list([resourceType(base, 'User'), resourceType(base, 'Group')]);

const attr = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: 'string',
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: 'readWrite',
  returned: 'default',
  uniqueness: 'none',
  ...extra,
});

const schema = (base: string, id: string, name: string, attributes: unknown[]) => ({
  schemas: [SCHEMA_SCHEMA],
  id,
  name,
  attributes,
  meta: { resourceType: 'Schema', location: `${base}/scim/v2/Schemas/${id}` },
});

export const schemas = (base: string) =>
  list([
    schema(base, USER_SCHEMA, 'User', [
      attr('userName', { required: true, uniqueness: 'server' }),
      attr('displayName'),
      attr('externalId', { caseExact: true }),
      attr('active', { type: 'boolean' }),
      attr('emails', {
        type: 'complex',
        multiValued: true,
        subAttributes: [attr('value'), attr('type'), attr('primary', { type: 'boolean' })],
      }),
      attr('name', {
        type: 'complex',
        subAttributes: [attr('givenName'), attr('familyName'), attr('formatted')],
      }),
    ]),
    schema(base, GROUP_SCHEMA, 'Group', [
      attr('displayName', { required: true, uniqueness: 'server' }),
      attr('members', {
        type: 'complex',
        multiValued: true,
        subAttributes: [attr('value', { caseExact: true }), attr('display')],
      }),
    ]),
  ]);

export const list = (resources: unknown[], startIndex = 1, total = resources.length) => ({
  schemas: [LIST_RESPONSE],
  totalResults: total,
  startIndex,
  itemsPerPage: resources.length,
  Resources: resources,
});
