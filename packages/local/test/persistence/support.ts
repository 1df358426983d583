import * as path from 'node:path';
import { startRuntime, type RunningRuntime } from '../../src/core/runtime.js';

/** Starts the runtime on an assembly with a state folder (`--persist`), quietly. */
export const startPersisted = (cdkOut: string, persistDir: string): Promise<RunningRuntime> =>
  startRuntime({
    cdkOut,
    stateDir: path.join(cdkOut, '.conflux'),
    port: 0,
    persistDir,
    log: () => undefined,
  });
