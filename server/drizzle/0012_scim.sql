CREATE TABLE `scim_users` (
	`id` text PRIMARY KEY NOT NULL,
	`user_name` text NOT NULL,
	`external_id` text,
	`email` text NOT NULL,
	`display_name` text,
	`active` integer NOT NULL,
	`resource` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `scim_users_user_name` ON `scim_users` (lower(`user_name`)) WHERE `deleted_at` IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX `scim_users_live_email` ON `scim_users` (`email`) WHERE `deleted_at` IS NULL;--> statement-breakpoint
CREATE INDEX `scim_users_email` ON `scim_users` (`email`);--> statement-breakpoint
CREATE TABLE `scim_groups` (
	`id` text PRIMARY KEY NOT NULL,
	`display_name` text NOT NULL,
	`external_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `scim_groups_display_name` ON `scim_groups` (lower(`display_name`));--> statement-breakpoint
CREATE TABLE `scim_group_members` (
	`group_id` text NOT NULL REFERENCES `scim_groups`(`id`),
	`user_id` text NOT NULL REFERENCES `scim_users`(`id`),
	PRIMARY KEY(`group_id`, `user_id`)
);
--> statement-breakpoint
CREATE INDEX `scim_group_members_user` ON `scim_group_members` (`user_id`);
