import { expect, test } from '@playwright/test';
import { ADMIN, AGENT, VIEWER, expectAccessible, signIn, waitForHydration } from './helpers';

// scripts/e2e scans the seeded workspace, in which some people bought on two channels

test('an admin finds a pair with its reasons and opens the merge with it', async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole('link', { name: 'Duplicates' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Possible duplicates');
  const pairs = page.locator('ol.duplicate-pairs > li');
  await expect(pairs.first()).toBeVisible();
  const first = pairs.first();
  await expect(first).toContainText('same email');
  await expect(first).toContainText('% sure');
  await expectAccessible(page);
  const [a, b] = (await first.getByRole('link').filter({ hasText: '#' }).allTextContents()).map((t) => t.split('#')[1]);
  await waitForHydration(page);
  await first.getByRole('link', { name: /^Merge / }).click();
  await expect(page).toHaveURL(new RegExp(`/merge\\?customers=${a}(,|%2C)${b}$`));
  await expect(page.getByRole('group', { name: /Which customer stays/ }).getByRole('radio')).toHaveCount(2);
  await expectAccessible(page);
});

test('an agent dismisses a pair for good; a viewer reads the list only', async ({ page }) => {
  await signIn(page, AGENT, '/duplicates');
  await waitForHydration(page);
  const pairs = page.locator('ol.duplicate-pairs > li');
  await expect(pairs.first()).toBeVisible();
  const last = pairs.last();
  const label = (await last.getAttribute('aria-label'))!;
  await expect(last.getByRole('link', { name: /^Merge / })).toHaveCount(0);
  await last.getByRole('button', { name: `Not the same: ${label}` }).click();
  await expect(page.locator(`ol.duplicate-pairs > li[aria-label="${label}"]`)).toHaveCount(0);
  await page.reload();
  await expect(pairs.first()).toBeVisible();
  await expect(page.locator(`ol.duplicate-pairs > li[aria-label="${label}"]`)).toHaveCount(0);

  await page.context().clearCookies();
  await signIn(page, VIEWER, '/duplicates');
  await expect(pairs.first()).toBeVisible();
  await expect(page.getByRole('button', { name: /Not the same/ })).toHaveCount(0);
  await expect(page.getByRole('link', { name: /^Merge / })).toHaveCount(0);
  await expectAccessible(page);
});
