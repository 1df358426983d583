import type { PersistedMessage, QueueSnapshot } from '../../core/persistence.js';

/** The part of one of fauxqs's (1.9) queues a snapshot reads and refills. */
interface FauxqsQueue {
  readonly name: string;
  inspectMessages(): {
    ready: PersistedMessage[];
    delayed: PersistedMessage[];
    inflight: { message: PersistedMessage }[];
  };
  enqueue(message: PersistedMessage): void;
}

/** The part of fauxqs's `SqsStore` (1.9) a snapshot reads and refills. */
interface FauxqsSqsStore {
  listQueues(): FauxqsQueue[];
  getQueueByName(name: string): FauxqsQueue | undefined;
}

function isStore(store: unknown): store is FauxqsSqsStore {
  return (
    typeof store === 'object' &&
    store !== null &&
    typeof (store as Partial<FauxqsSqsStore>).listQueues === 'function' &&
    typeof (store as Partial<FauxqsSqsStore>).getQueueByName === 'function'
  );
}

function storeOf(store: unknown): FauxqsSqsStore {
  if (!isStore(store)) {
    throw new Error(
      'fauxqs SQS store has no listQueues/getQueueByName: check the fauxqs version (1.9 expected)',
    );
  }
  return store;
}

/**
 * Every message of every queue, read from fauxqs's store without receiving it: ready, in flight (kept as
 * ready, as it would be once its visibility timeout ends) and delayed (with the time it becomes visible).
 * Queues with no message are left out.
 */
export function snapshotQueues(store: unknown): QueueSnapshot {
  const snapshot: Record<string, PersistedMessage[]> = {};
  for (const queue of storeOf(store).listQueues()) {
    const { ready, inflight, delayed } = queue.inspectMessages();
    const messages = [...inflight.map((entry) => entry.message), ...ready, ...delayed].map(
      ({ delayUntil, ...message }) => ({
        ...message,
        ...(delayUntil !== undefined && delayUntil > Date.now() ? { delayUntil } : {}),
      }),
    );
    if (messages.length > 0) snapshot[queue.name] = messages;
  }
  return snapshot;
}

/**
 * Puts a snapshot's messages back into the queues of the same name, with their ids, bodies, attributes and
 * receive counts. Returns the number restored and the names of the queues the application no longer has,
 * whose messages are dropped.
 */
export function restoreQueues(
  store: unknown,
  snapshot: QueueSnapshot,
): { readonly restored: number; readonly dropped: readonly string[] } {
  const fauxqs = storeOf(store);
  let restored = 0;
  const dropped: string[] = [];
  for (const [name, messages] of Object.entries(snapshot)) {
    const queue = fauxqs.getQueueByName(name);
    if (!queue) {
      dropped.push(name);
      continue;
    }
    for (const message of messages) queue.enqueue({ ...message });
    restored += messages.length;
  }
  return { restored, dropped };
}
