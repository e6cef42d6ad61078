export * from './digest';
export * from './identity/email';
export * from './kick-loop';
export * from './schemas/action';
export * from './schemas/audit';
export * from './schemas/errors';
export * from './schemas/json';
export * from './schemas/keys';
