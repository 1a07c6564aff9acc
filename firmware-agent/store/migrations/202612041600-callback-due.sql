-- Callback tasks that stand in for a call the box could not take a message from (issue 10: a trunk without
-- recording, a distress caller who hung up before reaching a person): when the task falls due (the next
-- working day's opening for an after-hours caller; at once otherwise), why it exists, and its ticket from
-- the start (ticket_number was filled only when the agent completed the task).
ALTER TABLE callback_tasks ADD COLUMN due_at INTEGER;
ALTER TABLE callback_tasks ADD COLUMN reason TEXT NOT NULL DEFAULT 'overflow';
