-- A step-up is made for one thing: approving a request, or breaking its glass (issue 16 × step-up).
-- Rows from before this column were all made for approving.
ALTER TABLE `step_ups` ADD `purpose` text DEFAULT 'approve' NOT NULL;
