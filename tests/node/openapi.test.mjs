// GET /api/v1/openapi.json from the real server, without credentials, checked by a real
// OpenAPI validator (@apidevtools/swagger-parser): a valid OpenAPI 3.1 document whose
// every operation the server answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { tempDir, removeDir, tandem, serve, exited } from './harness.mjs';

test('the served OpenAPI document validates and every operation in it is answered', async () => {
  const dir = tempDir();
  const db = path.join(dir, 'tandem.db');
  tandem(db, 'migrate');
  const server = await serve(db);
  try {
    const res = await fetch(`${server.url}/api/v1/openapi.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /^application\/json/);
    const document = await res.json();
    assert.equal(document.openapi, '3.1.0');
    // validate() rejects with the first problem: a bad $ref, a path parameter that is
    // not declared, a schema that is not one, a duplicate operationId, …
    const api = await SwaggerParser.validate(structuredClone(document));
    assert.ok(Object.keys(api.paths).length > 20, 'the API has its routes');
    for (const [route, operations] of Object.entries(document.paths)) {
      assert.ok(route.startsWith('/api/v1/'), route);
      const target = route.replace(/\{[^}]+\}/g, 'x1');
      const placeholders = [...route.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const [method, operation] of Object.entries(operations)) {
        const declared = operation.parameters.filter((p) => p.in === 'path').map((p) => p.name).sort();
        assert.deepEqual(declared, placeholders, `${method} ${route} declares its path parameters`);
        const answer = await fetch(`${server.url}${target}`, {
          method: method.toUpperCase(),
          body: method === 'get' ? undefined : '{}',
        });
        const expected = operation.security.length === 0 ? 200 : 401;
        assert.equal(answer.status, expected, `${method.toUpperCase()} ${route}`);
      }
    }
  } finally {
    server.kill('SIGTERM');
    await exited(server);
    removeDir(dir);
  }
});
