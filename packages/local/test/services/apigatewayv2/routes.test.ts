import { describe, expect, it } from 'vitest';
import { parseRouteKey, RouteTable, stageOf } from '../../../src/services/apigatewayv2/routes.js';
import type { RouteSpec, StageSpec } from '../../../src/services/apigatewayv2/types.js';

/** A route with no authorizer, its integration named after its key. */
const route = (routeKey: string): RouteSpec => ({
  routeKey,
  authorizationType: 'NONE',
  authorizationScopes: [],
  integrationId: routeKey,
});

const stage = (name: string): StageSpec => ({ name, variables: {}, routeThrottles: {} });

describe('HTTP API route keys', () => {
  it('take a method and a path apart, and $default has neither', () => {
    // GIVEN route keys as the template writes them
    // WHEN they are parsed
    // THEN each has its method and segments
    expect(parseRouteKey('GET /items/{id}')).toEqual({ method: 'GET', segments: ['items', '{id}'] });
    expect(parseRouteKey('ANY /')).toEqual({ method: 'ANY', segments: [] });
    expect(parseRouteKey('$default')).toEqual({});
  });

  it('refuse a key with an unknown method or a greedy variable before the last segment', () => {
    // GIVEN keys HTTP APIs reject
    // WHEN they are parsed
    // THEN none is a route key
    expect(parseRouteKey('FETCH /items')).toBeUndefined();
    expect(parseRouteKey('GET /{proxy+}/more')).toBeUndefined();
    expect(parseRouteKey('GET items')).toBeUndefined();
  });
});

describe('HTTP API route matching', () => {
  // GIVEN routes of every kind, in an order that is not the one they are tried in
  const table = new RouteTable(
    [
      '$default',
      'ANY /{proxy+}',
      'GET /items/{id}',
      'ANY /items/{id}',
      'GET /items/special',
      'GET /items',
      'POST /files/{path+}',
    ].map(route),
  );
  const match = (path: string, method = 'GET') => {
    const m = table.match(path, method);
    return m && { routeKey: m.route.routeKey, ...m.pathParameters };
  };

  it('prefers a literal segment to a path variable', () => {
    // WHEN a path matches both a literal and a variable route
    // THEN the literal one wins
    expect(match('/items/special')).toEqual({ routeKey: 'GET /items/special' });
  });

  it('prefers a path variable to a greedy one, and passes its decoded value', () => {
    // GIVEN a path matching both a variable and a greedy route
    // THEN the variable route wins, its value decoded
    expect(match('/items/a%20b')).toEqual({ routeKey: 'GET /items/{id}', id: 'a b' });
  });

  it("prefers a route of the request's method to an ANY route of the same path", () => {
    // GIVEN GET and DELETE on a path with a GET and an ANY route
    // THEN GET takes the GET route, DELETE the ANY one
    expect(match('/items/42', 'GET')).toMatchObject({ routeKey: 'GET /items/{id}' });
    expect(match('/items/42', 'DELETE')).toMatchObject({ routeKey: 'ANY /items/{id}' });
  });

  it('lets a greedy variable take every remaining segment', () => {
    // GIVEN nested paths under greedy routes
    // THEN the greedy variable holds the rest of the path
    expect(match('/files/a/b/c.txt', 'POST')).toEqual({ routeKey: 'POST /files/{path+}', path: 'a/b/c.txt' });
    expect(match('/other/x')).toEqual({ routeKey: 'ANY /{proxy+}', proxy: 'other/x' });
  });

  it('sends what no route matches to $default, including the root a greedy route does not take', () => {
    // GIVEN the root path, which ANY /{proxy+} does not match
    // THEN $default takes it
    expect(match('/')).toEqual({ routeKey: '$default' });
  });

  it('matches nothing when there is no $default route', () => {
    // GIVEN an API with one route
    const bare = new RouteTable([route('GET /items')]);
    // WHEN another path or method is asked for
    // THEN nothing matches (the server answers 404)
    expect(bare.match('/items', 'POST')).toBeUndefined();
    expect(bare.match('/things', 'GET')).toBeUndefined();
  });
});

describe('HTTP API stages', () => {
  const stages = new Map([
    ['$default', stage('$default')],
    ['dev', stage('dev')],
  ]);

  it('serve a named stage under its name and $default at the root', () => {
    // GIVEN paths with and without the named stage's prefix
    // THEN the prefix picks the named stage, and is not part of the route's path
    expect(stageOf(stages, '/dev/items')).toEqual({ stage: stages.get('dev'), path: '/items' });
    expect(stageOf(stages, '/dev')).toEqual({ stage: stages.get('dev'), path: '/' });
    expect(stageOf(stages, '/items')).toEqual({ stage: stages.get('$default'), path: '/items' });
  });

  it('serve nothing outside a named stage when there is no $default stage', () => {
    // GIVEN an API with only a named stage, and a path without its prefix
    const named = new Map([['dev', stage('dev')]]);
    // THEN no stage serves it
    expect(stageOf(named, '/items')).toBeUndefined();
  });
});
