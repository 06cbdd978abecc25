import { expect, type Page, test } from '@playwright/test';
import { expectAccessible, signIn, waitForHydration } from './helpers';

const HEADERS = [
  'Sentiment',
  'Customer',
  'Segments',
  'Email',
  'Channel',
  'Total order value',
  'Orders',
  'Latest purchase',
];

test.beforeEach(async ({ page }) => {
  await signIn(page);
});

test('the customer list is rendered on the server with its columns', async ({ page }) => {
  await page.goto('/customers');
  const table = page.getByRole('table');
  for (const name of HEADERS) {
    await expect(table.getByRole('columnheader', { name, exact: true })).toBeVisible();
  }
  await expect(table.getByRole('row')).toHaveCount(51); // header + the default page of 50
  await expect(page.getByRole('status').filter({ hasText: 'customers' })).toContainText(/Showing 50 of [\d,]+ customers/);
  await expectAccessible(page);
});

test('after hydration the list follows the search box without a page load', async ({ page }) => {
  await page.goto('/customers');
  await waitForHydration(page);
  const email = (await page.getByRole('row').nth(1).getByRole('cell').nth(3).innerText()).trim();
  expect(email).toContain('@');

  // A full page load would reset this marker; live search must keep it.
  await page.evaluate(() => ((window as unknown as { cvMarker: number }).cvMarker = 42));
  await page.getByRole('searchbox', { name: 'Search customers' }).fill(email);

  await expect(page).toHaveURL(new RegExp(`[?&]q=${encodeURIComponent(email).replace(/\./g, '\\.')}`));
  const rows = page.getByRole('row').filter({ hasNot: page.getByRole('columnheader') });
  await expect(rows.first().getByRole('cell').nth(3)).toHaveText(email);
  for (const row of await rows.all()) {
    await expect(row.getByRole('cell').nth(3)).toHaveText(email);
  }
  expect(await page.evaluate(() => (window as unknown as { cvMarker?: number }).cvMarker)).toBe(42);
  await expectAccessible(page);
});

test('a shared search URL shows the same list with JavaScript off', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page); // the sign-in form needs no JavaScript either
  const email = (await page.getByRole('row').nth(1).getByRole('cell').nth(3).innerText()).trim();

  await page.getByRole('searchbox', { name: 'Search customers' }).fill(email);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/[?&]q=/);
  // the searched page loaded (its summary), before its rows are counted
  await expect(page.getByRole('searchbox', { name: 'Search customers' })).toHaveValue(email);
  await expect(page.getByRole('status').filter({ hasText: /customers?$/ }).first()).toBeVisible();
  const rows = page.getByRole('row').filter({ hasNot: page.getByRole('columnheader') });
  expect(await rows.count()).toBeGreaterThan(0);
  for (const row of await rows.all()) {
    await expect(row.getByRole('cell').nth(3)).toHaveText(email);
  }
  await expect(page.getByRole('searchbox', { name: 'Search customers' })).toHaveValue(email);
  const shared = page.url();
  await context.close();

  // axe-core needs JavaScript to run: check the same URL in a page that has it.
  const withJs = await browser.newContext();
  const checker = await withJs.newPage();
  await signIn(checker, undefined, new URL(shared).pathname + new URL(shared).search);
  await expectAccessible(checker);
  await withJs.close();
});

test('on a 390 px phone the list is cards with labels and nothing scrolls sideways', async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await signIn(page);
  await waitForHydration(page);
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  // The search box comes before the list.
  const search = await page.getByRole('searchbox', { name: 'Search customers' }).boundingBox();
  const firstRow = await page.getByRole('row').nth(1).boundingBox();
  expect(search!.y).toBeLessThan(firstRow!.y);
  expect(search!.height).toBeGreaterThanOrEqual(44);
  // tap targets: paging, filters
  expect((await page.getByRole('link', { name: 'Next page' }).boundingBox())!.height).toBeGreaterThanOrEqual(44);
  expect((await page.locator('.filters .check').first().boundingBox())!.height).toBeGreaterThanOrEqual(44);
  expect((await page.getByRole('combobox', { name: 'Sentiment' }).boundingBox())!.height).toBeGreaterThanOrEqual(44);
  await expectAccessible(page);
  await context.close();
});

/** Each listed customer as the table shows them: name, email, total order value, orders (read at once). */
async function listed(page: Page): Promise<string[][]> {
  return page.locator('table.customers tbody tr').evaluateAll((rows) =>
    rows.map((row) => {
      const cells = row.querySelectorAll('td');
      const text = (i: number) => (cells[i] as HTMLElement).innerText.trim();
      return [(cells[1].querySelector('.name') as HTMLElement).innerText.trim(), text(3), text(5), text(6)];
    }),
  );
}

