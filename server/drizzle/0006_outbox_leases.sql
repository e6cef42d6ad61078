ALTER TABLE `outbox` ADD `lease_owner` text;--> statement-breakpoint
ALTER TABLE `outbox` ADD `lease_until` integer;--> statement-breakpoint
CREATE TABLE `readiness_probe` (
	`id` integer PRIMARY KEY NOT NULL,
	`node` text NOT NULL,
	`at` integer NOT NULL
);
