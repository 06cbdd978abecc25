import { createHmac } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { SHOPS, expectAccessible, signIn, waitForHydration } from './helpers';

/** A Shopify orders/create body as Shopify sends it (the fields that matter, and some that do not). */
function shopifyOrder(id: number, email: string) {
  const address = {
    first_name: 'Odile', last_name: 'Webhook', name: 'Odile Webhook', address1: '1 Front St W', address2: '',
    city: 'Toronto', province_code: 'ON', country_code: 'CA', zip: 'M5J 2X5', phone: null, company: null,
  };
  return {
    id, name: `#${id}`, email, currency: 'CAD', created_at: '2026-10-30T09:00:00-04:00',
    processed_at: '2026-10-30T09:00:00-04:00', updated_at: '2026-10-30T09:00:00-04:00', test: false,
    financial_status: 'paid', fulfillment_status: null, cancelled_at: null, total_price: '64.00',
    current_total_price: '64.00', total_outstanding: '0.00', refunds: [], fulfillments: [],
    customer: { id: id + 1, email, first_name: 'Odile', last_name: 'Webhook', phone: null },
    billing_address: address, shipping_address: address,
    line_items: [{ id: 1, sku: 'KETTLE', title: 'Kettle', quantity: 2, price: '32.00' }],
  };
}

test('an admin connects a Shopify store, and its signed webhook brings the customer into the list live', async ({ page, context }) => {
  test.slow(); // two tabs and a bundle to load on a two-core machine
  await signIn(page, SHOPS, '/settings/channels');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Channels', exact: true })).toBeVisible();
  await expectAccessible(page);

  const key = `shopify-${Date.now()}`;
  // the form to add one (each channel's own form has fields of the same names)
  await page.locator('#channel-kind').selectOption('shopify');
  await page.locator('#channel-key').fill(key);
  await page.locator('#channel-name').fill('Shopify Canada');
  await page.locator('#new-secret').fill('shpss_e2e_secret');
  await page.getByRole('button', { name: 'Add channel' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Channel Shopify Canada added.' })).toBeVisible();
  const address = page.getByLabel('Webhook address of Shopify Canada');
  await expect(address).toHaveText(/\/hooks\/[0-9a-f]{64}$/);
  const hook = (await address.innerText()).trim();
  await expect(page.getByRole('region', { name: 'Shopify Canada (Shopify)' })).toContainText('Never');
  await expectAccessible(page);

  const list = await context.newPage();
  // the list hears of changes once its live stream is open
  const listening = list.waitForResponse((r) => r.url().endsWith('/events'));
  await list.goto('/customers?sort=-registered');
  await waitForHydration(list);
  await listening;

  const email = `odile.${Date.now()}@shop.example`;
  const body = JSON.stringify(shopifyOrder(Date.now(), email));
  const signature = (secret: string) => createHmac('sha256', secret).update(body).digest('base64');
  const deliver = (secret: string) =>
    page.request.post(hook, {
      data: body,
      headers: {
        'Content-Type': 'application/json', 'X-Shopify-Topic': 'orders/create',
        'X-Shopify-Hmac-Sha256': signature(secret), 'X-Shopify-Webhook-Id': `e2e-${email}`,
      },
    });
  // signed with another secret: refused, nothing arrives
  expect((await deliver('not the secret')).status()).toBe(401);
  const answer = await deliver('shpss_e2e_secret');
  expect(answer.status(), await answer.text()).toBe(200);

  const banner = list.getByRole('status').filter({ hasText: /changed since this list loaded/ });
  await expect(banner).toHaveText(/1 customer changed since this list loaded/, { timeout: 20_000 });
  await list.getByRole('button', { name: 'Show the changes' }).click();
  await expect(list.getByRole('link', { name: 'Odile Webhook' }).first()).toBeVisible();
  await expectAccessible(list);

  await page.reload();
  await waitForHydration(page);
  const card = page.getByRole('region', { name: 'Shopify Canada (Shopify)' });
  await expect(card).not.toContainText('Never');
  await expect(card.getByText('Last error')).toHaveCount(0);
});

test('an admin imports a Shopify customer export and sees what went in and which lines could not', async ({ page }) => {
  await signIn(page, SHOPS, '/settings/import');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Import customers' })).toBeVisible();
  await expectAccessible(page);

  const stamp = Date.now();
  const file = [
    'Customer ID,First Name,Last Name,Email,Accepts Email Marketing,Default Address Company,Default Address Address1,' +
      'Default Address Address2,Default Address City,Default Address Province Code,Default Address Country Code,' +
      'Default Address Zip,Default Address Phone,Phone,Accepts SMS Marketing,Total Spent,Total Orders,Note,Tax Exempt,Tags',
    `'${stamp}1,Imogen,Porter,imogen.${stamp}@import.example,yes,,12 Bay St,,Toronto,ON,CA,'M5J 2R8,,'+14165550101,no,0.00,0,,no,`,
    `'${stamp}2,Ira,Quill,not an email,no,,,,,,,,,,no,0.00,0,,no,`,
  ].join('\n');
  await page.getByLabel('Channel').selectOption({ index: 0 });
  await page.getByLabel('File').setInputFiles({ name: 'customers_export.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page).toHaveURL(/\/settings\/import\?job=\d+/);
  await expect(page.getByText(/Done: 2 rows read/)).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(/Customers added: 1, updated: 0, unchanged: 0/)).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Rows that could not be read: 1' })).toBeVisible();
  const problem = page.getByRole('row').filter({ hasText: 'Email' });
  await expect(problem.getByRole('cell').first()).toHaveText('3');
  await expectAccessible(page);

  // a file that is not a customer export is refused before anything is queued
  await page.getByLabel('File').setInputFiles({ name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from('Name,Total\nX,1\n') });
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByRole('alert')).toContainText('not a Shopify customer export');
});
