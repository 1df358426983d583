import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildConfluxApp, type ConfluxStacks } from '../../app';
import { devAuthConfig, devIssuerKeys, issueDevToken, type DevTokenOptions } from '@conflux/local';
import { runApp, type RunningApp } from '../../../test/support/runtime';

/** The reference application running offline, with the dev issuer as its token issuer. */
export interface ReferenceApp {
  readonly running: RunningApp;
  readonly stacks: ConfluxStacks;
  readonly baseUrl: string;
  /** API key values by tier. */
  readonly keys: Readonly<Record<string, string>>;
  /** A token from the dev issuer the app trusts. */
  token(options: Partial<DevTokenOptions>): Promise<string>;
  /** The key directory of the dev issuer (to sign tokens it should reject, with its own keys). */
  readonly issuerDir: string;
  stop(): Promise<void>;
}

/**
 * Synthesizes the reference app with `api` as `conflux:api` (and any other `context`) and runs it with the
 * dev issuer.
 */
export async function runReferenceApp(
  api: Record<string, unknown> = {},
  context: Record<string, unknown> = {},
): Promise<ReferenceApp> {
  const issuerDir = mkdtempSync(path.join(tmpdir(), 'conflux-issuer-'));
  const { jwks } = await devIssuerKeys(issuerDir);
  let stacks: ConfluxStacks | undefined;
  const running = await runApp(
    (app) => {
      stacks = buildConfluxApp(app);
    },
    { context: { ...context, 'conflux:auth': devAuthConfig(jwks), 'conflux:api': api } },
  );
  if (!stacks) throw new Error('the app was not built');
  const built = stacks;
  const keys = Object.fromEntries(
    Object.entries(running.runtime.apiKeys).map(([plan, value]) => [
      plan.replace(/^conflux-[a-z0-9-]+?-/, ''),
      value,
    ]),
  );
  return {
    running,
    stacks: built,
    baseUrl: running.runtime.baseUrl ?? '',
    keys,
    issuerDir,
    token: (options) => issueDevToken(issuerDir, { subject: 'alice', scopes: '', ...options }),
    async stop() {
      await running.stop();
      rmSync(issuerDir, { recursive: true, force: true });
    },
  };
}
