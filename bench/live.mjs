// Live update latency (issue 22): from an order's commit (the ingestion API's answer) to the open list's
// banner and the open customer page's new figure, in headless Chromium. Usage (scripts/bench-live starts
// the server):
//   node bench/live.mjs --url http://127.0.0.1:3500 --key cv_… --email live@bench.example --password … [--samples 40]
import { chromium } from '@playwright/test';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const url = args.url;
const samples = Number(args.samples ?? 40);

async function postOrder(email, number) {
  const answer = await fetch(`${url}/api/v1/orders`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${args.key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      channel: 'bench-live', channel_kind: 'shopify', external_id: number, number: `#${number}`,
      placed_at: '2026-10-01T10:00:00Z', status: 'paid', currency: 'USD', exchange_rate: '1',
      total: '10.00', paid: '10.00', refunded: '0',
      customer: { external_id: email, email, first_name: 'Live', last_name: 'Latency' },
      lines: [{ sku: 'B-1', name: 'Bench', category: 'Home', quantity: 1, unit_price: '10.00' }],
    }),
  });
  if (answer.status !== 201 && answer.status !== 200) throw new Error(`order: ${answer.status} ${await answer.text()}`);
  return (await answer.json()).customer_id;
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const context = await browser.newContext({ baseURL: url });
const page = await context.newPage();
await page.goto('/login?next=/customers');
await page.getByLabel('Email').fill(args.email);
await page.getByLabel('Password').fill(args.password);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForURL((u) => u.pathname !== '/login');

const email = `live.${Date.now()}@bench.example`;
const customer = await postOrder(email, `LIVE-${Date.now()}-0`);
await page.goto(`/customers/${customer}`);
await page.locator('[data-hydrated="true"]').waitFor({ state: 'attached' });
const list = await context.newPage();
await list.goto('/customers?sort=-registered');
await list.locator('[data-hydrated="true"]').waitFor({ state: 'attached' });
const banner = list.locator('.live-banner button');
const orders = page.locator('[data-indicator="orders"]');

const toPage = [];
const toBanner = [];
for (let i = 1; i <= samples; i++) {
  // the banner starts empty for each sample
  if (await banner.count()) await banner.click();
  await banner.waitFor({ state: 'detached' });
  const before = Number((await orders.innerText()).replace(/,/g, ''));
  await postOrder(email, `LIVE-${Date.now()}-${i}`);
  const committed = Date.now();
  const pageSeen = page.waitForFunction(
    ([n]) => Number(document.querySelector('[data-indicator="orders"]')?.textContent?.replace(/,/g, '')) > n,
    [before],
    { timeout: 30_000, polling: 'raf' },
  ).then(() => Date.now() - committed);
  const bannerSeen = list.locator('.live-banner button').waitFor({ timeout: 30_000 }).then(() => Date.now() - committed);
  const [p, b] = await Promise.all([pageSeen, bannerSeen]);
  toPage.push(p);
  toBanner.push(b);
  await new Promise((r) => setTimeout(r, 300));
}
await browser.close();
const line = (name, v) =>
  `${name}: p50 ${percentile(v, 50)} ms, p95 ${percentile(v, 95)} ms, max ${Math.max(...v)} ms (${v.length} samples)`;
console.log(line('commit → customer page figure', toPage));
console.log(line('commit → list banner', toBanner));
