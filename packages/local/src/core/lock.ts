import { existsSync, linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** A process as the lock names it: its pid, and its command line to tell it from one that reused the pid. */
export interface ProcessIdentity {
  readonly pid: number;
  /** The command line (`/proc/<pid>/cmdline`, else `process.argv`). */
  readonly argv: readonly string[];
}

/** The `conflux local` that holds a state folder, as its lock file says. */
export interface LockHolder extends ProcessIdentity {
  /** ISO time the run started. */
  readonly startedAt: string;
  /** The gateway's base URL, once it listens. */
  readonly baseUrl?: string;
}

/** Another `conflux local` that is alive holds the state folder. */
export class StateLockedError extends Error {
  public override readonly name = 'StateLockedError';

  constructor(
    public readonly file: string,
    public readonly holder: LockHolder,
  ) {
    const serving = holder.baseUrl ? `serving ${holder.baseUrl}` : 'still starting';
    super(
      `another conflux local is running in this folder (pid ${holder.pid}, ${serving}, started ${holder.startedAt}); ` +
        `stop it first (kill ${holder.pid}), or start this one from another folder`,
    );
  }
}

/** A state folder held by this process. */
export interface StateLock {
  readonly file: string;
  /** The holder this run took the lock over from: dead, or its pid now runs something else. */
  readonly takenFrom?: LockHolder;
  /** Adds what became known since the start (the base URL). */
  update(fields: Pick<LockHolder, 'baseUrl'>): void;
  /** Removes the lock file if it still names this process; safe to call more than once. */
  release(): void;
}

const hasProc = () => existsSync('/proc/self/cmdline');

function commandLine(pid: number | 'self'): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

/** This process, as a lock or `pids.json` names it. */
export function ownIdentity(): ProcessIdentity {
  return { pid: process.pid, argv: (hasProc() && commandLine('self')) || process.argv };
}

/**
 * Whether `identity` is a process that is alive and still runs the command it recorded. Where `/proc` is
 * missing (macOS) a live pid is taken at its word.
 */
export function isAlive(identity: ProcessIdentity): boolean {
  try {
    process.kill(identity.pid, 0);
  } catch (error: unknown) {
    // EPERM: alive, but another user's.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!hasProc()) return true;
  const argv = commandLine(identity.pid);
  return argv !== undefined && argv.join('\0') === identity.argv.join('\0');
}

function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function parseHolder(raw: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(raw) as Partial<LockHolder>;
    if (typeof holder.pid !== 'number' || !Array.isArray(holder.argv)) return undefined;
    return { startedAt: '?', ...holder, pid: holder.pid, argv: holder.argv };
  } catch {
    return undefined;
  }
}

/** Writes `holder` to `file` only if no file is there: the link fails if one is, and never shows half a file. */
function create(file: string, holder: LockHolder): boolean {
  const staging = `${file}.${process.pid}.tmp`;
  writeFileSync(staging, `${JSON.stringify(holder)}\n`);
  try {
    linkSync(staging, file);
    return true;
  } catch (error: unknown) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(staging, { force: true });
  }
}

/**
 * Takes `<stateDir>/lock` for this process, so that one `conflux local` at a time runs from a state folder.
 * A lock whose holder is dead, or whose pid now runs another command, is taken over (once); a live holder
 * makes it throw {@link StateLockedError} without touching anything.
 */
export function acquireLock(stateDir: string): StateLock {
  const file = path.join(stateDir, 'lock');
  let me: LockHolder = { ...ownIdentity(), startedAt: new Date().toISOString() };
  let takenFrom: LockHolder | undefined;
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (create(file, me)) {
      const ours = () => parseHolder(readIfThere(file) ?? '')?.pid === me.pid;
      return {
        file,
        takenFrom,
        update(fields) {
          if (!ours()) return;
          me = { ...me, ...fields };
          const staging = `${file}.${process.pid}.tmp`;
          writeFileSync(staging, `${JSON.stringify(me)}\n`);
          renameSync(staging, file);
        },
        release() {
          if (ours()) rmSync(file, { force: true });
        },
      };
    }
    const raw = readIfThere(file);
    if (raw === undefined) continue; // Released meanwhile.
    const holder = parseHolder(raw);
    if (holder && isAlive(holder)) throw new StateLockedError(file, holder);
    // An unreadable lock names no one to keep it for.
    takenFrom = holder;
    // Removed only if unchanged: another start may have taken it over since it was read.
    if (readIfThere(file) === raw) rmSync(file, { force: true });
  }
  throw new Error(`${file} was taken by another start at the same moment; try again`);
}
