/** `@conflux/schemas`: Avro schema folders, their compatibility rules, and the checker behind the synth gate. */
export * from './compatibility.js';
export * from './check-command.js';
