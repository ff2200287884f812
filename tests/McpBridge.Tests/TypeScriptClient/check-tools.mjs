// Drives the built Herald MCP bridge over stdio (or, with HERALD_MCP_URL, over Streamable HTTP with the key in
// HERALD_MCP_KEY) with the official MCP TypeScript SDK client, the stack that
// Claude Desktop, Cursor and many other clients are built on. It lists the tools (the SDK refuses schemas it cannot
// parse), checks that no schema anywhere is a boolean schema, then calls every tool with valid arguments (the SDK
// checks structuredContent against the declared outputSchema; so does this script, with Ajv) and with bad ones
// (each must come back as a tool error or a JSON-RPC error with a message, never a hang or a crash).
// Prints one JSON report on stdout and exits non-zero when anything failed.
//
// Environment: HERALD_BRIDGE_DLL or HERALD_MCP_URL and HERALD_MCP_KEY, HERALD_GATEWAY_URL, HERALD_RECEIVER_URL, HERALD_GITHUB_SECRET, HERALD_GITHUB_PUSH (a payload file).
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import Ajv from 'ajv';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const gateway = env('HERALD_GATEWAY_URL').replace(/\/$/, '');
const receiver = env('HERALD_RECEIVER_URL').replace(/\/$/, '');
const report = { tools: [], schemaProblems: [], calls: [], failures: [] };
const fail = (what) => report.failures.push(what);

