CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`sink` text NOT NULL,
	`action_id` text NOT NULL,
	`event` text NOT NULL,
	`payload` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`delivered_at` integer,
	`last_error` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox` (`sink`,`delivered_at`,`next_attempt_at`);--> statement-breakpoint
CREATE TABLE `slack_messages` (
	`action_id` text PRIMARY KEY NOT NULL,
	`channel` text NOT NULL,
	`ts` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_slack_user` ON `users` (`slack_user_id`);