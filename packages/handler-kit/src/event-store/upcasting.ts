import type { StoredEvent, Upcasters } from './types.js';

/**
 * Upgrades an event read from the store to the newest schema version its type has upcasters for, one
 * version at a time; stored history is never rewritten.
 */
export function upcast(event: StoredEvent, upcasters: Upcasters): StoredEvent {
  const chain = upcasters[event.type];
  if (!chain) return event;
  let current = event;
  for (;;) {
    const step = chain[current.schemaVersion];
    if (!step) return current;
    current = { ...current, data: step(current.data), schemaVersion: current.schemaVersion + 1 };
  }
}
