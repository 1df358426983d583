/** The health report of the API. */
export interface Health {
  readonly status: 'ok';
  readonly version: string;
}

/** The API is healthy when this function runs; the version says which build answers. */
export function health(version: string): Health {
  return { status: 'ok', version };
}
