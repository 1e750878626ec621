// sdk_check.mjs: the proxy through the official client libraries (Anthropic's and OpenAI's
// Node SDKs), against fake-kiro: list models, send messages streaming and not, and complete a
// tool-use round trip with each; web_search answers and cache usage / stop reasons as the
// Anthropic SDK reads them (FAKE_URL lets it switch fake-kiro's usage faults). Run by scripts/sdk-check.sh (`make test-sdk`), which starts
// the stack and passes PROXY_URL and API_KEY. Exits non-zero on the first failed check.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import assert from 'node:assert/strict';

const baseURL = process.env.PROXY_URL;
const apiKey = process.env.API_KEY;
const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push(`ok    ${name}`);
  } catch (e) {
    results.push(`FAIL  ${name}: ${e.message}`);
    console.log(results.join('\n'));
    process.exit(1);
  }
}

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};

const anthropic = new Anthropic({ baseURL, apiKey, maxRetries: 0, timeout: 20000 });
await check('anthropic: models.list', async () => {
  const page = await anthropic.models.list();
  const ids = page.data.map((m) => m.id);
  assert.ok(ids.includes('claude-sonnet-4.5'), `ids: ${ids}`);
  assert.equal(page.data[0].type, 'model');
});
await check('anthropic: messages.create', async () => {
  const msg = await anthropic.messages.create({
    model: 'claude-opus-4-6', max_tokens: 100,
    messages: [{ role: 'user', content: 'hi from the sdk' }],
  });
  assert.equal(msg.type, 'message');
  assert.equal(msg.stop_reason, 'end_turn');
  assert.equal(msg.content[0].text, 'Hello from fake-kiro. You said: hi from the sdk');
});
await check('anthropic: messages.stream', async () => {
  const stream = anthropic.messages.stream({
    model: 'claude-sonnet-4.5', max_tokens: 100,
    messages: [{ role: 'user', content: 'stream please' }],
  });
  let text = '';
  stream.on('text', (t) => { text += t; });
  const final = await stream.finalMessage();
  assert.equal(text, 'Hello from fake-kiro. You said: stream please');
  assert.equal(final.stop_reason, 'end_turn');
  assert.ok(final.usage.output_tokens >= 1);
});
await check('anthropic: tool-use round trip (streaming)', async () => {
  const messages = [{ role: 'user', content: 'What is the weather in Paris?' }];
  const first = await anthropic.messages.stream({ model: 'claude-sonnet-4.5', max_tokens: 200, tools: [weatherTool], messages }).finalMessage();
  assert.equal(first.stop_reason, 'tool_use');
  const call = first.content.find((b) => b.type === 'tool_use');
  assert.ok(call, 'no tool_use block');
  assert.equal(call.name, 'get_weather');
  assert.equal(typeof call.input.location, 'string');
  messages.push({ role: 'assistant', content: first.content });
  messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '18 degrees, sunny' }] });
  const second = await anthropic.messages.create({ model: 'claude-sonnet-4.5', max_tokens: 200, tools: [weatherTool], messages });
  assert.equal(second.stop_reason, 'end_turn');
  assert.match(second.content[0].text, /18 degrees, sunny/);
});

