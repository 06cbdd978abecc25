import { expect, test, type Page } from '@playwright/test';
import { ADMIN, AGENT, expectAccessible, signIn, waitForHydration } from './helpers';

/** Ids of the two customers whose latest purchase is oldest: last in the default list, where other tests look. */
async function oldestBuyers(page: Page): Promise<[string, string]> {
  await page.goto('/customers?sort=latest_purchase');
  const id = async (row: number) => {
    const link = page.getByRole('row').nth(row).getByRole('cell').nth(1).getByRole('link');
    return new URL((await link.getAttribute('href'))!, page.url()).searchParams.get('c')!;
  };
  return [await id(1), await id(2)];
}

async function indicator(page: Page, name: string): Promise<string> {
  return (await page.locator(`[data-indicator="${name}"]`).textContent())!.trim();
}

test('an admin merges two customers, the old page leads to the survivor, and undo brings both back', async ({ page }) => {
  await signIn(page, ADMIN);
  const [keep, gone] = await oldestBuyers(page);
  await page.goto(`/customers/${keep}`);
  await waitForHydration(page);
  const keptOrders = Number(await indicator(page, 'orders'));
  const keptName = (await page.getByRole('heading', { level: 1 }).textContent())!.trim();
  await page.goto(`/customers/${gone}`);
  const goneOrders = Number(await indicator(page, 'orders'));
  const goneName = (await page.getByRole('heading', { level: 1 }).textContent())!.trim();

  // from the customer page, then adding the other by number
  await page.goto(`/customers/${keep}`);
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Merge with another customer…' }).click();
  await expect(page).toHaveURL(new RegExp(`/merge\\?customers=${keep}$`));
  await page.getByLabel('Add a customer by number').fill(gone);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`/merge\\?customers=${keep}(%2C|,)${gone}$`));
  const stays = page.getByRole('group', { name: /Which customer stays/ });
  await expect(stays.getByRole('radio')).toHaveCount(2);
  await expectAccessible(page);

  await stays.getByRole('radio', { name: new RegExp(`#${keep}$`) }).check();
  // the merged customer's first name wins
  const firstName = page.getByRole('group', { name: 'First name' });
  await firstName.getByRole('radio', { name: new RegExp(`#${gone}$`) }).check();
  const preview = page.locator('.merge-preview');
  await expect(preview).toContainText(`(#${keep}) stays`);
  await expect(preview).toContainText(`from #${gone}`);
  if (goneOrders > 0) await expect(preview).toContainText(goneOrders === 1 ? '1 order' : `${goneOrders} orders`);
  await page.getByRole('button', { name: 'Merge', exact: true }).click();

  await page.waitForURL(`**/customers/${keep}`);
  await waitForHydration(page);
  await expect(page.locator('[data-indicator="orders"]')).toHaveText(String(keptOrders + goneOrders));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(
    `${goneName.split(' ')[0]} ${keptName.split(' ').slice(1).join(' ')}`.trim(),
  );
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await expect(timeline).toContainText(`Merged into this one: customer #${gone}`);
  if (goneOrders > 0) await expect(timeline).toContainText(`from customer #${gone}`);
  await expectAccessible(page);

  // the merged-away customer's page leads to the survivor
  await page.goto(`/customers/${gone}`);
  await expect(page).toHaveURL(new RegExp(`/customers/${keep}$`));

  await page.goto(`/customers/${keep}`);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Undo this merge' }).click();
  await expect(page.getByRole('region', { name: 'Timeline' })).toContainText(`Merge of customer #${gone} undone`);
  await expect(page.locator('[data-indicator="orders"]')).toHaveText(String(keptOrders));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(keptName);
  await page.goto(`/customers/${gone}`);
  await expect(page).toHaveURL(new RegExp(`/customers/${gone}$`));
  await expect(page.locator('[data-indicator="orders"]')).toHaveText(String(goneOrders));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(goneName);
});

test('an agent sees no merge and the server refuses one', async ({ page }) => {
  await signIn(page, AGENT);
  const [a, b] = await oldestBuyers(page);
  await page.goto(`/customers/${a}`);
  await waitForHydration(page);
  await expect(page.getByRole('link', { name: 'Merge with another customer…' })).toHaveCount(0);
  await page.goto(`/merge?customers=${a},${b}`);
  await expect(page.getByRole('alert')).toContainText('your role does not allow this');
  await expect(page.getByRole('button', { name: 'Merge', exact: true })).toHaveCount(0);
  await expectAccessible(page);
  const origin = new URL(page.url()).origin;
  const refused = await page.request.post('/api/merge_customers', {
    data: { request: { survivor: Number(a), merged: [Number(b)], fields: {} } },
    headers: { Origin: origin, Accept: 'application/json' },
  });
  expect(refused.status()).toBe(403);
});
