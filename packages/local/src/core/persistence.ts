import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** A message of a queue as kept across runs: fauxqs's own message record. */
export interface PersistedMessage {
  readonly messageId: string;
  readonly body: string;
  readonly md5OfBody: string;
  readonly messageAttributes: Record<
    string,
    { DataType: string; StringValue?: string; BinaryValue?: string }
  >;
  readonly md5OfMessageAttributes: string;
  readonly sentTimestamp: number;
  readonly approximateReceiveCount: number;
  readonly approximateFirstReceiveTimestamp?: number;
  /** Epoch ms a delayed message becomes visible. */
  readonly delayUntil?: number;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
  readonly sequenceNumber?: string;
}

/** The messages of every queue at the last stop, by queue name. */
export type QueueSnapshot = Readonly<Record<string, readonly PersistedMessage[]>>;

/**
 * Where each stream event source mapping had got to at the last stop, by mapping (`<stack>/<logicalId>`):
 * the stream it read and, per shard, the sequence number of the last record it was done with.
 */
export type StreamPositions = Readonly<
  Record<string, { readonly sourceArn: string; readonly shards: Readonly<Record<string, string>> }>
>;

/** Raised when the persisted state does not fit the application as synthesized now. */
export class PersistedStateMismatchError extends Error {
  public override readonly name = 'PersistedStateMismatchError';
}

/** The end of every mismatch message: what the user does about it. */
export const RESET_HINT = 'run `npm start -- --reset` (conflux local --reset) to start from empty state';

/** Version of the folder's layout; a folder written by another version is refused with {@link RESET_HINT}. */
export const STATE_FORMAT = 1;

/** `state.json`: written once a run has started on the folder. */
interface StateMarker {
  readonly format: number;
  readonly startedAt: string;
}

/**
 * The state folder of `conflux local --persist` (`.conflux/state`): DynamoDB Local's `-dbPath`
 * (`dynamodb/`), kinesalite's LevelDB (`kinesis/`), the SQS messages (`sqs.json`), S3 objects (`s3/`)
 * and stream mappings' positions (`stream-positions.json`) at the last stop, the generated API keys
 * (`api-keys.json`), and `state.json`, which says a run started on it.
 */
export class PersistentState {
  /** The folder, absolute. */
  public readonly dir: string;
  /** DynamoDB Local's `-dbPath`: one SQLite file per access key and Region. */
  public readonly dynamodbDir: string;
  /** kinesalite's LevelDB folder. */
  public readonly kinesisDir: string;
  /** The S3 objects at the last stop: `objects.json` and one file per object body. */
  public readonly s3Dir: string;
  /**
   * The folder holds the state of an earlier run that started (its `state.json`): tables, streams and
   * keys come back, so a seed should not be applied again over what the user changed since.
   */
  public readonly restored: boolean;
  private readonly apiKeys: Record<string, string>;
  private queues: Map<string, readonly PersistedMessage[]>;

  /** Opens (and makes, when missing) a state folder; a folder of another format or with broken files is refused. */
  constructor(dir: string) {
    this.dir = path.resolve(dir);
    this.dynamodbDir = path.join(this.dir, 'dynamodb');
    this.kinesisDir = path.join(this.dir, 'kinesis');
    this.s3Dir = path.join(this.dir, 's3');
    const marker = readJson(this.file('state.json')) as StateMarker | undefined;
    if (marker !== undefined && marker.format !== STATE_FORMAT) {
      throw new PersistedStateMismatchError(
        `${this.dir} holds state of format ${String(marker.format)}; this version keeps format ${STATE_FORMAT}: ${RESET_HINT}`,
      );
    }
    this.restored = marker !== undefined;
    mkdirSync(this.dynamodbDir, { recursive: true });
    mkdirSync(this.kinesisDir, { recursive: true });
    this.apiKeys = (readJson(this.file('api-keys.json')) as Record<string, string> | undefined) ?? {};
    this.queues = new Map(
      Object.entries((readJson(this.file('sqs.json')) as QueueSnapshot | undefined) ?? {}),
    );
  }

  /** Records that a run started on the folder: from now on it is {@link restored} at the next start. */
  public markStarted(): void {
    writeJson(this.file('state.json'), { format: STATE_FORMAT, startedAt: new Date().toISOString() });
  }

  /**
   * The value of a generated API key, by `<stack>/<logicalId>`: the one kept from an earlier run, else
   * `generate()`'s, kept now.
   */
  public apiKey(id: string, generate: () => string): string {
    const kept = this.apiKeys[id];
    if (kept !== undefined) return kept;
    const value = generate();
    this.apiKeys[id] = value;
    writeJson(this.file('api-keys.json'), this.apiKeys);
    return value;
  }

  /**
   * Takes every queue's messages at the last stop, and forgets them on disk: after a crash (no clean stop
   * to save them again), the next start does not deliver them a second time.
   */
  public takeQueues(): QueueSnapshot {
    const snapshot = Object.fromEntries(this.queues);
    this.queues = new Map();
    writeJson(this.file('sqs.json'), {});
    return snapshot;
  }

  /** Keeps every queue's messages for the next run, replacing what the last stop kept. */
  public saveQueues(snapshot: QueueSnapshot): void {
    this.queues = new Map(Object.entries(snapshot));
    writeJson(this.file('sqs.json'), snapshot);
  }

  /** Each stream mapping's shard positions at the last stop (empty on a fresh folder). */
  public streamPositions(): StreamPositions {
    return (readJson(this.file('stream-positions.json')) as StreamPositions | undefined) ?? {};
  }

  /** Keeps each stream mapping's shard positions for the next run, replacing what the last stop kept. */
  public saveStreamPositions(positions: StreamPositions): void {
    writeJson(this.file('stream-positions.json'), positions);
  }

  private file(name: string): string {
    return path.join(this.dir, name);
  }
}

/**
 * Deletes a state folder (`conflux local --reset`), so the next start with it is empty; a missing folder is
 * no error. Call it only while no runtime runs on the folder.
 */
export function clearPersistentState(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error: unknown) {
    throw new PersistedStateMismatchError(`${file} is not valid JSON: ${RESET_HINT}`, { cause: error });
  }
}

/** Writes through a temporary file and a rename, so a crash mid-write never leaves half a file. */
export function writeJson(file: string, value: unknown): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temporary, file);
}

const byOwner = new WeakMap<object, PersistentState>();

/** Ties a runtime's state folder to one of its engine clients or service states, for provisioners to find. */
export function attachPersistentState(owner: object, state: PersistentState): void {
  byOwner.set(owner, state);
}

/**
 * The state folder of the runtime an engine client or service state belongs to, or undefined when it runs
 * in memory. Provisioners see engine clients and service states only, so the folder is found from one.
 */
export function persistentStateOf(owner: object): PersistentState | undefined {
  return byOwner.get(owner);
}
