import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { ADMIN, AGENT, VIEWER, customerPath, expectAccessible, signIn, waitForHydration } from './helpers';

test('a task is created, commented and completed, and leaves the in-work block', async ({ page }) => {
  await signIn(page, AGENT);
  const path = await customerPath(page, 8);
  await page.goto(path);
  await waitForHydration(page);
  const tasks = page.getByRole('region', { name: 'Tasks' });
  const inWork = page.getByRole('region', { name: 'In work' });
  const title = `Call back about the refund ${Date.now() % 100000}`;

  await tasks.getByLabel('Task title').fill(title);
  await tasks.getByLabel('Assignee').selectOption({ label: AGENT.email });
  await tasks.getByLabel('Due date').fill('2020-01-15');
  await tasks.getByRole('button', { name: 'Add task' }).click();
  const task = tasks.getByRole('listitem').filter({ hasText: title });
  await expect(task).toContainText(`Assigned to ${AGENT.email}`);
  // overdue is said in words, not only by colour
  await expect(task).toContainText('Overdue · due 15 Jan 2020');
  await expect(inWork.getByRole('listitem').filter({ hasText: title })).toContainText('Overdue');
  await expect(tasks.getByLabel('Task title')).toHaveValue('');
  await expectAccessible(page);

  const comment = 'Left a voicemail, <i>will</i> try again';
  await task.getByLabel(`Comment on “${title}”`).fill(comment);
  await task.getByRole('button', { name: 'Add comment' }).click();
  await expect(task.getByRole('list', { name: `Comments on “${title}”` })).toContainText(comment);
  await expect(task.locator('i')).toHaveCount(0); // shown as text, never as markup
  await expect(task).toContainText(AGENT.email);

  await task.getByRole('button', { name: `Mark done “${title}”` }).click();
  await expect(task).toContainText('Done');
  await expect(task).not.toContainText('Overdue');
  await expect(task.getByRole('button', { name: `Reopen “${title}”` })).toBeVisible();
  await expect(inWork.getByRole('listitem').filter({ hasText: title })).toHaveCount(0);
  await expectAccessible(page);

  await page.getByRole('tab', { name: 'Tasks', exact: true }).click();
  const panel = page.getByRole('tabpanel');
  await expect(panel).toContainText(`Task completed: ${title}`);
  await expect(panel).toContainText(`Comment on task ${title}: “${comment}”`);
  await expect(panel).toContainText(`Task created: ${title}`);
});

test('files are uploaded by picker and by drop, downloaded with their type, refused when too large, deleted', async ({
  page,
}) => {
  await signIn(page, AGENT);
  const path = await customerPath(page, 9);
  await page.goto(path);
  await waitForHydration(page);
  const files = page.getByRole('region', { name: 'Files' });
  const pdf = Buffer.from('%PDF-1.4\n% a contract\n');

  await files.getByLabel('Choose files').setInputFiles({ name: 'contract.pdf', mimeType: 'application/pdf', buffer: pdf });
  await files.getByRole('button', { name: 'Upload' }).click();
  await expect(files.getByRole('status')).toHaveText('Uploaded contract.pdf.');
  const item = files.getByRole('listitem').filter({ hasText: 'contract.pdf' });
  await expect(item).toContainText(`${pdf.length} bytes · application/pdf · ${AGENT.email}`);
  await expectAccessible(page);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    item.getByRole('link', { name: 'contract.pdf' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('contract.pdf');
  expect(await readFile((await download.path())!)).toEqual(pdf);
  const href = await item.getByRole('link', { name: 'contract.pdf' }).getAttribute('href');
  const fetched = await page.request.get(href!);
  expect(fetched.headers()['content-type']).toBe('application/pdf');
  expect(fetched.headers()['content-disposition']).toContain('attachment');

  // dropped on the form, a file goes up the same way
  const dropped = await page.evaluateHandle(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(['hello from a drop'], 'dropped notes.txt', { type: 'text/plain' }));
    return transfer;
  });
  await files.locator('form.drop-zone').dispatchEvent('drop', { dataTransfer: dropped });
  await expect(files.getByRole('status')).toHaveText('Uploaded dropped notes.txt.');
  await expect(files.getByRole('listitem').filter({ hasText: 'dropped notes.txt' })).toContainText('17 bytes · text/plain');

  // too large: said before sending, and the server refuses it on its own as well
  const big = Buffer.alloc(11 * 1024 * 1024, 7);
  await files.getByLabel('Choose files').setInputFiles({ name: 'scan.tiff', mimeType: 'image/tiff', buffer: big });
  await files.getByRole('button', { name: 'Upload' }).click();
  await expect(files.getByRole('alert')).toHaveText('“scan.tiff” is 11.0 MB; a file can be at most 10.0 MB');
  const origin = new URL(page.url()).origin;
  const refused = await page.request.post(`${path}/files`, {
    multipart: { file: { name: 'scan.tiff', mimeType: 'image/tiff', buffer: big } },
    headers: { Origin: origin, Accept: 'application/json' },
  });
  expect(refused.status()).toBe(413);
  expect(await refused.text()).toBe('“scan.tiff” is 11.0 MB; a file can be at most 10.0 MB');
  await expect(files.getByRole('listitem').filter({ hasText: 'scan.tiff' })).toHaveCount(0);

  // deleting is an admin's (SPEC §2): an agent has no button for it, and the server refuses it
  await expect(item.getByRole('button', { name: 'Delete contract.pdf' })).toHaveCount(0);
  const fileId = href!.split('/').pop()!;
  const headers = { Origin: origin, Accept: 'application/json' };
  expect((await page.request.post('/api/delete_file', { form: { id: fileId }, headers })).status()).toBe(403);
  await page.context().clearCookies();
  await signIn(page, ADMIN, path);
  await waitForHydration(page);
  await item.getByRole('button', { name: 'Delete contract.pdf' }).click();
  await expect(files.getByRole('listitem').filter({ hasText: 'contract.pdf' })).toHaveCount(0);
  expect((await page.request.get(href!)).status()).toBe(404);
  await page.getByRole('tab', { name: 'Files', exact: true }).click();
  const panel = page.getByRole('tabpanel');
  await expect(panel).toContainText('File deleted: contract.pdf');
  await expect(panel).toContainText('File added: dropped notes.txt');
});

