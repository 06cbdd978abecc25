-- When the assignee of a task was told that it is overdue (SPEC §10 notifications): told once, by the
-- statement that writes the notification, whichever server runs it first.
alter table task add column overdue_told_at timestamptz;
