import { expect, type Page, test } from '@playwright/test';
import { apiKey, expectAccessible, signIn, waitForHydration } from './helpers';

const TABS = ['All', 'Orders', 'Tickets', 'Notes', 'Tasks', 'Files', 'Segments', 'Changes'];

/** Money as the app writes it for people (the e2e workspace counts in USD). */
const usd = (amount: string) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(Number(amount));
const count = (n: number) => new Intl.NumberFormat('en-US').format(n);

/** The indicators shown on the page agree with `GET /api/v1/customers/{id}`. */
async function expectIndicatorsOf(page: Page, id: string, key: string) {
  const answer = await page.request.get(`/api/v1/customers/${id}`, { headers: { Authorization: `Bearer ${key}` } });
  expect(answer.status()).toBe(200);
  const c = await answer.json();
  const shown = (name: string) => page.locator(`[data-indicator="${name}"]`);
  await expect(shown('total_order_value')).toHaveText(usd(c.total_order_value));
  await expect(shown('orders')).toHaveText(count(c.orders));
  await expect(shown('average_order_value')).toHaveText(c.average_order_value === null ? '–' : usd(c.average_order_value));
  await expect(shown('total_paid')).toHaveText(usd(c.total_paid));
  await expect(shown('accounts_receivable')).toHaveText(usd(c.accounts_receivable));
  await expect(shown('contacts')).toHaveText(count(c.contacts));
  return c;
}

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test('a customer opens from the list in a panel and on their own page, with the API figures', async ({ page }) => {
  test.slow(); // several full page loads on a two-core machine running two browsers
  const key = await apiKey(page);
  await page.goto('/customers?sort=-orders');
  await waitForHydration(page);
  const first = page.getByRole('row').nth(1).getByRole('cell').nth(1).getByRole('link');
  const name = (await first.innerText()).trim();
  await first.click();
  await expect(page).toHaveURL(/[?&]c=\d+/);
  const id = new URL(page.url()).searchParams.get('c')!;
  const panel = page.getByRole('complementary', { name: 'Customer details' });
  await expect(panel.getByRole('heading', { name, level: 2 })).toBeVisible();
  const c = await expectIndicatorsOf(page, id, key);
  expect(`${c.first_name} ${c.last_name}`.trim()).toBe(name);
  await expectAccessible(page);

  // the panel's URL can be shared: it opens the same customer (the list stays sorted as it was)
  await page.goto(page.url());
  await expect(page.getByRole('complementary', { name: 'Customer details' }).getByRole('heading', { name })).toBeVisible();
  await expect(page).toHaveURL(/sort=-orders/);

  await page.getByRole('link', { name: 'Open full page' }).click();
  await expect(page).toHaveURL(new RegExp(`/customers/${id}$`));
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  await expectIndicatorsOf(page, id, key);
  for (const email of c.emails as string[]) {
    await expect(page.getByRole('link', { name: email, exact: true }).first()).toHaveAttribute('href', `mailto:${email}`);
  }
  await expectAccessible(page);

  await page.goBack();
  await expect(page).toHaveURL(/[?&]c=\d+/);
  await page.getByRole('link', { name: 'Close' }).click();
  await expect(page.getByRole('complementary', { name: 'Customer details' })).toHaveCount(0);
  await expect(page).not.toHaveURL(/[?&]c=/);
});

