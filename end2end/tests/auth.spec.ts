import { expect, test } from '@playwright/test';
import { ADMIN, THROTTLED, VIEWER, expectAccessible, signIn, submitSignIn, waitForHydration } from './helpers';

const GENERIC = 'The email or password is not right. Please try again.';

test('a signed-out visitor is sent to sign in and comes back to the page asked for', async ({ page }) => {
  await page.goto('/customers?q=smith');
  await expect(page).toHaveURL(/\/login\?next=%2Fcustomers%3Fq%3Dsmith$/);
  await expect(page.getByRole('heading', { name: 'Sign in to Customer View' })).toBeVisible();
  await expectAccessible(page);

  await submitSignIn(page, ADMIN);
  await expect(page).toHaveURL(/\/customers\?q=smith$/);
  await expect(page.getByRole('searchbox', { name: 'Search customers' })).toHaveValue('smith');
  await expect(page.getByRole('navigation', { name: 'Account' })).toContainText(ADMIN.email);
});

test('a wrong password gets the same message as an unknown email', async ({ page }) => {
  for (const email of [VIEWER.email, 'nobody@e2e.example']) {
    await page.goto('/login');
    await submitSignIn(page, { email, password: 'not the password' });
    await expect(page).toHaveURL(/\/login\?error=/);
    await expect(page.getByRole('alert')).toHaveText(GENERIC);
  }
  await expectAccessible(page);
});

test('after repeated failures sign-in is refused with 429 and Retry-After, even with the right password', async ({
  page,
}) => {
  for (let i = 0; i < 5; i++) {
    await page.goto('/login');
    await submitSignIn(page, { email: THROTTLED.email, password: `wrong ${i}` });
    await expect(page.getByRole('alert')).toHaveText(GENERIC);
  }
  await page.goto('/login');
  const answer = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login');
  await submitSignIn(page, THROTTLED);
  const response = await answer;
  expect(response.status()).toBe(429);
  expect(Number(response.headers()['retry-after'])).toBeGreaterThan(0);
  await expect(page.getByRole('alert')).toContainText('Please wait');
  await expectAccessible(page);
});

test('the session cookie is HttpOnly and SameSite, and signing out ends the session', async ({ page, context }) => {
  await signIn(page);
  const [cookie] = (await context.cookies()).filter((c) => c.name === 'cv_session');
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.sameSite).toBe('Lax');
  const token = cookie.value;

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto('/customers');
  await expect(page).toHaveURL(/\/login\?next=/);

  // the old token is dead on the server too, not just forgotten by the browser
  await context.addCookies([{ ...cookie, value: token }]);
  await page.goto('/customers');
  await expect(page).toHaveURL(/\/login\?next=/);
});

test('pages carry security headers and a script policy that still lets the page hydrate', async ({ page }) => {
  await signIn(page);
  const response = await page.goto('/customers');
  const headers = response!.headers();
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('same-origin');
  expect(headers['x-frame-options']).toBe('DENY');
  const policy = headers['content-security-policy'];
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).not.toContain('unsafe-inline');
  const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
  expect(nonce).toBeTruthy();
  await waitForHydration(page);
  const scriptNonces = await page.evaluate(() =>
    Array.from(document.querySelectorAll('script')).map((s) => (s as HTMLScriptElement).nonce),
  );
  expect(scriptNonces.length).toBeGreaterThan(0);
  expect(new Set(scriptNonces)).toEqual(new Set([nonce]));
});

test('pages fetched together with the app\'s files each keep their own script policy', async ({ page }) => {
  // The files were once served through Leptos, whose handler could take the headers of a page being
  // rendered at the same moment: that page then came without its policy and never hydrated.
  await signIn(page);
  const paths = Array.from({ length: 60 }, (_, i) =>
    i % 3 === 0 ? '/customers?sort=name' : i % 3 === 1 ? '/pkg/customer-view.css' : '/pkg/customer-view.js',
  );
  const responses = await Promise.all(paths.map((path) => page.request.get(path)));
  for (const [i, response] of responses.entries()) {
    expect(response.status(), paths[i]).toBe(200);
    const policy = response.headers()['content-security-policy'];
    if (paths[i].startsWith('/pkg/')) {
      expect(policy, paths[i]).toBe("default-src 'none'; frame-ancestors 'none'");
    } else {
      const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
      expect(nonce, `${paths[i]}: ${policy}`).toBeTruthy();
      expect(await response.text()).toContain(`nonce="${nonce}"`);
    }
  }
});

test('state-changing requests from another site are refused', async ({ page }) => {
  await signIn(page);
  for (const path of ['/logout', '/workspace', '/api/list_customers']) {
    const response = await page.request.post(path, {
      headers: { Origin: 'https://evil.example' },
      form: { workspace_id: '1' },
    });
    expect(response.status(), path).toBe(403);
  }
  // still signed in: the forged sign-out did nothing
  await page.goto('/customers');
  await expect(page).toHaveURL(/\/customers$/);
});

test('a member of two workspaces switches between them and sees only that workspace', async ({ page }) => {
  await signIn(page);
  const firstShop = await page.getByRole('row').nth(1).getByRole('cell').nth(1).innerText();
  await expectAccessible(page);
  await page.getByLabel('Workspace').selectOption({ label: 'Other Shop' });
  await page.getByRole('button', { name: 'Switch' }).click();
  await expect(page.getByRole('navigation', { name: 'Account' })).toContainText('viewer · Other Shop');
  const summary = page.getByRole('status').filter({ hasText: 'customers' });
  await expect(summary).toContainText('Showing 50 of 120 customers');
  const names = await page.getByRole('row').allInnerTexts();
  expect(names.join('\n')).not.toContain(firstShop);
});
