import { hostId, requestId, type ObjectChange, type ObjectEvent } from './notifications.js';

/** What fauxqs's S3 store reports to its spy: `uploaded` (put or multipart), `copied` (after the put of a copy), `deleted`. */
interface SpyEvent {
  readonly service?: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly status?: string;
}

interface Spy {
  addMessage(message: SpyEvent): void;
}

/** The part of fauxqs's `S3Store` (1.9) the watch reads: its spy slot and its objects. */
interface FauxqsS3Store {
  spy?: Spy;
  readonly buckets: Map<string, Map<string, { contentLength?: number; etag?: string }>>;
}

function isStore(store: unknown): store is FauxqsS3Store {
  return typeof store === 'object' && store !== null && 'buckets' in store && store.buckets instanceof Map;
}

/**
 * Every object created or deleted in fauxqs's S3, whoever asked for it (functions through the SDK, tests,
 * the gateway): fauxqs's store tells its spy of each upload, copy and deletion synchronously, within the
 * request, so nothing that reaches the store is missed and nothing else is needed in front of it. A copy
 * is reported as an upload followed by `copied` for the same key, within the same call: uploads wait for
 * the end of the current task, where a `copied` that followed turns them into copies. A multipart upload
 * is told by its ETag (`"<md5>-<parts>"`).
 */
export function watchObjects(store: unknown, onEvent: (event: ObjectEvent) => void): void {
  new ObjectWatch(store, onEvent).attach();
}

class ObjectWatch {
  private pending: { bucket: string; key: string; change: ObjectChange; size?: number; eTag?: string }[] = [];
  private sequence = 0n;
  private readonly base = BigInt(Date.now()) << 20n;

  constructor(
    private readonly store: unknown,
    private readonly onEvent: (event: ObjectEvent) => void,
  ) {}

  public attach(): void {
    const store = this.store;
    if (!isStore(store)) {
      throw new Error('fauxqs S3 store has no buckets map: check the fauxqs version (1.9 expected)');
    }
    const previous = store.spy;
    store.spy = {
      addMessage: (message) => {
        previous?.addMessage(message);
        this.observe(store, message);
      },
    };
  }

  private observe(store: FauxqsS3Store, { service, bucket, key, status }: SpyEvent): void {
    if (service !== 's3' || bucket === undefined || key === undefined) return;
    if (status === 'copied') {
      const last = this.pending.at(-1);
      if (last?.bucket === bucket && last.key === key) last.change = 'Copy';
      return;
    }
    if (status === 'uploaded') {
      const object = store.buckets.get(bucket)?.get(key);
      const eTag = object?.etag?.replaceAll('"', '');
      const change = eTag?.includes('-') ? 'CompleteMultipartUpload' : 'Put';
      this.queue({ bucket, key, change, size: object?.contentLength, eTag });
    } else if (status === 'deleted') {
      this.queue({ bucket, key, change: 'Delete' });
    }
  }

  private queue(event: (typeof this.pending)[number]): void {
    if (this.pending.length === 0)
      queueMicrotask(() => {
        this.flush();
      });
    this.pending.push(event);
  }

  private flush(): void {
    const events = this.pending;
    this.pending = [];
    const time = new Date();
    const request = { requestId: requestId(), hostId: hostId() };
    for (const event of events) {
      this.sequence += 1n;
      const sequencer = (this.base + this.sequence).toString(16).toUpperCase().padStart(18, '0');
      this.onEvent({ ...event, time, sequencer, ...request });
    }
  }
}
