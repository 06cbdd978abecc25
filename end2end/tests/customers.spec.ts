import { expect, test } from '@playwright/test';
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
  await expectAccessible(page);
  await context.close();
});

test('an unknown page says so with a 404', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expectAccessible(page);
});
