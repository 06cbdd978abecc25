import { expect, test, type Page } from '@playwright/test';
import { ADMIN, AGENT, VIEWER, expectAccessible, signIn, submitSignIn, waitForHydration } from './helpers';

/** Calls a server function directly, as a script in the signed-in browser could. */
async function callServerFn(page: Page, name: string, form: Record<string, string>) {
  const origin = new URL(page.url()).origin;
  return page.request.post(`/api/${name}`, { form, headers: { Origin: origin } });
}

test('an admin adds a user, changes their role and deactivates them', async ({ page, browser }) => {
  await signIn(page, ADMIN, '/settings/users');
  await waitForHydration(page);
  await expect(page.getByRole('heading', { name: 'Users' })).toBeVisible();
  await expectAccessible(page);

  const email = `new-${Date.now()}@e2e.example`;
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption('agent');
  await page.getByLabel('Password').fill('a brand new password');
  await page.getByRole('button', { name: 'Add user' }).click();
  const row = page.getByRole('row').filter({ hasText: email });
  await expect(row).toContainText('Active');

  await row.getByLabel(`Role of ${email}`).selectOption('viewer');
  await row.getByRole('button', { name: 'Save role' }).click();
  await expect(row.getByLabel(`Role of ${email}`)).toHaveValue('viewer');

  // the new member can sign in, and sees their role
  const other = await browser.newContext();
  const theirs = await other.newPage();
  await signIn(theirs, { email, password: 'a brand new password' });
  await expect(theirs.getByRole('navigation', { name: 'Account' })).toContainText('viewer');

  await row.getByRole('button', { name: `Deactivate ${email}` }).click();
  await expect(row).toContainText('Deactivated');

  // deactivated: signed out everywhere, and cannot sign in again
  await theirs.goto('/customers');
  await expect(theirs).toHaveURL(/\/login\?next=/);
  await submitSignIn(theirs, { email, password: 'a brand new password' });
  await expect(theirs.getByRole('alert')).toHaveText('The email or password is not right. Please try again.');
  await other.close();
});

test('a new API key is shown once, opens the API, and stops working when revoked', async ({ page }) => {
  await signIn(page, ADMIN, '/settings/api-keys');
  await waitForHydration(page);
  await page.getByLabel('Key name').fill('Browser test');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByLabel('New API key').innerText()).trim();
  expect(key).toMatch(/^cv_[0-9a-f]{64}$/);
  await expectAccessible(page);

  const api = async () =>
    (await page.request.get('/api/v1/customers?limit=1', { headers: { Authorization: `Bearer ${key}` } })).status();
  expect(await api()).toBe(200);

  await page.reload();
  await waitForHydration(page);
  await expect(page.getByText(key)).toHaveCount(0); // never shown again
  await page.getByRole('button', { name: 'Revoke Browser test' }).first().click();
  await expect(page.getByRole('row').filter({ hasText: 'Browser test' }).first()).toContainText('Revoked');
  expect(await api()).toBe(401);
});

test('an agent cannot manage users or keys, not even by calling the server directly', async ({ page }) => {
  await signIn(page, AGENT);
  await expect(page.getByRole('link', { name: 'Settings' })).toHaveCount(0);
  await page.goto('/settings/users');
  await expect(page.getByRole('alert')).toHaveText('your role does not allow this');
  await expectAccessible(page);
  for (const [name, form] of [
    ['list_members', {}],
    ['add_member', { email: 'sneaky@e2e.example', role: 'admin', password: 'a sneaky password' }],
    ['update_member', { user_id: '1', role: 'admin', active: 'true' }],
    ['list_api_keys', {}],
    ['create_api_key', { name: 'sneaky' }],
    ['revoke_api_key', { id: '1' }],
  ] as const) {
    expect((await callServerFn(page, name, form)).status(), name).toBe(403);
  }
});

test('a viewer cannot change anything, not even by calling the server directly', async ({ page }) => {
  await signIn(page, VIEWER);
  await expect(page.getByRole('table')).toBeVisible(); // viewers do see the customers
  for (const [name, form] of [
    ['add_member', { email: 'sneaky@e2e.example', role: 'admin', password: 'a sneaky password' }],
    ['update_member', { user_id: '1', role: 'viewer', active: 'false' }],
    ['create_api_key', { name: 'sneaky' }],
    ['revoke_api_key', { id: '1' }],
  ] as const) {
    expect((await callServerFn(page, name, form)).status(), name).toBe(403);
  }
  // and nothing happened: the admin still sees no sneaky member
  const admin = await page.context().browser()!.newContext();
  const adminPage = await admin.newPage();
  await signIn(adminPage, ADMIN, '/settings/users');
  await expect(adminPage.getByRole('row').filter({ hasText: 'sneaky@e2e.example' })).toHaveCount(0);
  await admin.close();
});
