import { expect, test } from '@playwright/test';
import { ADMIN, AGENT, VIEWER, customerPath, expectAccessible, signIn, waitForHydration } from './helpers';

test('an edit is saved and shows in History with the old and the new value', async ({ page }) => {
  await signIn(page, AGENT);
  const path = await customerPath(page, 3);
  await page.goto(path);
  await waitForHydration(page);
  const heading = page.getByRole('heading', { level: 1 });
  const oldName = (await heading.innerText()).trim();

  await page.getByRole('button', { name: 'Edit customer' }).click();
  const form = page.getByRole('form', { name: 'Edit customer' });
  await expect(form.getByLabel('First name')).toBeVisible();
  await expectAccessible(page);
  const oldFirst = await form.getByLabel('First name').inputValue();
  const newFirst = `Edited ${Date.now() % 100000}`;
  await form.getByLabel('First name').fill(newFirst);
  await form.getByLabel('Personal discount').fill('12.5');
  await form.getByLabel('Contractor type').selectOption('legal_entity');
  await form.getByLabel('Legal name').fill('Edited Trading Ltd');
  await form.getByRole('button', { name: 'Save' }).click();

  await expect(heading).toHaveText(oldName.replace(oldFirst, newFirst));
  await page.getByRole('button', { name: 'History' }).click();
  const history = page.getByRole('region', { name: 'History' });
  const firstName = history.getByRole('row').filter({ hasText: 'First name' }).first();
  await expect(firstName).toContainText(oldFirst);
  await expect(firstName).toContainText(newFirst);
  await expect(firstName).toContainText(AGENT.email);
  await expect(history.getByRole('row').filter({ hasText: 'Personal discount' }).first()).toContainText('12.5%');
  await expect(history.getByRole('row').filter({ hasText: 'Legal name' }).first()).toContainText('Edited Trading Ltd');
  await expectAccessible(page);

  // the timeline's Changes tab has the same change
  await page.getByRole('tab', { name: 'Changes', exact: true }).click();
  await expect(page.getByRole('tabpanel')).toContainText(`first name changed from ${oldFirst} to ${newFirst}`);
});

test('a bad field is refused with a message next to it, and nothing is saved', async ({ page }) => {
  await signIn(page, AGENT);
  const path = await customerPath(page, 4);
  await page.goto(path);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Edit customer' }).click();
  const form = page.getByRole('form', { name: 'Edit customer' });
  await form.getByLabel('Emails').fill('not-an-email');
  await form.getByLabel('Personal discount').fill('250');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('alert')).toContainText('Some fields need your attention');
  await expect(form.getByLabel('Emails')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.locator('#edit-emails-error')).toHaveText('"not-an-email" is not an email address');
  await expect(form.locator('#edit-discount-error')).toContainText('from 0 to 100');
  await expect(form.getByLabel('Emails')).toHaveValue('not-an-email'); // the input stays
  await expectAccessible(page);
  await form.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'History' }).click();
  await expect(page.getByRole('region', { name: 'History' })).not.toContainText('not-an-email');
});

test('of two editors of one customer, the second save is refused and the first edit stays', async ({ browser }) => {
  test.slow(); // two browsers signing in and loading the same customer
  const first = await (await browser.newContext()).newPage();
  const second = await (await browser.newContext()).newPage();
  await signIn(first, AGENT);
  await signIn(second, ADMIN);
  const path = await customerPath(first, 5);
  for (const page of [first, second]) {
    await page.goto(path);
    await waitForHydration(page);
    await page.getByRole('button', { name: 'Edit customer' }).click();
    await expect(page.getByRole('form', { name: 'Edit customer' }).getByLabel('Last name')).toBeVisible();
  }
  const mine = `First ${Date.now() % 100000}`;
  const theirs = `Second ${Date.now() % 100000}`;
  await first.getByRole('form', { name: 'Edit customer' }).getByLabel('Last name').fill(mine);
  await first.getByRole('button', { name: 'Save' }).click();
  await expect(first.getByRole('heading', { level: 1 })).toContainText(mine);

  const form = second.getByRole('form', { name: 'Edit customer' });
  await form.getByLabel('Last name').fill(theirs);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('alert')).toContainText(`Not saved: ${AGENT.email} changed Last name`);
  await expect(form.getByLabel('Last name')).toHaveValue(theirs); // nothing typed is lost
  await expectAccessible(second);

  await first.reload();
  await expect(first.getByRole('heading', { level: 1 })).toContainText(mine);
});

