import { describe, expect, it } from 'vitest';
import { FAILURES } from '../../../../src/services/apigateway/failures.js';
import { Router, type RouteMatch } from '../../../../src/services/apigateway/request/route.js';
import type { Failed } from '../../../../src/services/apigateway/request/chain.js';
import { api, method } from './fixtures.js';

describe('Router (the method a request is for)', () => {
  const router = new Router(
    api({
      resources: new Map([
        ['items', { parentId: 'root', pathPart: 'items' }],
        ['item', { parentId: 'items', pathPart: '{id}' }],
        ['special', { parentId: 'items', pathPart: 'special' }],
        ['proxy', { parentId: 'root', pathPart: '{proxy+}' }],
      ]),
      methods: [
        method({ resourceId: 'items', httpMethod: 'GET' }),
        method({ resourceId: 'item', httpMethod: 'GET' }),
        method({ resourceId: 'item', httpMethod: 'ANY' }),
        method({ resourceId: 'special', httpMethod: 'GET' }),
        method({ resourceId: 'proxy', httpMethod: 'ANY' }),
      ],
    }),
  );
  const route = (path: string, httpMethod = 'GET') => router.route(path, httpMethod);
  const matched = (routed: RouteMatch | Failed) => {
    if ('failure' in routed) throw new Error(`not routed: ${routed.failure.type}`);
    return { template: routed.route.template, method: routed.method.httpMethod, ...routed.pathParameters };
  };

  it('prefers a literal segment to a parameter, and a parameter to a greedy one', () => {
    expect(matched(route('/items/special'))).toEqual({ template: '/items/special', method: 'GET' });
    expect(matched(route('/items/42'))).toEqual({ template: '/items/{id}', method: 'GET', id: '42' });
    expect(matched(route('/items/42/x'))).toEqual({
      template: '/{proxy+}',
      method: 'ANY',
      proxy: 'items/42/x',
    });
  });

  it('falls back to the resource’s ANY method, then to a later route', () => {
    expect(matched(route('/items/42', 'DELETE'))).toMatchObject({ template: '/items/{id}', method: 'ANY' });
    expect(matched(route('/items', 'POST'))).toMatchObject({ template: '/{proxy+}', proxy: 'items' });
  });

  it('decodes a parameter segment but not a greedy one', () => {
    expect(matched(route('/items/a%20b'))).toMatchObject({ id: 'a b' });
    expect(matched(route('/x/a%20b'))).toMatchObject({ proxy: 'x/a%20b' });
  });

  it('answers 400 for a parameter that is not percent-encoded UTF-8', () => {
    expect(route('/items/%E0%80%80')).toEqual({ failure: FAILURES.undecodablePath });
  });

  it('answers 403 Missing Authentication Token where no method matches', () => {
    const bare = new Router(
      api({
        resources: new Map([['items', { parentId: 'root', pathPart: 'items' }]]),
        methods: [method({ resourceId: 'items' })],
      }),
    );
    expect(bare.route('/', 'GET')).toEqual({ failure: FAILURES.missingToken });
    expect(bare.route('/items', 'POST')).toEqual({ failure: FAILURES.missingToken });
  });

  it('refuses an API whose method hangs on an undefined resource', () => {
    expect(() => new Router(api({ methods: [method({ resourceId: 'ghost' })] }))).toThrow(
      'API api1: resource ghost is not defined',
    );
  });
});
