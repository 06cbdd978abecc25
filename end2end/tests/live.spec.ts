import { expect, type Page, test } from '@playwright/test';
import { LIVE, apiKey, expectAccessible, signIn, waitForHydration } from './helpers';

/** Posts an order of `email`'s customer through the ingestion API; answers the customer's id. */
async function postOrder(page: Page, key: string, email: string, number: string): Promise<number> {
  const answer = await page.request.post('/api/v1/orders', {
    headers: { Authorization: `Bearer ${key}` },
    data: {
      channel: 'live-shop', channel_kind: 'shopify', external_id: number, number: `#${number}`,
      placed_at: '2026-10-01T10:00:00Z', status: 'paid', currency: 'USD', exchange_rate: '1',
      total: '25.00', paid: '25.00', refunded: '0',
      customer: { external_id: email, email, first_name: 'Livia', last_name: 'Present' },
      lines: [{ sku: 'L-1', name: 'Lamp', category: 'Home', quantity: 1, unit_price: '25.00' }],
    },
  });
  expect(answer.status(), await answer.text()).toBe(201);
  return (await answer.json()).customer_id;
}

/** Marks the page, so that a later check tells whether it was reloaded. */
async function markPage(page: Page) {
  await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
}

async function stayed(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed === true);
}

test('an order posted through the API shows on the open customer page and in the list banner without a reload', async ({ page, context }) => {
  test.slow(); // two tabs and a bundle to load on a two-core machine
  await signIn(page, LIVE);
  const key = await apiKey(page);
  const email = `livia.${Date.now()}@live.example`;
  const id = await postOrder(page, key, email, `L${Date.now()}`);

  await page.goto(`/customers/${id}`);
  await waitForHydration(page);
  await expect(page.locator('[data-indicator="orders"]')).toHaveText('1');
  await markPage(page);

  const list = await context.newPage();
  await list.goto('/customers?sort=-registered');
  await waitForHydration(list);
  await markPage(list);
  await expect(list.getByText(/customers? changed since this list loaded/)).toHaveCount(0);

  // what an order does not change stays as it is, the same elements: read again in place, not redrawn
  const keep = (selector: string) =>
    page.locator(selector).first().evaluate((el) => ((el as unknown as { kept: boolean }).kept = true));
  const kept = (selector: string) =>
    page.locator(selector).first().evaluate((el) => (el as unknown as { kept?: boolean }).kept === true);
  const sections = ['.profile-head', 'section.timeline', 'section[aria-labelledby^="contact-"]'];
  for (const selector of sections) await keep(selector);
  await expect(page.locator('table.orders tbody tr')).toHaveCount(1);

  const second = `L${Date.now()}-2`;
  await postOrder(page, key, email, second);
  await expect(page.locator('[data-indicator="orders"]')).toHaveText('2');
  await expect(page.locator('[data-indicator="total_order_value"]')).toHaveText('$50.00');
  await expect(page.locator('table.orders tbody tr')).toHaveCount(2);
  await expect(page.locator('section.timeline')).toContainText(`Order #${second} placed`);
  for (const selector of sections) expect(await kept(selector), `${selector} kept`).toBe(true);
  expect(await stayed(page)).toBe(true);
  await expectAccessible(page);

  const banner = list.getByRole('status').filter({ hasText: /changed since this list loaded/ });
  await expect(banner).toHaveText(/[\d,]+ customers? changed since this list loaded/);
  expect(await stayed(list)).toBe(true);
  await expectAccessible(list);
  await list.getByRole('button', { name: 'Show the changes' }).click();
  await expect(banner).toHaveCount(0);
  expect(await stayed(list)).toBe(true);
});