/** "$1,234.50" → 1234.5 */
const amount = (text: string) => Number(text.replace(/[^\d.-]/g, ''));

test('a shared URL with filters and a sort opens the same view with JavaScript on and off', async ({ browser }) => {
  const shared = '/customers?segment=repeat_customer&orders_min=3&sort=-tov';
  const on = await browser.newContext();
  const page = await on.newPage();
  await signIn(page, undefined, shared);
  await waitForHydration(page);
  const withJs = await listed(page);
  expect(withJs.length).toBeGreaterThan(1);
  const totals = withJs.map((row) => amount(row[2]));
  expect(totals).toEqual([...totals].sort((a, b) => b - a));
  for (const row of withJs) expect(Number(row[3])).toBeGreaterThanOrEqual(3);
  for (const row of await page.getByRole('row').filter({ hasNot: page.getByRole('columnheader') }).all()) {
    await expect(row.getByRole('cell').nth(2)).toContainText('Repeat customer');
  }
  // the controls show the state the URL carries
  await expect(page.getByRole('checkbox', { name: /^Repeat customer/ })).toBeChecked();
  await expect(page.getByRole('spinbutton', { name: 'Orders from' })).toHaveValue('3');
  await expect(page.getByRole('columnheader', { name: 'Total order value' })).toHaveAttribute('aria-sort', 'descending');
  await expectAccessible(page);
  await on.close();

  const off = await browser.newContext({ javaScriptEnabled: false });
  const plain = await off.newPage();
  await signIn(plain, undefined, shared);
  expect(await listed(plain)).toEqual(withJs);
  await off.close();
});

test('filters apply without a page load, combine, and clear in one click', async ({ page }) => {
  await page.goto('/customers');
  await waitForHydration(page);
  await page.evaluate(() => ((window as unknown as { cvMarker: number }).cvMarker = 42));
  await page.getByRole('checkbox', { name: /^VIP/ }).check();
  await page.getByRole('combobox', { name: 'Registered or guest' }).selectOption('Registered');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/segment=vip/);
  await expect(page).toHaveURL(/registered=true/);
  const rows = page.getByRole('row').filter({ hasNot: page.getByRole('columnheader') });
  await expect(rows.first()).toBeVisible();
  for (const row of await rows.all()) {
    await expect(row.getByRole('cell').nth(2)).toContainText('VIP');
    await expect(row.getByRole('cell').nth(1)).not.toContainText('Guest');
  }
  expect(await page.evaluate(() => (window as unknown as { cvMarker?: number }).cvMarker)).toBe(42);
  await expectAccessible(page);

  await page.getByRole('link', { name: 'Clear filters' }).click();
  await expect(page).toHaveURL(/\/customers$/);
  await expect(page.getByRole('checkbox', { name: /^VIP/ })).not.toBeChecked();
  await expect(page.getByRole('status').filter({ hasText: 'customers' })).toContainText('Showing 50 of');
});

test('a search with a typo still finds the customer', async ({ page }) => {
  await page.goto('/customers?sort=name');
  const name = (await listed(page))[0][0];
  // the last letter of the name mistyped
  const last = name.at(-1)!;
  const typo = name.slice(0, -1) + (last === 'x' ? 'q' : 'x');
  await page.getByRole('searchbox', { name: 'Search customers' }).fill(typo);
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/[?&]q=/);
  await expect(page.getByText('No customer matches exactly what you typed; these come close.')).toBeVisible();
  expect((await listed(page)).map((row) => row[0])).toContain(name);
  await expectAccessible(page);
});

test('Next page, Previous page, back and forward move through the list', async ({ page }) => {
  await page.goto('/customers');
  await waitForHydration(page);
  const first = await listed(page);
  await expect(page.getByRole('link', { name: 'Previous page' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(page).toHaveURL(/[?&]after=/);
  await expect(page.getByRole('link', { name: 'Previous page' })).toBeVisible();
  const second = await listed(page);
  expect(second).toHaveLength(50);
  expect(second[0]).not.toEqual(first[0]);
  await expectAccessible(page);

  await page.goBack();
  await expect(page).not.toHaveURL(/after=/);
  await expect.poll(() => listed(page)).toEqual(first);
  await page.goForward();
  await expect(page).toHaveURL(/[?&]after=/);
  await expect.poll(() => listed(page)).toEqual(second);
  await page.getByRole('link', { name: 'Previous page' }).click();
  await expect(page).toHaveURL(/[?&]before=/);
  await expect.poll(() => listed(page)).toEqual(first);
});

test('an unknown page says so with a 404', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expectAccessible(page);
});