test('a viewer sees the customer read-only and the server refuses their save', async ({ page }) => {
  await signIn(page, AGENT);
  const path = await customerPath(page, 6);
  await page.goto(path);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Edit customer' }).click();
  const version = await page.locator('input[name="form[version]"]').getAttribute('value');
  const id = path.split('/').pop()!;
  await page.getByRole('button', { name: 'Cancel' }).click();

  await page.context().clearCookies();
  await signIn(page, VIEWER, path);
  await waitForHydration(page);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.getByRole('button', { name: 'History' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Edit customer' })).toHaveCount(0);
  await expectAccessible(page);

  const origin = new URL(page.url()).origin;
  const answer = await page.request.post('/api/save_customer', {
    form: { 'form[id]': id, 'form[version]': version!, 'form[first_name]': 'Hacked' },
    headers: { Origin: origin, Accept: 'application/json' },
  });
  expect(answer.status()).toBe(403);
  await expect(page.getByRole('button', { name: 'Add note' })).toHaveCount(0);
  const note = await page.request.post('/api/add_note', {
    form: { customer: id, body: 'sneaky' },
    headers: { Origin: origin, Accept: 'application/json' },
  });
  expect(note.status()).toBe(403);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).not.toContainText('Hacked');
});

test('a note is added by an agent, shown as plain text, and deleted by an admin with a trace in the timeline', async ({
  page,
}) => {
  await signIn(page, AGENT);
  const path = await customerPath(page, 7);
  await page.goto(path);
  await waitForHydration(page);
  const notes = page.getByRole('region', { name: 'Notes' });
  const text = `Called about the <b>refund</b> ${Date.now() % 100000}`;
  await notes.getByLabel('New note').fill(text);
  await notes.getByRole('button', { name: 'Add note' }).click();
  const note = notes.getByRole('listitem').filter({ hasText: text });
  await expect(note).toBeVisible();
  await expect(note.locator('b')).toHaveCount(0); // the markup is shown, never rendered
  await expect(note).toContainText(AGENT.email);
  await expect(notes.getByLabel('New note')).toHaveValue('');
  await expectAccessible(page);

  // deleting is an admin's (SPEC §2): an agent has no button for it
  await expect(note.getByRole('button', { name: /^Delete note of / })).toHaveCount(0);
  await page.context().clearCookies();
  await signIn(page, ADMIN, path);
  await waitForHydration(page);
  await note.getByRole('button', { name: /^Delete note of / }).click();
  await expect(notes.getByRole('listitem').filter({ hasText: text })).toHaveCount(0);
  await page.getByRole('tab', { name: 'Notes', exact: true }).click();
  const panel = page.getByRole('tabpanel');
  await expect(panel).toContainText(`Note deleted: “${text}”`);
  await expect(panel).toContainText(`Note added: “${text}”`);
});

test('a page whose code arrives late is live as soon as it reads hydrated', async ({ page }) => {
  await signIn(page, AGENT);
  const path = await customerPath(page, 6);
  // the customer page's chunks (split off the main bundle) come slowly, as on a poor connection
  await page.route(
    (url) => /\/pkg\/(split_|chunk_)[^/]*\.wasm$/.test(url.pathname),
    async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    },
  );
  await page.goto(path);
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Edit customer' }).click();
  await expect(page.getByRole('form', { name: 'Edit customer' }).getByLabel('First name')).toBeVisible();
  await expectAccessible(page);
});
