/**
 * avsc's types-only entry point (its `etc/browser/avsc-types.js`, plain CommonJS that works on Node):
 * `Type` without the container files, services and protocols, which the kit does not use — half the bytes
 * of `avsc` in every bundle that validates events.
 */
declare module 'avsc/etc/browser/avsc-types.js' {
  import type { Type } from 'avsc';
  const avroTypes: { readonly Type: typeof Type };
  export default avroTypes;
}