test('a viewer sees tasks and files read-only, and the server refuses their changes', async ({ page }) => {
  await signIn(page, AGENT);
  const path = await customerPath(page, 10);
  const id = path.split('/').pop()!;
  let origin = new URL(page.url()).origin;
  const headers = { Origin: origin, Accept: 'application/json' };
  const upload = await page.request.post(`${path}/files`, {
    multipart: { file: { name: 'terms.txt', mimeType: 'text/plain', buffer: Buffer.from('terms') } },
    headers,
  });
  expect(upload.status()).toBe(201);
  const fileId = (await upload.json()).ids[0];
  const added = await page.request.post('/api/add_task', {
    form: { customer: id, title: 'Check the terms', assignee: '', due: '' },
    headers,
  });
  expect(added.status()).toBe(200);
  const taskId = await added.json();

  await page.context().clearCookies();
  await signIn(page, VIEWER, path);
  await waitForHydration(page);
  origin = new URL(page.url()).origin;
  const tasks = page.getByRole('region', { name: 'Tasks' });
  const files = page.getByRole('region', { name: 'Files' });
  await expect(tasks.getByRole('listitem').filter({ hasText: 'Check the terms' })).toBeVisible();
  await expect(files.getByRole('link', { name: 'terms.txt' })).toBeVisible();
  await expect(tasks.getByRole('button')).toHaveCount(0);
  await expect(tasks.getByRole('textbox')).toHaveCount(0);
  await expect(files.getByRole('button')).toHaveCount(0);
  await expect(files.getByLabel('Choose files')).toHaveCount(0);
  await expectAccessible(page);

  // a viewer may read the file, never change anything
  expect((await page.request.get(`/files/${fileId}`)).status()).toBe(200);
  const attempts = [
    page.request.post('/api/add_task', { form: { customer: id, title: 'sneaky', assignee: '', due: '' }, headers }),
    page.request.post('/api/comment_task', { form: { task: String(taskId), body: 'sneaky' }, headers }),
    page.request.post('/api/set_task_done', { form: { task: String(taskId), done: 'true' }, headers }),
    page.request.post('/api/delete_file', { form: { id: String(fileId) }, headers }),
    page.request.post(`${path}/files`, {
      multipart: { file: { name: 'sneaky.txt', mimeType: 'text/plain', buffer: Buffer.from('x') } },
      headers,
    }),
  ];
  for (const answer of await Promise.all(attempts)) expect(answer.status()).toBe(403);
  await page.reload();
  await expect(tasks.getByRole('listitem').filter({ hasText: 'Check the terms' })).toContainText('Open');
  await expect(tasks).not.toContainText('sneaky');
  await expect(files.getByRole('link', { name: 'terms.txt' })).toBeVisible();
  await expect(files).not.toContainText('sneaky');
});
