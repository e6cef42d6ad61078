-- Issue 14, step-up approvals: what a request's approval needs, the step-up a review was made with,
-- and each step-up attempt from the click to its single use.
ALTER TABLE `actions` ADD `step_up` text;--> statement-breakpoint
ALTER TABLE `reviews` ADD `step_up` text;--> statement-breakpoint
CREATE TABLE `step_ups` (
	`id` text PRIMARY KEY NOT NULL,
	`person` text NOT NULL,
	`action_id` text NOT NULL REFERENCES `actions`(`id`),
	`method` text NOT NULL,
	`started_at` integer NOT NULL,
	`challenge` text,
	`comment` text,
	`verified_at` integer,
	`evidence` text,
	`used_at` integer
);
--> statement-breakpoint
CREATE INDEX `step_ups_person` ON `step_ups` (`person`, `action_id`);
