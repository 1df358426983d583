import type { AthenaClient } from '@aws-sdk/client-athena';
import { describe, expect, it } from 'vitest';
import { findNamedQuery, formatRows, LakeQueryError } from '../../ops/lake-query';

/** An Athena client answering ListWorkGroups, ListNamedQueries and BatchGetNamedQuery from `groups`. */
function athenaOf(groups: Record<string, { id: string; name: string }[]>): AthenaClient {
  const send = (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    switch (command.constructor.name) {
      case 'ListWorkGroupsCommand':
        return Promise.resolve({
          WorkGroups: Object.keys(groups).map((Name) => ({ Name, State: 'ENABLED' })),
        });
      case 'ListNamedQueriesCommand':
        return Promise.resolve({
          NamedQueryIds: (groups[command.input.WorkGroup as string] ?? []).map((q) => q.id),
        });
      case 'BatchGetNamedQueryCommand': {
        const ids = command.input.NamedQueryIds as string[];
        const all = Object.entries(groups).flatMap(([WorkGroup, qs]) => qs.map((q) => ({ ...q, WorkGroup })));
        return Promise.resolve({
          NamedQueries: all
            .filter((q) => ids.includes(q.id))
            .map((q) => ({
              NamedQueryId: q.id,
              Name: q.name,
              WorkGroup: q.WorkGroup,
              Database: 'lake',
              QueryString: 'SELECT 1',
            })),
        });
      }
      default:
        return Promise.reject(new Error(`unexpected ${command.constructor.name}`));
    }
  };
  return { send } as unknown as AthenaClient;
}

describe('finding a named query', () => {
  it('finds it by name in whichever workgroup holds it', async () => {
    // GIVEN two workgroups, the query in the second
    const athena = athenaOf({ primary: [{ id: 'q1', name: 'other' }], lake: [{ id: 'q2', name: 'daily' }] });
    // WHEN it is looked up THEN its workgroup and database come with it
    expect(await findNamedQuery(athena, 'daily')).toMatchObject({
      NamedQueryId: 'q2',
      WorkGroup: 'lake',
      Database: 'lake',
    });
  });

  it('fails naming the known queries when none has the name', async () => {
    const athena = athenaOf({
      lake: [
        { id: 'q1', name: 'b' },
        { id: 'q2', name: 'a' },
      ],
    });
    await expect(findNamedQuery(athena, 'nope')).rejects.toThrow(
      new LakeQueryError('no named query "nope"; the named queries are: a, b'),
    );
  });

  it('fails asking for --workgroup when two workgroups have the name', async () => {
    const athena = athenaOf({ dev: [{ id: 'q1', name: 'daily' }], prod: [{ id: 'q2', name: 'daily' }] });
    await expect(findNamedQuery(athena, 'daily')).rejects.toThrow('workgroups dev, prod: pass --workgroup');
    expect(await findNamedQuery(athena, 'daily', 'prod')).toMatchObject({ NamedQueryId: 'q2' });
  });
});

describe('printing rows', () => {
  const columns = ['deviceid', 'readings', 'note'];
  const rows = [
    ['dev-1', '3', null],
    ['dev-22', '10', 'said "hi", twice'],
  ];

  it('aligns a table, NULL for a null, with a row count', () => {
    expect(formatRows(columns, rows, 'table')).toBe(
      [
        'deviceid  readings  note',
        '--------  --------  ----------------',
        'dev-1     3         NULL',
        'dev-22    10        said "hi", twice',
        '(2 rows)',
        '',
      ].join('\n'),
    );
  });

  it('writes CSV with a header, quoting what needs it, an empty field for a null', () => {
    expect(formatRows(columns, rows, 'csv')).toBe(
      'deviceid,readings,note\r\ndev-1,3,\r\ndev-22,10,"said ""hi"", twice"\r\n',
    );
  });

  it('writes JSON objects by column, null kept', () => {
    expect(JSON.parse(formatRows(columns, rows, 'json'))).toEqual([
      { deviceid: 'dev-1', readings: '3', note: null },
      { deviceid: 'dev-22', readings: '10', note: 'said "hi", twice' },
    ]);
  });
});
