import type { DomainEvent } from '@conflux/handler-kit';

/** One increment of the per-day, per-type event counter. */
export interface CounterIncrement {
  /** `<eventType>#<yyyy-mm-dd>` of the event's own time (not the time it arrived). */
  readonly counterId: string;
  readonly eventType: string;
  readonly day: string;
}

/** Decides which counter an event increments. */
export function counterFor(event: DomainEvent): CounterIncrement {
  const day = new Date(event.occurredAt).toISOString().slice(0, 10);
  return { counterId: `${event.eventType}#${day}`, eventType: event.eventType, day };
}