const webSearch = { type: 'web_search_20250305', name: 'web_search', max_uses: 3 };
function checkSearchAnswer(msg, query) {
  assert.deepEqual(msg.content.map((b) => b.type), ['text', 'server_tool_use', 'web_search_tool_result', 'text']);
  const use = msg.content[1];
  const result = msg.content[2];
  assert.equal(use.name, 'web_search');
  assert.equal(use.input.query, query);
  assert.equal(result.tool_use_id, use.id);
  assert.equal(result.content.length, 3);
  assert.equal(result.content[0].type, 'web_search_result');
  assert.equal(result.content[0].title, `Result 1 for ${query}`);
  assert.equal(msg.stop_reason, 'end_turn');
  assert.equal(msg.usage.server_tool_use.web_search_requests, 1);
}
await check('anthropic: web_search server tool (Kiro MCP)', async () => {
  const msg = await anthropic.messages.create({
    model: 'claude-sonnet-4-5-20250929', max_tokens: 1000, tools: [webSearch],
    messages: [{ role: 'user', content: 'Perform a web search for the query: sdk search' }],
  });
  checkSearchAnswer(msg, 'sdk search');
});
await check('anthropic: web_search server tool streamed', async () => {
  const final = await anthropic.messages.stream({
    model: 'claude-sonnet-4.5', max_tokens: 1000, tools: [webSearch],
    messages: [{ role: 'user', content: 'Perform a web search for the query: sdk stream' }],
  }).finalMessage();
  checkSearchAnswer(final, 'sdk stream');
});
await check('anthropic: cache usage and a full context window', async () => {
  const fake = process.env.FAKE_URL;
  assert.ok(fake, 'FAKE_URL not set');
  const set = async (faults) => {
    const r = await fetch(`${fake}/__fake/faults`, { method: 'POST', body: JSON.stringify(faults) });
    assert.equal(r.status, 200);
  };
  await set({ metadata: true, cache_read_tokens: 300, cache_write_tokens: 40, context_usage: 100 });
  try {
    const final = await anthropic.messages.stream({
      model: 'claude-sonnet-4.5', max_tokens: 100,
      messages: [{ role: 'user', content: 'x'.repeat(4000) }],
    }).finalMessage();
    assert.equal(final.stop_reason, 'model_context_window_exceeded');
    assert.equal(final.usage.cache_read_input_tokens, 300);
    assert.equal(final.usage.cache_creation_input_tokens, 40);
    const msg = await anthropic.messages.create({
      model: 'claude-sonnet-4.5', max_tokens: 100,
      messages: [{ role: 'user', content: 'x'.repeat(4000) }],
    });
    assert.equal(msg.stop_reason, 'model_context_window_exceeded');
    assert.equal(msg.usage.cache_read_input_tokens, 300);
  } finally {
    await fetch(`${fake}/__fake/reset`, { method: 'POST', body: '{}' });
  }
});

const openai = new OpenAI({ baseURL: `${baseURL}/v1`, apiKey, maxRetries: 0, timeout: 20000 });
await check('openai: models.list', async () => {
  const page = await openai.models.list();
  assert.ok(page.data.some((m) => m.id === 'claude-sonnet-4.5'));
});
await check('openai: chat.completions.create', async () => {
  const r = await openai.chat.completions.create({
    model: 'claude-sonnet-4.5', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hello openai' }],
  });
  assert.equal(r.choices[0].finish_reason, 'stop');
  // The system prompt is prepended to the first user turn (the upstream has no system role).
  assert.equal(r.choices[0].message.content, 'Hello from fake-kiro. You said: be brief\n\nhello openai');
});
await check('openai: chat.completions stream', async () => {
  const stream = await openai.chat.completions.create({
    model: 'claude-sonnet-4.5', stream: true, messages: [{ role: 'user', content: 'stream openai' }],
  });
  let text = '';
  let finish = null;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  assert.equal(text, 'Hello from fake-kiro. You said: stream openai');
  assert.equal(finish, 'stop');
});
await check('openai: tool-call round trip', async () => {
  const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: weatherTool.input_schema } }];
  const messages = [{ role: 'user', content: 'weather in Paris?' }];
  const first = await openai.chat.completions.create({ model: 'claude-sonnet-4.5', tools, messages });
  assert.equal(first.choices[0].finish_reason, 'tool_calls');
  const call = first.choices[0].message.tool_calls[0];
  assert.equal(call.function.name, 'get_weather');
  assert.equal(typeof JSON.parse(call.function.arguments).location, 'string');
  messages.push(first.choices[0].message);
  messages.push({ role: 'tool', tool_call_id: call.id, content: 'rainy, 9C' });
  const second = await openai.chat.completions.create({ model: 'claude-sonnet-4.5', tools, messages });
  assert.equal(second.choices[0].finish_reason, 'stop');
  assert.match(second.choices[0].message.content, /rainy, 9C/);
});
console.log(results.join('\n'));
