ALTER TABLE `actions` ADD `teams_channel` text;
--> statement-breakpoint
CREATE TABLE `teams_teams` (
	`team_id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`service_url` text NOT NULL,
	`tenant_id` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `teams_users` (
	`email` text PRIMARY KEY NOT NULL,
	`teams_user_id` text NOT NULL,
	`aad_object_id` text NOT NULL,
	`service_url` text NOT NULL,
	`tenant_id` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `teams_messages` (
	`action_id` text PRIMARY KEY NOT NULL,
	`conversation_id` text NOT NULL,
	`activity_id` text NOT NULL,
	`service_url` text NOT NULL,
	`created_at` integer NOT NULL
);
