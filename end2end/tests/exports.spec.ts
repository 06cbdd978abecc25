import { expect, test, type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { AGENT, VIEWER, expectAccessible, signIn, signInTo, waitForHydration } from './helpers';

/** The rows of a CSV file (RFC 4180: quoted cells may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; }
    else if (c !== '\r') cell += c;
  }
  if (cell !== '' || row.length > 0) { row.push(cell); rows.push(row); }
  return rows;
}

/** The ids of every customer the list shows for `url`, page after page. */
async function listedIds(page: Page, url: string): Promise<string[]> {
  await page.goto(url);
  const ids: string[] = [];
  for (;;) {
    await expect(page.getByRole('status').filter({ hasText: /customers/ }).first()).toBeVisible();
    const hrefs = await page
      .locator('table.customers tbody tr td:nth-child(2) a')
      .evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
    for (const href of hrefs) ids.push(new URL(href, page.url()).searchParams.get('c')!);
    // each page loaded whole from its link (a click re-renders in place, and rows could be read twice)
    const next = page.getByRole('link', { name: 'Next page' });
    if ((await next.count()) === 0) return ids;
    await page.goto((await next.getAttribute('href'))!);
  }
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<string[][]> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const text = await readFile((await download.path())!, 'utf8');
  return parseCsv(text.replace(/^\uFEFF/, ''));
}

test('an agent downloads a filtered list of fewer than 1,000 at once: the rows the list shows', async ({ page }) => {
  const url = '/customers?sort=name&orders_min=2';
  await signIn(page, AGENT, url);
  const ids = await listedIds(page, url);
  expect(ids.length).toBeGreaterThan(0);
  await page.goto(url);
  await waitForHydration(page);
  const button = page.getByRole('link', { name: /^Download CSV \([\d,]+ customers?\)$/ });
  await expect(button).toHaveText(`Download CSV (${ids.length.toLocaleString('en-US')} customers)`);
  await expectAccessible(page);
  const rows = await downloaded(page, () => button.click());
  expect(rows[0].slice(0, 5)).toEqual(['ID', 'Channel', 'Channel customer ID', 'First name', 'Last name']);
  expect(rows.slice(1).map((r) => r[0])).toEqual(ids);
});

test('more than 1,000: an export job with progress, a notification and the file', async ({ page }) => {
  await signInTo(page, AGENT, 'Big Shop');
  await waitForHydration(page);
  await expect(page.getByRole('status').filter({ hasText: 'More than 1,000 customers' })).toBeVisible();
  const start = page.getByRole('button', { name: 'Download CSV (more than 1,000 customers)' });
  await start.click();
  const progress = page.locator('.export-progress');
  await expect(progress).toBeVisible();
  const file = progress.getByRole('link', { name: 'Download the file' });
  await expect(file).toBeVisible({ timeout: 20_000 });
  await expect(progress).toContainText('Ready: 1,500 customers');
  await expectAccessible(page);
  const rows = await downloaded(page, () => file.click());
  expect(rows.length).toBe(1 + 1500);
  expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(1500);

  // the bell tells of the file
  await page.reload();
  await waitForHydration(page);
  const bell = page.getByRole('group').or(page.locator('details.bell')).first();
  await expect(page.locator('details.bell summary')).toHaveAttribute('aria-label', /Notifications, \d+ unread/);
  await page.locator('details.bell summary').click();
  await expect(bell.getByRole('link', { name: 'Your export of 1,500 customers is ready' }).first()).toBeVisible();
  await expectAccessible(page);

  // every export of the workspace, with its file
  await page.getByRole('link', { name: 'Exports' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Exports');
  await expect(page.getByRole('link', { name: /^Download export \d+ \(/ }).first()).toBeVisible();
  // which customers, in words, leading back to that list
  await expect(page.getByRole('link', { name: 'Everyone', exact: true }).first()).toHaveAttribute('href', '/customers');
  await expectAccessible(page);
});

/**
 * Holds the table an export of more than 20,000 customers writes them into first (a lock that lets reads
 * by, on a connection of its own), so that such an export stays under way until `release`.
 */
async function holdExportTargets(): Promise<{ release: () => void }> {
  const psql = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', process.env.DATABASE_URL!], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    psql.stdout.on('data', (data: Buffer) => { if (data.toString().includes('held')) resolve(); });
    psql.on('exit', (code) => reject(new Error(`psql ended (${code}) before the lock was held`)));
    psql.stdin.write('begin;\nlock table export_target in share mode;\n\\echo held\n');
  });
  return { release: () => psql.stdin.end('rollback;\n') };
}

test('an export under way can be canceled: no file, and the list of exports says so', async ({ page }) => {
  await signInTo(page, AGENT, 'Large Shop');
  await waitForHydration(page);
  const held = await holdExportTargets();
  try {
    await page.getByRole('button', { name: 'Download CSV (more than 1,000 customers)' }).click();
    const progress = page.locator('.export-progress');
    await expect(progress).toBeVisible();
    await progress.getByRole('button', { name: 'Cancel' }).click();
    await expect(progress).toContainText('Canceling…');
    await expect(progress.getByRole('button', { name: 'Cancel' })).toHaveCount(0);
    await expectAccessible(page);
  } finally {
    held.release();
  }
  const progress = page.locator('.export-progress');
  await expect(progress).toContainText('Canceled.', { timeout: 20_000 });
  await expect(progress.getByRole('link', { name: 'Download the file' })).toHaveCount(0);
  await expect(progress.locator('progress')).toHaveCount(0);

  await progress.getByRole('link', { name: 'All exports' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Exports');
  const row = page.locator('table.exports tbody tr').first();
  await expect(row).toContainText('Canceled');
  await expect(row.getByRole('link', { name: /^Download export/ })).toHaveCount(0);
  await expectAccessible(page);
});

test('a viewer has no export controls and the server refuses the download', async ({ page }) => {
  await signIn(page, VIEWER);
  await waitForHydration(page);
  await expect(page.getByRole('status').filter({ hasText: /customers/ }).first()).toBeVisible();
  await expect(page.getByRole('link', { name: /Download CSV/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Download CSV/ })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Exports' })).toHaveCount(0);
  const response = await page.request.get('/customers/export.csv');
  expect(response.status()).toBe(403);
  await expectAccessible(page);
});
