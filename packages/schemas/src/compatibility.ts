import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import avro from 'avsc';

/** Compatibility modes, as Glue Schema Registry and Confluent name them. */
export const MODES = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;
export type Mode = (typeof MODES)[number];

/** An Avro record schema as written in a `.avsc` file. */
export interface RecordSchema {
  /** `record` for an event; anything else is a convention problem. */
  readonly type: string;
  readonly name: string;
  readonly namespace?: string;
  readonly fields: readonly { name: string; type: unknown; default?: unknown; aliases?: string[] }[];
}

/** One broken rule: which versions, which direction, which field, what rule, and how to fix it. */
export interface Violation {
  readonly eventType: string;
  /** The new version being checked. */
  readonly version: number;
  /** The earlier version it is incompatible with. */
  readonly against: number;
  /** `backward`: the new schema cannot read data written with the old; `forward`: the reverse. */
  readonly direction: 'backward' | 'forward';
  readonly field?: string;
  readonly rule: string;
  readonly fix: string;
}

const typeOf = (schema: unknown) => avro.Type.forSchema(schema as avro.Schema, { wrapUnions: false });

/** Whether data written with `writer` can be read with `reader` under Avro's schema resolution. */
export function canRead(reader: unknown, writer: unknown): boolean {
  try {
    typeOf(reader).createResolver(typeOf(writer));
    return true;
  } catch {
    return false;
  }
}

const describe = (t: unknown) => (typeof t === 'string' ? t : JSON.stringify(t));
const exampleDefault = (t: unknown): string => {
  const name = typeof t === 'string' ? t : '';
  if (name === 'string') return '""';
  if (['int', 'long', 'float', 'double'].includes(name)) return '0';
  if (name === 'boolean') return 'false';
  return 'null (with type ["null", …])';
};

/**
 * Why `reader` cannot read `writer`, field by field, in words a developer can act on. `newer` says which
 * side is the new version, to phrase additions and removals the right way round.
 */
export function explain(
  reader: RecordSchema,
  writer: RecordSchema,
  direction: 'backward' | 'forward',
): { field?: string; rule: string; fix: string }[] {
  const problems: { field?: string; rule: string; fix: string }[] = [];
  const writerFields = new Map(writer.fields.map((f) => [f.name, f]));
  const readerNames = new Set(reader.fields.flatMap((f) => [f.name, ...(f.aliases ?? [])]));
  const missing = reader.fields.filter(
    (f) => ![f.name, ...(f.aliases ?? [])].some((n) => writerFields.has(n)) && f.default === undefined,
  );
  const dropped = writer.fields.filter((f) => !readerNames.has(f.name));
  for (const field of missing) {
    const renamedFrom = dropped.find((d) => describe(d.type) === describe(field.type));
    if (renamedFrom) {
      problems.push({
        field: field.name,
        rule: `field \`${renamedFrom.name}\` renamed to \`${field.name}\`: readers match fields by name, so the data of one is not the other`,
        fix:
          direction === 'backward'
            ? `add "aliases": ["${renamedFrom.name}"] to \`${field.name}\` (or keep \`${renamedFrom.name}\` and add \`${field.name}\` with a default)`
            : `keep \`${renamedFrom.name}\` and add \`${field.name}\` as a new field with a default; older readers know only \`${renamedFrom.name}\``,
      });
    } else if (direction === 'backward') {
      problems.push({
        field: field.name,
        rule: `field \`${field.name}\` added without a default: data written before it cannot be read`,
        fix: `add "default": ${exampleDefault(field.type)} to \`${field.name}\`, or make it optional: {"type": ["null", ${describe(field.type)}], "default": null}`,
      });
    } else {
      problems.push({
        field: field.name,
        rule: `field \`${field.name}\` removed, but the older schema requires it (it has no default there)`,
        fix: `keep \`${field.name}\` (mark it deprecated in its doc), or choose a mode without FORWARD for this event type`,
      });
    }
  }
  for (const field of reader.fields) {
    const theirs = writerFields.get(field.name);
    if (!theirs || canRead(field.type, theirs.type)) continue;
    problems.push({
      field: field.name,
      rule: `field \`${field.name}\` changed type from ${describe(theirs.type)} to ${describe(field.type)} (read ${direction === 'backward' ? 'new as old' : 'old as new'}), which is not one of Avro's promotions (int → long → float → double, string ↔ bytes)`,
      fix: `keep \`${field.name}\` as ${describe(direction === 'backward' ? theirs.type : field.type)} and add a new field of the new type with a default`,
    });
  }
  if (problems.length === 0) {
    problems.push({
      rule: 'the schemas do not resolve (Avro schema resolution failed)',
      fix: 'compare the record names and the nested types',
    });
  }
  return problems;
}

/**
 * Checks each version of one event type against its predecessors under `mode`: the previous version only,
 * or every earlier one for the `_TRANSITIVE` modes. Backward: the new schema reads the old data; forward: the
 * old schema reads the new data; full: both.
 */
export function checkVersions(
  eventType: string,
  mode: Mode,
  versions: readonly { version: number; schema: RecordSchema }[],
): Violation[] {
  if (mode === 'NONE') return [];
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  const backward = mode.startsWith('BACKWARD') || mode.startsWith('FULL');
  const forward = mode.startsWith('FORWARD') || mode.startsWith('FULL');
  const transitive = mode.endsWith('_TRANSITIVE');
  const violations: Violation[] = [];
  sorted.forEach((current, i) => {
    const earlier = transitive ? sorted.slice(0, i) : sorted.slice(Math.max(0, i - 1), i);
    for (const old of earlier) {
      const base = { eventType, version: current.version, against: old.version };
      if (backward && !canRead(current.schema, old.schema)) {
        violations.push(
          ...explain(current.schema, old.schema, 'backward').map((p) => ({
            ...base,
            direction: 'backward' as const,
            ...p,
          })),
        );
      }
      if (forward && !canRead(old.schema, current.schema)) {
        violations.push(
          ...explain(old.schema, current.schema, 'forward').map((p) => ({
            ...base,
            direction: 'forward' as const,
            ...p,
          })),
        );
      }
    }
  });
  return violations;
}

