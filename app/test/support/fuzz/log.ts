import type { Violation } from './checks';
import type { Answer } from './http';
import type { FuzzRequest } from './requests';

// The defect log: the distinct defects of a run.

interface Example {
  readonly request: FuzzRequest;
  readonly answer: Answer;
  readonly detail?: string;
  readonly weight: number;
}

const bytesOf = (r: FuzzRequest) =>
  r.target.length + (r.body === undefined ? 0 : Buffer.byteLength(r.body)) + JSON.stringify(r.headers).length;

/** The distinct defects of a run, each with its count and its simplest example (fewest tags, then fewest bytes). */
export class DefectLog {
  private readonly defects = new Map<
    string,
    { count: number; example: Example; tags: Map<string, number> }
  >();
  public cases = 0;

  /** Logs what is wrong with one case. */
  public add(route: string, request: FuzzRequest, answer: Answer, violations: readonly Violation[]): void {
    this.cases += 1;
    for (const v of violations) {
      const signature = `${route} | ${v.kind}`;
      const weight = request.tags.length * 1e8 + bytesOf(request);
      const known = this.defects.get(signature);
      const example = { request, answer, detail: v.detail, weight };
      const entry = known ?? { count: 0, example, tags: new Map<string, number>() };
      entry.count += 1;
      if (weight < entry.example.weight) entry.example = example;
      for (const t of request.tags) entry.tags.set(t, (entry.tags.get(t) ?? 0) + 1);
      this.defects.set(signature, entry);
    }
  }

  /** One line block per distinct defect. */
  public report(): string[] {
    return [...this.defects.entries()].map(([signature, { count, example, tags }]) => {
      const { request: r, answer: a } = example;
      const body =
        r.body === undefined ? '(none)' : `(${Buffer.byteLength(r.body)} B) ${excerpt(r.body.toString())}`;
      const answer =
        'error' in a
          ? `no answer: ${a.error}`
          : `${a.status} ${a.headers['content-type'] ?? '(no content-type)'} ${excerpt(a.body)}`;
      const headers = Object.entries(r.headers)
        .filter(([k]) => k !== 'authorization' && k !== 'x-api-key')
        .map(([k, v]) => `${k}: ${excerpt(String(v), 40)}`)
        .join(', ');
      return [
        `${signature}  [${count}×]`,
        `  request: ${r.method} ${excerpt(r.target, 160)}  {${r.labels}${headers ? `, ${headers}` : ''}}`,
        `  body:    ${body}`,
        `  tags:    ${r.tags.join(' ') || '(none)'}`,
        `  answer:  ${answer}`,
        ...(example.detail ? [`  detail:  ${excerpt(example.detail, 200)}`] : []),
        // Which adversarial parts the occurrences share tells one cause from several.
        `  seen with: ${[...tags.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 6)
          .map(([t, n]) => `${t} (${n})`)
          .join(', ')}`,
      ].join('\n');
    });
  }
}

function excerpt(s: string, max = 300): string {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max)}… (${s.length} chars)` : flat;
}