// Every place in a JSON Schema that holds a schema; a boolean there is a boolean schema.
const schemaMaps = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas'];
const schemaValues = ['additionalProperties', 'items', 'contains', 'not', 'if', 'then', 'else', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties', 'additionalItems'];
const schemaLists = ['anyOf', 'allOf', 'oneOf', 'prefixItems'];
function booleanSchemas(schema, path) {
  if (typeof schema === 'boolean') return [path];
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return [];
  const found = [];
  for (const key of schemaMaps)
    for (const [name, child] of Object.entries(schema[key] ?? {})) found.push(...booleanSchemas(child, `${path}/${key}/${name}`));
  for (const key of schemaValues)
    if (key in schema) {
      const child = schema[key];
      if (Array.isArray(child)) child.forEach((c, i) => found.push(...booleanSchemas(c, `${path}/${key}/${i}`)));
      else found.push(...booleanSchemas(child, `${path}/${key}`));
    }
  for (const key of schemaLists)
    (schema[key] ?? []).forEach((c, i) => found.push(...booleanSchemas(c, `${path}/${key}/${i}`)));
  return found;
}

async function post(path, body, headers = {}) {
  const response = await fetch(gateway + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

const client = new Client({ name: 'herald-ts-check', version: '1.0.0' }, { capabilities: {} });
const transport = process.env.HERALD_MCP_URL
  ? new StreamableHTTPClientTransport(new URL(process.env.HERALD_MCP_URL), {
      requestInit: { headers: { Authorization: `Bearer ${env('HERALD_MCP_KEY')}` } },
    })
  : new StdioClientTransport({
      command: 'dotnet',
      args: [env('HERALD_BRIDGE_DLL')],
      env: { ...process.env, Herald__GatewayUrl: gateway, DOTNET_ENVIRONMENT: 'Production' },
      stderr: 'ignore',
    });

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const outputValidators = new Map();

try {
  await client.connect(transport);
  report.server = client.getServerVersion();

  const { tools } = await client.listTools();
  for (const tool of tools) {
    report.tools.push(tool.name);
    for (const key of ['inputSchema', 'outputSchema']) {
      if (!tool[key]) { fail(`${tool.name} has no ${key}`); continue; }
      if (tool[key].type !== 'object') fail(`${tool.name} ${key} is not an object schema`);
      for (const path of booleanSchemas(tool[key], `${tool.name}/${key}`)) report.schemaProblems.push(`boolean schema at ${path}`);
    }
    if (tool.outputSchema) outputValidators.set(tool.name, ajv.compile(tool.outputSchema));
  }

  // Something to find: a signed GitHub push and an event from an unverified source.
  const push = readFileSync(env('HERALD_GITHUB_PUSH'), 'utf8');
  const signature = 'sha256=' + createHmac('sha256', env('HERALD_GITHUB_SECRET')).update(push).digest('hex');
  const github = await post('/webhook/github', push, { 'x-github-event': 'push', 'x-github-delivery': 'ts-check-push', 'x-hub-signature-256': signature });
  await post('/webhook/ci', JSON.stringify({ deploy: 'done' }), { 'x-event': 'deploy.finished' });

  const call = async (name, args, expectError) => {
    const entry = { tool: name, arguments: args, expectError };
    try {
      const result = await client.callTool({ name, arguments: args });
      entry.isError = result.isError === true;
      entry.text = (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('');
      if (!entry.isError) {
        const validate = outputValidators.get(name);
        if (!validate(result.structuredContent)) fail(`${name}: structuredContent does not match outputSchema: ${ajv.errorsText(validate.errors)}`);
        entry.structured = result.structuredContent;
      }
    } catch (error) {
      entry.protocolError = error instanceof McpError ? `${error.code}: ${error.message}` : String(error);
      if (!(error instanceof McpError) || !expectError) fail(`${name} ${JSON.stringify(args)} threw ${entry.protocolError}`);
    }

    if (expectError && !entry.isError && !entry.protocolError) fail(`${name} ${JSON.stringify(args)} was accepted, but the arguments are bad`);
    if (!expectError && entry.isError) fail(`${name} ${JSON.stringify(args)} failed: ${entry.text}`);
    if (expectError && entry.isError && !entry.text) fail(`${name} ${JSON.stringify(args)} failed without saying why`);
    report.calls.push(entry);
    return entry;
  };

  const hook = `${receiver}/ts-check`;
  const repo = 'octo-org/hello-world';
  await call('register_webhook', { url: hook, topics: ['ts.*'] }, false);
  await call('register_webhook', { url: 'ftp://example.com/hook' }, true);
  await call('list_webhooks', {}, false);
  await call('get_webhook_status', { id_or_url: hook }, false);
  await call('get_webhook_status', { id_or_url: '' }, true);
  await call('push_webhook', { message: 'from the TypeScript SDK', topic: 'ts.check' }, false);
  await call('push_webhook', { message: '' }, true);
  await call('push_stream', { message: 'to the stream', topic: 'ts.check' }, false);
  await call('push_stream', { message: 'x', port: 70000 }, true);
  await call('unregister_webhook', { url_or_id: hook }, false);
  const again = await call('unregister_webhook', { url_or_id: hook }, false);
  if (again.structured?.was_registered !== false) fail('unregister_webhook a second time does not say it was not registered');
  await call('unregister_webhook', { url_or_id: '' }, true);
  await call('get_recent_events', { limit: 5 }, false);
  await call('get_recent_events', { limit: 5, type: 'push' }, false);
  await call('get_recent_events', { limit: 500 }, true);
  await call('get_event_by_id', { id: github.event_id }, false);
  await call('get_event_by_id', { id: 'not-a-number' }, true);
  await call('get_events_since', { timestamp_or_cursor: '0' }, false);
  await call('get_events_since', { timestamp_or_cursor: 'yesterday' }, true);
  await call('get_event_sources', {}, false);
  await call('get_event_summary', { hours: 24 }, false);
  await call('get_event_summary', { hours: 0 }, true);
  await call('get_repo_activity', { repo, event_type: 'push' }, false);
  await call('get_repo_activity', { repo: 'no-slash' }, true);
  await call('summarize_commits', { repo }, false);
  await call('summarize_commits', { repo, hours: 99999 }, true);
  await call('get_pr_activity', { repo }, false);
  await call('get_pr_activity', { repo: '' }, true);
  await call('wait_for_event', { after: 0, timeout_seconds: 0 }, false);
  await call('wait_for_event', { source: 'nobody', timeout_seconds: 0 }, false);
  await call('wait_for_event', { timeout_seconds: -1 }, true);
  await call('list_tracked_repos', {}, false);
  await call('get_recent_pushes', { repo, limit: 5 }, false);
  await call('get_recent_pushes', { limit: 0 }, true);
  await call('get_recent_deployments', {}, false);
  await call('get_recent_deployments', { limit: 1000 }, true);
  await call('get_deployment_status', { project: 'storefront' }, false);
  await call('get_deployment_status', { project: '' }, true);
  await call('correlate_push_to_deployment', { commit_sha: '3e1f0a2' }, false);
  await call('correlate_push_to_deployment', { commit_sha: 'main' }, true);
  await call('get_pending_actions', {}, false);
  await call('get_pending_actions', { status: 'someday' }, true);
  await call('mark_action_complete', { action_type: 'send_welcome_email', details: 'nothing pending' }, false);
  await call('mark_action_complete', { details: 'neither a type nor an id' }, true);
  await call('get_recent_stripe_events', { limit: 5 }, false);
  await call('get_recent_stripe_events', { limit: 0 }, true);
  await call('subscribe_to_events', { sources: ['ci'], callback_description: 'check the builds', name: 'ts-check' }, false);
  await call('subscribe_to_events', { sources: ['nowhere'] }, true);
  await call('wait_for_event', { subscription: 'ts-check', timeout_seconds: 0 }, false);
  await call('list_subscriptions', {}, false);
  await call('unsubscribe_from_events', { name: 'ts-check' }, false);
  await call('unsubscribe_from_events', { name: '' }, true);
  await call('publish_event', { channel: 'ts.events', event_data: { status: 'deployed', version: '1.4.2' } }, false);
  await call('publish_event', { channel: 'inbound.github', event_data: { forged: true } }, true);
  await call('get_channel_stats', {}, false);
  await call('get_channel_stats', { hours: 0 }, true);
  await call('get_recent_messages', { channel: 'ts.events', limit: 5 }, false);
  await call('get_recent_messages', { limit: 0 }, true);

  // Tools without parameters still refuse arguments that are not an object.
  for (const name of ['list_webhooks', 'get_event_sources', 'list_tracked_repos', 'list_subscriptions']) {
    try {
      await client.request({ method: 'tools/call', params: { name, arguments: [1, 2] } }, CallToolResultSchema);
      fail(`${name} accepted an array as its arguments`);
    } catch (error) {
      report.calls.push({ tool: name, arguments: [1, 2], expectError: true, protocolError: String(error) });
    }
  }

  for (const tool of report.tools) {
    const calls = report.calls.filter((c) => c.tool === tool);
    if (!calls.some((c) => !c.expectError)) fail(`${tool} was not called with valid arguments`);
    if (!calls.some((c) => c.expectError)) fail(`${tool} was not called with bad arguments`);
  }
} catch (error) {
  fail(`unexpected: ${error?.stack ?? error}`);
} finally {
  await client.close().catch(() => {});
}

for (const problem of report.schemaProblems) fail(problem);
process.stdout.write(JSON.stringify(report) + '\n');
process.exit(report.failures.length === 0 ? 0 : 1);
