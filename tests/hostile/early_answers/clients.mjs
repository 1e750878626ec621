// clients.mjs: early answers through Node's fetch and the Anthropic SDK (run.sh starts the
// stack). Same cases and output as clients.py: status or the error the client got instead.
import Anthropic from '@anthropic-ai/sdk';

const [port, key, bigText] = process.argv.slice(2);
const big = Number(bigText);
const base = `http://127.0.0.1:${port}`;
const cases = [['413-body-over-limit', big, key], ['401-wrong-key-2MiB', 2 << 20, 'wrong-key']];
const line = (client, name, status, t0, detail) =>
  console.log(`${client.padEnd(18)} ${name.padEnd(22)} ${String(status).padEnd(5)} ` +
              `${((Date.now() - t0) / 1000).toFixed(2).padStart(6)}s ${detail}`);
const describe = (e) => `${e.name}: ${e.message}${e.cause ? ` (${e.cause.code || e.cause.message})` : ''}`;

for (const [name, size, k] of cases) {
  const text = 'x'.repeat(size - 100);
  const body = JSON.stringify({ model: 'claude-sonnet-4.5', max_tokens: 16,
                                messages: [{ role: 'user', content: text }] });
  let t0 = Date.now();
  try {
    const r = await fetch(`${base}/v1/messages`, { method: 'POST', body,
      headers: { 'x-api-key': k, 'content-type': 'application/json' } });
    line('node-fetch', name, r.status, t0, (await r.text()).slice(0, 60));
  } catch (e) {
    line('node-fetch', name, 'ERR', t0, describe(e));
  }
  t0 = Date.now();
  const client = new Anthropic({ baseURL: base, apiKey: k, maxRetries: 0, timeout: 60000 });
  try {
    await client.messages.create({ model: 'claude-sonnet-4.5', max_tokens: 16,
                                   messages: [{ role: 'user', content: text }] });
    line('anthropic-sdk', name, 200, t0, 'unexpected success');
  } catch (e) {
    line('anthropic-sdk', name, e.status ?? 'ERR', t0, describe(e).slice(0, 120));
  }
}
