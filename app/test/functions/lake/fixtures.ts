import type { EtlWindow } from '@conflux/constructs/contracts';
import type { CustomerItem } from '../../../functions/lake/domain';

/** A customers-table item as the API writes it; `overrides` may set a field to undefined to drop it. */
export function customerItem(overrides: Record<string, unknown> = {}): CustomerItem {
  const item: Record<string, unknown> = {
    customerId: '0b7f9a52-3c1e-4d8a-9f00-000000000001',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    phone: '+442079460958',
    createdAt: '2026-12-01T09:00:00.000Z',
    updatedAt: '2026-12-02T10:00:00.000Z',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined));
}

const compact = (iso: string) => iso.replace(/[-:.]/g, '');

/** A window `from < updatedAt <= to`, with its id in the contract's compact form. */
export function window(from: string, to: string): EtlWindow {
  return { from, to, id: `${compact(from)}_${compact(to)}` };
}
