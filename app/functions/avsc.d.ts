/** Avro schemas (`app/schemas/*.avsc`), bundled as JSON. */
declare module '*.avsc' {
  const schema: Record<string, unknown>;
  export default schema;
}
