import { expect, test } from '@playwright/test';
import { AGENT, VIEWER, expectAccessible, signIn, signInTo, waitForHydration } from './helpers';

// the workspace "Big Shop" (scripts/e2e): only the export and bulk tests change or count its customers

test('an agent assigns a manager to all customers a filter matches, then undoes it', async ({ page }) => {
  await signInTo(page, AGENT, 'Big Shop');
  const filtered = '/customers?sort=name&orders_min=15';
  await page.goto(filtered);
  await waitForHydration(page);
  const summary = page.getByRole('status').filter({ hasText: /customers$/ }).first();
  // "12 customers", or "Showing 50 of 234 customers"
  const count = Number((await summary.textContent())!.match(/([\d,]+) customers$/)![1].replace(/,/g, ''));
  expect(count).toBeGreaterThan(0);

  await page.getByText('Change in bulk').click();
  await page.getByLabel(/^All [\d,]+ customers matching this view$/).check();
  await page.getByLabel('Action').selectOption({ label: 'Assign a manager' });
  const manager = page.getByLabel('New manager');
  await manager.selectOption({ label: AGENT.email });
  const agentId = await manager.locator('option', { hasText: AGENT.email }).getAttribute('value');
  await page.getByRole('button', { name: 'Review' }).click();
  const noun = count === 1 ? 'customer' : 'customers';
  await expect(page.getByText(`Assign a manager for ${count.toLocaleString('en-US')} ${noun}?`)).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: `Confirm: change ${count.toLocaleString('en-US')} ${noun}` }).click();
  await expect(page.getByText(`Done: Assign the manager ${AGENT.email} (${count.toLocaleString('en-US')} customers).`)).toBeVisible();

  const managed = `/customers?manager=${agentId}&orders_min=15`;
  const check = await page.context().newPage();
  await check.goto(managed);
  await expect(check.getByRole('status').filter({ hasText: /customers$/ }).first()).toHaveText(new RegExp(`(^| of )${count.toLocaleString('en-US')} customers?$`));

  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.getByText(`Undone: Assign the manager ${AGENT.email}.`)).toBeVisible();
  await check.reload();
  await expect(check.getByText('No customers match.')).toBeVisible();
  await expectAccessible(page);
});

test('an agent sets a mark on the customers ticked on the page', async ({ page }) => {
  await signInTo(page, AGENT, 'Big Shop');
  await page.goto('/customers?sort=-name');
  await waitForHydration(page);
  const boxes = page.getByRole('checkbox', { name: /^Choose / });
  const names = [(await boxes.nth(0).getAttribute('aria-label'))!, (await boxes.nth(1).getAttribute('aria-label'))!];
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.getByText('Change in bulk').click();
  await expect(page.getByLabel('The 2 ticked on this page')).toBeChecked();
  await page.getByLabel('Action').selectOption({ label: 'Set a mark' });
  await page.getByLabel('Which mark').selectOption({ label: 'BAD' });
  await page.getByRole('button', { name: 'Review' }).click();
  await page.getByRole('button', { name: 'Confirm: change 2 customers' }).click();
  await expect(page.getByText('Done: Set the BAD mark (2 customers).')).toBeVisible();
  await page.reload();
  for (const name of names) {
    const row = page.getByRole('row').filter({ has: page.getByRole('checkbox', { name }) });
    await expect(row.locator('.mark-bad')).toBeVisible();
  }
});

test('a viewer has no bulk controls and the server refuses a bulk action', async ({ page }) => {
  await signIn(page, VIEWER);
  await waitForHydration(page);
  await expect(page.getByRole('status').filter({ hasText: /customers/ }).first()).toBeVisible();
  await expect(page.getByText('Change in bulk')).toHaveCount(0);
  await expect(page.getByRole('checkbox', { name: /^Choose / })).toHaveCount(0);
  const origin = new URL(page.url()).origin;
  const answer = await page.request.post('/api/start_bulk', {
    data: { request: { targets: { query: '' }, action: 'set_mark', value: 'vip' } },
    headers: { Origin: origin, Accept: 'application/json' },
  });
  expect(answer.status()).toBe(403);
});
