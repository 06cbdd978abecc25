import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

/** Members created by scripts/test for the browser tests. */
export const ADMIN = { email: 'admin@e2e.example', password: 'end-to-end password' };
export const AGENT = { email: 'agent@e2e.example', password: 'end-to-end password' };
export const VIEWER = { email: 'viewer@e2e.example', password: 'end-to-end password' };
/** The only member of "Live Shop", where the live updates' test writes. */
export const LIVE = { email: 'live@e2e.example', password: 'end-to-end password' };
export const SHOPS = { email: 'shops@e2e.example', password: 'end-to-end password' };
export const THROTTLED = { email: 'throttled@e2e.example', password: 'end-to-end password' };

/** Fails on any axe-core violation on the page as it is now. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
  expect(summary, 'axe-core violations').toEqual([]);
}

/** Waits until the wasm has hydrated the page (the app sets the marker from an Effect). */
export async function waitForHydration(page: Page) {
  await page.locator('[data-hydrated="true"]').waitFor({ state: 'attached' });
}

/** Fills the sign-in form (already open) and submits it. */
export async function submitSignIn(page: Page, user: { email: string; password: string }) {
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in through the form and waits to land on `next`. */
export async function signIn(page: Page, user = ADMIN, next = '/customers') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await submitSignIn(page, user);
  await page.waitForURL((url) => url.pathname !== '/login');
}

/** Signs `user` in and switches to their workspace named `name` (the app's own switcher). */
export async function signInTo(page: Page, user: { email: string; password: string }, name: string) {
  await signIn(page, user);
  await waitForHydration(page);
  await page.getByLabel('Workspace').selectOption({ label: name });
  await page.getByRole('button', { name: 'Switch' }).click();
  await page.waitForURL(/\/customers/);
}

/** A customer's page in the e2e workspace: row `row` of the list by name, so that tests do not meet. */
export async function customerPath(page: Page, row: number): Promise<string> {
  await page.goto('/customers?sort=name');
  const link = page.getByRole('row').nth(row).getByRole('cell').nth(1).getByRole('link');
  const id = new URL((await link.getAttribute('href'))!, page.url()).searchParams.get('c')!;
  return `/customers/${id}`;
}

/** A new API key of the signed-in admin's workspace, made through the admin's own server function. */
export async function apiKey(page: Page, name = `test ${Date.now()}`): Promise<string> {
  const answer = await page.request.post('/api/create_api_key', {
    form: { name },
    headers: { Origin: new URL(page.url()).origin },
  });
  expect(answer.status()).toBe(200);
  return JSON.parse(await answer.text());
}
