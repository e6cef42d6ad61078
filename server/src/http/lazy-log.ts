import type { Bindings, Logger } from 'pino';

/**
 * A request's logger, made the first time something is logged through it. A pino child costs ≈4 µs
 * (its bindings are serialised up front), two a request — more than the policy decision — and below
 * the info level almost every request logs nothing at all.
 */
export function lazyChild(parent: Logger, bindings: Bindings): Logger {
  let child: Logger | undefined;
  const made = () => {
    child ??= parent.child(bindings);
    return child;
  };
  return new Proxy(parent, {
    get(_target, property) {
      const logger = made();
      const value: unknown = Reflect.get(logger, property, logger);
      return typeof value === 'function' ? value.bind(logger) : value;
    },
    set(_target, property, value: unknown) {
      return Reflect.set(made(), property, value);
    },
  });
}
