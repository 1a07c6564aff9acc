-- alarm.report carries the alarm's Chinese text too (optional in the body): kept for the province's view.
ALTER TABLE net_alarms ADD COLUMN message_zh TEXT;
