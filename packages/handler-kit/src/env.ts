/** Thrown at module load when a function is deployed without a variable it needs. */
export class MissingEnvironmentError extends Error {
  public override readonly name = 'MissingEnvironmentError';
}

/**
 * Reads a required environment variable. Call it at module scope so a misconfigured function fails at
 * its cold start, naming the variable, rather than on some later record.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new MissingEnvironmentError(
      `Environment variable ${name} is not set: the stack must pass it to this function.`,
    );
  }
  return value;
}