/** The event types of a schema folder: their mode and versions. */
export interface SchemaCatalog {
  readonly namespace: string;
  readonly types: ReadonlyMap<
    string,
    { mode: Mode; versions: { version: number; file: string; schema: RecordSchema }[] }
  >;
}

const kebab = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();

/**
 * Reads `schemas/`: `registry.json` (namespace and each type's mode) and one `<kebab-type>.v<N>.avsc` per
 * version. Convention problems (a file for an undeclared type, a name or namespace that does not match,
 * a gap in versions, a schema avsc rejects) are returned with the catalog.
 */
export function loadSchemaCatalog(dir: string): { catalog: SchemaCatalog; problems: string[] } {
  const problems: string[] = [];
  const registry = JSON.parse(readFileSync(path.join(dir, 'registry.json'), 'utf8')) as {
    namespace: string;
    types: Record<string, { compatibility: string }>;
  };
  const types = new Map<
    string,
    { mode: Mode; versions: { version: number; file: string; schema: RecordSchema }[] }
  >();
  for (const [name, declared] of Object.entries(registry.types)) {
    if (!(MODES as readonly string[]).includes(declared.compatibility)) {
      problems.push(`${name}: compatibility "${declared.compatibility}" is not one of ${MODES.join(', ')}`);
    }
    types.set(name, { mode: declared.compatibility as Mode, versions: [] });
  }
  const byKebab = new Map([...types.keys()].map((t) => [kebab(t), t]));
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.avsc'))
    .sort()) {
    const match = /^([a-z0-9-]+)\.v(\d+)\.avsc$/.exec(file);
    const eventType = match ? byKebab.get(match[1] ?? '') : undefined;
    if (!match || !eventType) {
      problems.push(`${file}: not <kebab-event-type>.v<N>.avsc for a type declared in registry.json`);
      continue;
    }
    const schema = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as RecordSchema;
    try {
      typeOf(schema);
    } catch (error: unknown) {
      problems.push(
        `${file}: not a valid Avro schema: ${error instanceof Error ? error.message : String(error)}`,
      );
      continue;
    }
    if (schema.type !== 'record' || schema.name !== eventType || schema.namespace !== registry.namespace) {
      problems.push(`${file}: must be a record named ${eventType} in namespace ${registry.namespace}`);
    }
    types.get(eventType)?.versions.push({ version: Number(match[2]), file, schema });
  }
  for (const [eventType, { versions }] of types) {
    const numbers = versions.map((v) => v.version).sort((a, b) => a - b);
    if (numbers.length === 0) problems.push(`${eventType}: declared in registry.json but has no .avsc file`);
    numbers.forEach((n, i) => {
      if (n !== i + 1)
        problems.push(`${eventType}: versions must run 1, 2, 3 … without gaps; found ${numbers.join(', ')}`);
    });
  }
  return { catalog: { namespace: registry.namespace, types }, problems: [...new Set(problems)] };
}

/**
 * A further check of a schema folder (an application's own rules, e.g. API body snapshots): one line per
 * problem. `update` asks it to record compatible changes rather than report them.
 */
export type FolderCheck = (dir: string, update: boolean) => string[];

/** Options of {@link checkSchemaFolder} and {@link assertSchemasCompatible}. */
export interface SchemaFolderOptions {
  /** Checks run after the Avro compatibility rules. @default none */
  readonly checks?: readonly FolderCheck[];
  /** Passed to each check: record compatible changes instead of reporting them. @default false */
  readonly update?: boolean;
}

/** Every violation and convention problem of a schema folder. */
export function checkSchemaFolder(
  dir: string,
  options: SchemaFolderOptions = {},
): {
  violations: Violation[];
  problems: string[];
  types: number;
  versions: number;
} {
  const { catalog, problems: catalogProblems } = loadSchemaCatalog(dir);
  const problems = [
    ...catalogProblems,
    ...(options.checks ?? []).flatMap((check) => check(dir, options.update ?? false)),
  ];
  const violations = [...catalog.types].flatMap(([eventType, { mode, versions }]) =>
    checkVersions(eventType, mode, versions),
  );
  const versions = [...catalog.types.values()].reduce((n, t) => n + t.versions.length, 0);
  return { violations, problems, types: catalog.types.size, versions };
}

/** One line per violation: `OrderConfirmed v3 vs v2 (backward): field … — fix: …`. */
export function formatViolation(v: Violation): string {
  return `${v.eventType} v${v.version} vs v${v.against} (${v.direction}): ${v.rule} — fix: ${v.fix}`;
}

/** A schema change that breaks its declared compatibility; thrown by the synth gate. */
export class SchemaCompatibilityError extends Error {
  public override readonly name = 'SchemaCompatibilityError';
}

/** The synth gate: throws with every problem when the folder's schemas break their modes or conventions. */
export function assertSchemasCompatible(
  dir: string,
  options: Omit<SchemaFolderOptions, 'update'> = {},
): void {
  const { violations, problems } = checkSchemaFolder(dir, options);
  if (violations.length === 0 && problems.length === 0) return;
  throw new SchemaCompatibilityError(
    `Event schemas in ${path.basename(dir)}/ break their compatibility rules (check them with the conflux-schemas command):\n` +
      [...problems, ...violations.map(formatViolation)].map((l) => `  - ${l}`).join('\n'),
  );
}
