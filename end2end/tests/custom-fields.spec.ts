import { expect, test } from '@playwright/test';
import { ADMIN, VIEWER, customerPath, expectAccessible, signIn, waitForHydration } from './helpers';

test('an admin defines custom fields; they are edited, shown, kept in History and filter the list', async ({ page }) => {
  test.slow();
  const n = Date.now() % 100000;
  const tier = `Tier ${n}`;
  const size = `Shoe size ${n}`;
  await signIn(page, ADMIN, '/settings/custom-fields');
  await waitForHydration(page);
  await page.getByLabel('Field name').fill(tier);
  await page.getByLabel('Kind').selectOption({ label: 'Single choice' });
  await page.getByLabel('Choices').fill('Gold\nSilver\nBronze');
  await page.getByRole('button', { name: 'Add field' }).click();
  const fields = page.getByRole('table');
  await expect(fields.getByRole('row').filter({ hasText: tier })).toContainText('Gold, Silver, Bronze');
  await page.getByLabel('Field name').fill(size);
  await page.getByLabel('Kind').selectOption({ label: 'Number' });
  await page.getByLabel('Choices').fill('');
  await page.getByRole('button', { name: 'Add field' }).click();
  await expect(fields.getByRole('row').filter({ hasText: size })).toContainText('Number');
  await expect(fields.getByRole('row').filter({ hasText: size })).toContainText(`field.shoe_size_${n}`);
  // the same name again is refused with a message
  await page.getByLabel('Field name').fill(size);
  await page.getByRole('button', { name: 'Add field' }).click();
  await expect(page.getByRole('alert')).toContainText(`there is already a field named like “${size}”`);
  await expectAccessible(page);

  const path = await customerPath(page, 11);
  await page.goto(path);
  await waitForHydration(page);
  const name = (await page.getByRole('heading', { level: 1 }).innerText()).trim();
  await page.getByRole('button', { name: 'Edit customer' }).click();
  const form = page.getByRole('form', { name: 'Edit customer' });
  await form.getByLabel(tier).selectOption({ label: 'Silver' });
  await form.getByLabel(size).fill('big');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByText('use a number such as 12 or 3.5')).toBeVisible();
  await expect(form.getByLabel(size)).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page);
  await form.getByLabel(size).fill('42.5');
  await form.getByRole('button', { name: 'Save' }).click();

  const facts = page.locator('dl.facts');
  await expect(facts.locator('div').filter({ hasText: tier })).toContainText('Silver');
  await expect(facts.locator('div').filter({ hasText: size })).toContainText('42.5');
  await page.getByRole('button', { name: 'History' }).click();
  const history = page.getByRole('region', { name: 'History' });
  await expect(history.getByRole('row').filter({ hasText: tier })).toContainText('Silver');
  await expect(history.getByRole('row').filter({ hasText: size })).toContainText('42.5');

  // the list, filtered on the field, by URL and by the filter panel
  await page.goto(`/customers?field.tier_${n}=Silver`);
  await waitForHydration(page);
  const rows = page.getByRole('table').getByRole('row');
  await expect(rows).toHaveCount(2); // the header and the one customer
  await expect(rows.nth(1)).toContainText(name);
  await expect(page.getByRole('complementary', { name: 'Filters' }).getByLabel(tier)).toHaveValue('Silver');
  await expectAccessible(page);
  const filters = page.getByRole('complementary', { name: 'Filters' });
  await filters.getByLabel(tier).selectOption({ label: 'Gold' });
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(new RegExp(`field\\.tier_${n}=Gold`));
  await expect(page.getByText('No customers match')).toBeVisible();
});

test('only admins define custom fields', async ({ page }) => {
  await signIn(page, VIEWER, '/customers');
  const origin = new URL(page.url()).origin;
  const answer = await page.request.post('/api/add_custom_field', {
    form: { label: 'Sneaky', kind: 'text', choices: '' },
    headers: { Origin: origin, Accept: 'application/json' },
  });
  expect(answer.status()).toBe(403);
});