test('the order history pages, and an order opens and downloads as CSV', async ({ page }) => {
  test.slow(); // several full page loads on a two-core machine running two browsers
  await page.goto('/customers?sort=-orders');
  const first = page.getByRole('row').nth(1).getByRole('cell').nth(1).getByRole('link');
  const href = new URL((await first.getAttribute('href'))!, page.url());
  const id = href.searchParams.get('c')!;
  await page.goto(`/customers/${id}`);
  await waitForHydration(page);

  const history = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Orders', exact: true }) });
  const pages = history.getByRole('navigation', { name: 'Pages of orders' });
  const numbers = async () => history.locator('table.orders tbody tr td:first-child a').allInnerTexts();
  const firstPage = await numbers();
  expect(firstPage.length).toBe(10);
  await pages.getByRole('button', { name: 'Next page' }).click();
  await expect.poll(numbers).not.toEqual(firstPage);
  const secondPage = await numbers();
  expect(secondPage.some((n) => firstPage.includes(n))).toBe(false);
  await pages.getByRole('button', { name: 'Previous page' }).click();
  await expect.poll(numbers).toEqual(firstPage);

  await history.locator('table.orders tbody tr td:first-child a').first().click();
  await expect(page).toHaveURL(/\/orders\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`Order ${firstPage[0]}`);
  await expect(page.getByRole('heading', { name: 'Products' })).toBeVisible();
  const lines = await page.locator('table.lines tbody tr').count();
  expect(lines).toBeGreaterThan(0);
  await expectAccessible(page);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download as CSV' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^order-.*\.csv$/);
  const csv = await (await download.createReadStream()).toArray();
  const text = Buffer.concat(csv).toString('utf8').trim().split('\n');
  expect(text[0]).toBe(
    'order_number,placed_at,status,test,channel,customer,currency,sku,product,category,quantity,unit_price,amount',
  );
  expect(text.length).toBe(lines + 1);
  expect(text[1].startsWith(firstPage[0].includes(',') ? `"${firstPage[0]}"` : firstPage[0])).toBe(true);

  // the orders list filtered to this customer
  await page.getByRole('link', { name: 'All orders of this customer' }).click();
  await expect(page).toHaveURL(new RegExp(`/orders\\?customer=${id}$`));
  await expect(page.locator('table.orders tbody tr').first()).toContainText(firstPage[0]);
  await expectAccessible(page);
});

test('every timeline tab shows its own events', async ({ page }) => {
  await page.goto('/customers?sort=-orders');
  const first = page.getByRole('row').nth(1).getByRole('cell').nth(1).getByRole('link');
  const id = new URL((await first.getAttribute('href'))!, page.url()).searchParams.get('c')!;
  await page.goto(`/customers/${id}`);
  await waitForHydration(page);
  const tabs = page.getByRole('tablist', { name: 'Timeline' });
  for (const name of TABS) {
    await expect(tabs.getByRole('tab', { name, exact: true })).toBeVisible();
  }
  const panel = page.getByRole('tabpanel');
  const entries = () => panel.locator('ol.events li .what').allInnerTexts();
  await expect.poll(async () => (await entries()).length).toBeGreaterThan(0);
  for (const name of TABS) {
    await tabs.getByRole('tab', { name, exact: true }).click();
    await expect(tabs.getByRole('tab', { name, exact: true })).toHaveAttribute('aria-selected', 'true');
    await expect(panel).toHaveAttribute('aria-labelledby', new RegExp(`-${name.toLowerCase()}$`));
    await expect(panel.locator('ol.events li, p').first()).toBeVisible();
    // the panel keeps the previous tab's entries until the new ones arrive: wait for them
    const fits: Record<string, RegExp> = {
      Orders: /^Order /,
      Segments: /^(Joined|Left) the segment /,
      Tickets: /^(Ticket |Message received in |Reply sent in )/,
      Notes: /^Note /,
      Changes: / changed from |^Customer created/,
    };
    if (fits[name]) {
      await expect.poll(async () => (await entries()).every((t) => fits[name].test(t))).toBe(true);
    }
    if (name === 'Orders') {
      expect((await entries()).length).toBeGreaterThan(0);
    }
  }
  // the keyboard moves between tabs too
  await tabs.getByRole('tab', { name: 'All', exact: true }).click();
  await page.keyboard.press('ArrowRight');
  await expect(tabs.getByRole('tab', { name: 'Orders', exact: true })).toHaveAttribute('aria-selected', 'true');
  await expect(tabs.getByRole('tab', { name: 'Orders', exact: true })).toBeFocused();
  await expectAccessible(page);
});

test('on a 390 px phone the customer page does not scroll sideways', async ({ browser }) => {
  test.slow(); // several full page loads on a two-core machine running two browsers
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signIn(page, undefined, '/customers?sort=-orders');
  const first = page.getByRole('row').nth(1).getByRole('cell').nth(1).getByRole('link');
  const id = new URL((await first.getAttribute('href'))!, page.url()).searchParams.get('c')!;
  for (const path of [`/customers/${id}`, `/customers?sort=-orders&c=${id}`, `/orders?customer=${id}`]) {
    await page.goto(path);
    await waitForHydration(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
    await expectAccessible(page);
  }
  await context.close();
});
